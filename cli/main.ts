// The jobs CLI: job history at a glance (list, show, stats, watch) and the operations people need
// (submit, retry, cancel), on the job model and store of jobs/. `runCli` runs one command line with the
// streams, environment and clock it is given and returns the exit code, so tests run it in-process;
// bin.js runs it for the terminal. The global options live here; each file of cli/commands/ declares its
// own command, options and help (`register…Command`), called in help order by `buildProgram`.
//
// Parser: commander. It has no dependencies, ships its own types, handles subcommands with their own help,
// variadic options (--status A --status B), and lets the caller own output and exit (configureOutput,
// exitOverride) — which in-process tests need. yargs brings a dozen dependencies for the same; citty is
// young and has no exit override.

import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { z } from "zod";
import {
  LOCAL_ENDPOINTS_FILE,
  type LocalEndpoints,
  localEndpointsPath,
  PROJECT_ROOT,
} from "../config/local-endpoints";
import { PREFIX_WINDOW_DAYS } from "../jobs/store";
import { connect } from "./aws";
import { COMMAND } from "./command-name";
import type { Handler, Registration } from "./command-options";
import { registerCancelCommand } from "./commands/cancel";
import { registerCheckCommand } from "./commands/check";
import { registerListCommand } from "./commands/list";
import { registerLogsCommand } from "./commands/logs";
import { registerOutputsCommand } from "./commands/outputs";
import { registerReplayCommand } from "./commands/replay";
import { registerRetryCommand } from "./commands/retry";
import { registerShowCommand } from "./commands/show";
import { registerStatsCommand } from "./commands/stats";
import { registerSubmitCommand } from "./commands/submit";
import { registerWatchCommand } from "./commands/watch";
import {
  type CliConfig,
  type ConfigSources,
  ENVIRONMENT_VARIABLES,
  type GlobalOptions,
  resolveConfig,
} from "./config";
import { type CliIo, commandContext, errorContext } from "./context";
import { EXIT_ERROR, EXIT_OK, EXIT_USAGE, explainError } from "./errors";
import { colourEnabled, painter } from "./format";
import { invocationOf } from "./invocation";

export interface RunOptions {
  /** Replaces `pulumi stack output` (tests). */
  readonly stackOutputs?: ConfigSources["stackOutputs"];
}

export async function runCli(argv: readonly string[], io: CliIo, options: RunOptions = {}): Promise<number> {
  let exitCode = EXIT_OK;
  const run = (command: Command, handler: Handler) =>
    execute(io, command, handler, options).then((code) => {
      exitCode = code;
    });
  // A command that needs no AWS configuration (check) reports its own exit code.
  const finish = (code: number) => {
    exitCode = code;
  };
  const program = buildProgram(io, run, finish);
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version exit 0; anything commander refuses is a usage error.
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    throw error;
  }
  return exitCode;
}

async function execute(io: CliIo, command: Command, handler: Handler, options: RunOptions): Promise<number> {
  const globals = command.optsWithGlobals<GlobalOptions>();
  const json = globals.json === true;
  const paintOut = painter(colourEnabled(io.stdout, io.env, globals.color !== false));
  const paintErr = painter(colourEnabled(io.stderr, io.env, globals.color !== false));
  const invocation = invocationOf(io.env, globals);
  let config: CliConfig | undefined;
  let close = () => {};
  let stopped: { readonly endpoints: LocalEndpoints; close(): Promise<void> } | undefined;
  try {
    // --local with local mode stopped: its state folder's histories are still there to read.
    const endpointsFile = localEndpointsPath(io.env);
    if (globals.local === true && !existsSync(endpointsFile)) {
      // Loaded only then: local mode's modules are not the CLI's usual load.
      const { openStoppedState } = await import("../local/stopped-state.js");
      stopped = await openStoppedState(dirname(endpointsFile));
      if (stopped !== undefined)
        io.stderr.write(
          `${paintErr.paint("dim", `local mode is not running: reading its state folder ${dirname(endpointsFile)} (job histories and worker logs only)`)}\n`,
        );
    }
    config = await resolveConfig(globals, {
      env: io.env,
      ...(stopped === undefined ? {} : { localEndpoints: stopped.endpoints }),
      ...(options.stackOutputs === undefined ? {} : { stackOutputs: options.stackOutputs }),
    });
    const aws = connect(config);
    close = () => aws.close();
    return await handler(
      commandContext(io, config, aws, json, paintOut, invocation, globals.output === "wide"),
    );
  } catch (thrown) {
    const error = explainError(thrown, errorContext(config, invocation));
    if (json) {
      io.stderr.write(
        `${JSON.stringify({ error: error.message, ...(error.hint ? { hint: error.hint } : {}) })}\n`,
      );
    } else {
      io.stderr.write(`${paintErr.paint(["bold", "red"], "error:")} ${error.message}\n`);
      if (error.hint) io.stderr.write(`  ${paintErr.paint("yellow", "fix:")} ${error.hint}\n`);
    }
    return error.exitCode;
  } finally {
    close();
    await stopped?.close();
  }
}

