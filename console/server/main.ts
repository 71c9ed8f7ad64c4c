// `npm run console -- --local | --stack NAME`: the job console. Starts the server on 127.0.0.1 (a free
// port unless --port), prints its URL — the per-run secret in it — on one line, and opens a browser only
// with --open. Reads what the jobs CLI reads, configured the same way (flags, environment, --stack outputs).

import { execFile } from "node:child_process";
import { parseArgs } from "node:util";
import { serve } from "./app";
import { bundlePage } from "./assets";
import { Connector } from "./connection";
import { newSecrets } from "./security";

const USAGE = `Usage: npm run console -- (--local | --stack NAME) [--port N] [--host ADDRESS] [--open]

The job console: jobs, each job's story (timeline, events, logs, outputs), statistics, retry and cancel,
in a browser, read through the same queries as the jobs CLI.

  --local          read local mode (\`npm run local\`; JOBS_LOCAL_ENDPOINTS for another state folder)
  --stack NAME     read a deployed stack (its \`pulumi stack output\`, your own AWS credentials)
                   (without either: the jobs CLI's environment variables, JOBS_TABLE, ...)
  --port N         listen on this port (default: a free one)
  --host ADDRESS   listen on this address (default 127.0.0.1, loopback only; anything else is
                   reachable by others, who still need the secret in the URL)
  --open           open the URL in the browser (xdg-open / open)
  -h, --help       this text`;

async function main(): Promise<number> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse().values;
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.local && values.stack !== undefined) {
    process.stderr.write("error: --local and --stack name two different places: give one\n");
    return 2;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`error: --port must be a port number (0-65535), got "${values.port}"\n`);
    return 2;
  }
  const connector = new Connector(
    {
      ...(values.local ? { local: true } : {}),
      ...(values.stack === undefined ? {} : { stack: values.stack }),
    },
    process.env,
  );
  const host = values.host ?? "127.0.0.1";
  let consoleServer: Awaited<ReturnType<typeof serve>>;
  try {
    consoleServer = await serve({ host, port, connector, assets: await bundlePage(), secrets: newSecrets() });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "EADDRINUSE"
        ? `port ${port} is in use on ${host}: give another --port, or none for a free one`
        : code === "EADDRNOTAVAIL" || code === "ENOTFOUND"
          ? `${host} is not an address of this machine: give one of its own with --host, or leave it out`
          : code === "EACCES"
            ? `port ${port} needs privileges here: give a port above 1023 with --port, or none for a free one`
            : undefined;
    connector.close();
    if (why === undefined) throw error;
    process.stderr.write(`error: ${why}\n`);
    return 1;
  }
  process.stdout.write(`${consoleServer.url}\n`);
  if (values.open) {
    const opener = process.platform === "darwin" ? "open" : "xdg-open";
    execFile(opener, [consoleServer.url], (error) => {
      if (error) process.stderr.write(`could not open a browser (${opener}): open the URL above\n`);
    });
  }
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await consoleServer.close();
  connector.close();
  return 0;
}

function parse() {
  return parseArgs({
    options: {
      local: { type: "boolean" },
      stack: { type: "string" },
      port: { type: "string" },
      host: { type: "string" },
      open: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`error: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