function buildProgram(io: CliIo, run: Registration["run"], finish: Registration["finish"]): Command {
  const program = new Command(COMMAND);
  program
    .description("Video jobs: history at a glance, and the operations people need.")
    .version(packageVersion(), "-V, --version", "print the version (package.json) and exit")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      getOutHasColors: () => colourEnabled(io.stdout, io.env),
      getErrHasColors: () => colourEnabled(io.stderr, io.env),
    })
    .showHelpAfterError("(run with --help for usage)")
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .option(
      "--json",
      "machine output: one JSON document (watch, logs, submit --watch: one JSON object per line)",
    )
    .option(
      "-o, --output <format>",
      "wide: tables at full width, nothing shortened (default: fit the terminal, 80 columns when not one)",
      outputFormat,
    )
    .option("--no-color", "no colour (also off with NO_COLOR set, or when output is not a terminal)")
    .option(
      "--stack <name>",
      "read table, queue, cluster, bucket, log group and region from `pulumi stack output` (or JOBS_STACK)",
    )
    .option(
      "--local",
      `use local mode's endpoints and resources (${LOCAL_ENDPOINTS_FILE}, written by \`npm run local\`)`,
    )
    .option("--table <name>", "jobs table (or JOBS_TABLE)")
    .option("--queue-url <url>", "jobs queue URL (or JOBS_QUEUE_URL)")
    .option("--cluster <name|arn>", "worker cluster (or CLUSTER_ARN / JOBS_CLUSTER)")
    .option("--bucket <name>", "uploads bucket (or UPLOADS_BUCKET)")
    .option("--log-group <name>", "worker log group (or JOBS_LOG_GROUP)")
    .option("--region <region>", "AWS region (or AWS_REGION); endpoints come from AWS_ENDPOINT_URL_<SERVICE>")
    .addHelpText("after", generalHelp());

  const registration: Registration = { io, run, finish };
  // In this order in the help (sortSubcommands is off).
  registerListCommand(program, registration);
  registerShowCommand(program, registration);
  registerStatsCommand(program, registration);
  registerReplayCommand(program, registration);
  registerWatchCommand(program, registration);
  registerSubmitCommand(program, registration);
  registerOutputsCommand(program, registration);
  registerLogsCommand(program, registration);
  registerRetryCommand(program, registration);
  registerCancelCommand(program, registration);
  registerCheckCommand(program, registration);
  return program;
}

function generalHelp(): string {
  const width = Math.max(...Object.keys(ENVIRONMENT_VARIABLES).map((name) => name.length));
  const variables = Object.entries(ENVIRONMENT_VARIABLES)
    .map(([name, meaning]) => `  ${name.padEnd(width)}  ${meaning}`)
    .join("\n");
  return `
Configuration, highest precedence first: flags, --local, environment variables, --stack outputs.
The AWS region, credentials and endpoints come from the standard AWS environment
(AWS_REGION, AWS_PROFILE, AWS_ACCESS_KEY_ID, AWS_ENDPOINT_URL_DYNAMODB, ...).

Environment variables:
${variables}

A <jobId> may be the start of an id, when one job submitted in the last ${PREFIX_WINDOW_DAYS} days has an id
starting with it (an older job needs its whole id).
Exit codes: 0 ok (watch: the job succeeded); 1 error (AWS, unknown or ambiguous job id, a refused
transition or submission); 2 usage (flags, time window, missing configuration); watch and submit --watch:
3 the job ended without success, 4 --timeout passed while it was still active.
Run \`${COMMAND} <command> --help\` for a command's options and exit codes (in the repository:
npm run jobs -- <command> --help).`;
}

/** The CLI's version: package.json's, read where the CLI runs from (a repository or an installed package). */
function packageVersion(): string {
  const text = readFileSync(join(PROJECT_ROOT, "package.json"), "utf8");
  return z.object({ version: z.string().min(1) }).parse(JSON.parse(text)).version;
}

function outputFormat(value: string): "wide" {
  if (value !== "wide") throw new InvalidArgumentError('the one format is "wide" (machine output: --json)');
  return value;
}

/** The process's own io: what bin.js uses. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}

/** Runs the process's command line and exits with its code (after output is flushed). */
export async function main(): Promise<void> {
  // `jobs list | head`: the reader went away; that is not an error of ours.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(process.exitCode ?? EXIT_OK);
      throw error;
    });
  }
  // The SDK warns on every run under Node 20 that its releases after January 2027 need Node 22: news for
  // the project's maintainers (package.json engines), not for someone reading a job's history.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  let code: number;
  try {
    code = await runCli(process.argv.slice(2), processIo());
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).stack ?? String(error)}\n`);
    code = EXIT_ERROR;
  }
  process.exitCode = code;
}
