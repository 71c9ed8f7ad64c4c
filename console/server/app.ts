// The console's HTTP server (node:http; a handful of routes needs no framework): the page's shell, its
// script and style, and the JSON API of api.ts. Every request passes security.ts first; every answer has
// its security headers. An error reaching the stack or local mode is answered 503 with the CLI's own
// explanation and fix, which the page shows in full.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { UsageError } from "../../cli/errors";
import { InvalidTransitionError, JobNotFoundError } from "../../jobs/model";
import { AmbiguousJobIdError } from "../../jobs/store";
import { cancel, listJobs, NotFound, Refused, readJob, readLogs, readOutput, readStats, retry } from "./api";
import type { Assets } from "./assets";
import type { Connector } from "./connection";
import {
  acceptedHosts,
  admit,
  SECURITY_HEADERS,
  type Secrets,
  sameOriginWrite,
  sessionCookie,
} from "./security";

export interface ConsoleServer {
  readonly server: Server;
  readonly port: number;
  /** The URL to open, secret included. */
  readonly url: string;
  close(): Promise<void>;
}

export interface ServeOptions {
  readonly host: string;
  readonly port: number;
  readonly connector: Connector;
  readonly assets: Assets;
  readonly secrets: Secrets;
}

const LIMIT = z.coerce.number().int().min(1).max(500).default(50);

export async function serve(options: ServeOptions): Promise<ConsoleServer> {
  const { connector, assets, secrets } = options;
  let port = 0;
  let hosts: string[] = [];
  let origin = "";
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent)
        sendJson(response, 500, { error: `console error: ${(error as Error).message}` });
      else response.destroy();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
    const verdict = admit(request, secrets, port, hosts);
    if (!verdict.ok) return sendRefusal(response, verdict.status, verdict.reason);
    const url = new URL(request.url ?? "/", origin);
    if (verdict.viaUrl) {
      // The secret moves from the URL to a cookie, and the URL is cleaned (nothing left in history to copy).
      response.setHeader("set-cookie", sessionCookie(port, secrets.token));
      url.searchParams.delete("token");
      response.writeHead(303, { location: `${url.pathname}${url.search}` });
      return void response.end();
    }
    const method = request.method ?? "GET";
    if (method === "GET" && url.pathname === "/") return sendShell(response);
    if (method === "GET" && url.pathname === "/assets/console.js")
      return sendBytes(response, assets.script, "text/javascript; charset=utf-8");
    if (method === "GET" && url.pathname === "/assets/console.css")
      return sendBytes(response, assets.style, "text/css; charset=utf-8");
    if (!url.pathname.startsWith("/api/"))
      return sendJson(response, 404, { error: `no page ${url.pathname}` });
    if (method !== "GET" && method !== "POST")
      return sendJson(response, 405, { error: `${method} is not answered` });
    if (method === "POST") {
      // The page's own origin is the host it was opened at (admitted above): one of several when the
      // console listens on every address.
      const refused = sameOriginWrite(
        request,
        secrets,
        `http://${(request.headers.host ?? "").toLowerCase()}`,
      );
      if (refused !== undefined) return sendJson(response, 403, { error: refused });
    }
    try {
      await route(method, url, response);
    } catch (error) {
      sendError(response, error);
    }
  }

  async function route(method: string, url: URL, response: ServerResponse): Promise<void> {
    const parts = url.pathname.split("/").slice(2).map(decodePart);
    const q = url.searchParams;
    if (method === "GET" && parts[0] === "health") {
      const c = await connector.connection();
      // Reads the table once: reachable or not, said before anything else.
      await c.aws.store().get("console-health-check");
      return sendJson(response, 200, { source: connector.describe(), table: c.config.table?.value ?? null });
    }
    if (method === "GET" && parts[0] === "jobs" && parts.length === 1) {
      const c = await connector.connection();
      const status = q.getAll("status").filter((s) => s !== "");
      const answer = await listJobs(c, {
        limit: LIMIT.parse(q.get("limit") ?? undefined),
        ...(status.length > 0 ? { status } : {}),
        ...optional("since", q.get("since")),
        ...optional("input", q.get("input")),
        ...optional("idPrefix", q.get("id")),
        ...optional("cursor", q.get("cursor")),
      });
      return sendJson(response, 200, { ...answer, source: connector.describe() });
    }
    const jobId = parts[1];
    if (parts[0] === "jobs" && jobId !== undefined && jobId !== "") {
      const c = await connector.connection();
      if (method === "GET" && parts.length === 2) return sendJson(response, 200, await readJob(c, jobId));
      if (method === "GET" && parts[2] === "logs") {
        const attempt = q.get("attempt");
        const from = z.coerce
          .number()
          .int()
          .min(0)
          .default(0)
          .parse(q.get("from") ?? undefined);
        const n = attempt === null ? undefined : z.coerce.number().int().min(1).parse(attempt);
        return sendJson(response, 200, await readLogs(c, jobId, n, from));
      }
      if (method === "GET" && parts[2] === "outputs" && parts.length > 3) {
        const name = parts.slice(3).join("/");
        const output = await readOutput(c, jobId, name);
        const download = q.get("download") === "1";
        const file = name.split("/").at(-1) ?? "output";
        response.writeHead(200, {
          "content-type": output.contentType,
          // An output is data, never a page of this origin.
          "content-security-policy": "default-src 'none'; sandbox",
          ...(output.length === undefined ? {} : { "content-length": String(output.length) }),
          ...(download || output.contentType === "application/octet-stream"
            ? { "content-disposition": `attachment; filename="${file.replace(/[^\w.-]/g, "_")}"` }
            : {}),
        });
        for await (const chunk of output.body) response.write(chunk);
        return void response.end();
      }
      if (method === "POST" && parts[2] === "retry") {
        const body = z.object({ force: z.boolean().default(false) }).parse(await readBody(url, response.req));
        return sendJson(response, 200, await retry(c, jobId, body.force));
      }
      if (method === "POST" && parts[2] === "cancel") return sendJson(response, 200, await cancel(c, jobId));
    }
    if (method === "GET" && parts[0] === "stats") {
      const c = await connector.connection();
      const limit = z.coerce
        .number()
        .int()
        .min(1)
        .max(5000)
        .default(1000)
        .parse(q.get("limit") ?? undefined);
      return sendJson(response, 200, await readStats(c, q.get("since") || "24h", limit));
    }
    sendJson(response, 404, { error: `no API ${method} ${url.pathname}` });
  }

  function sendError(response: ServerResponse, error: unknown): void {
    if (error instanceof NotFound || error instanceof JobNotFoundError) {
      const explained = connector.explain(error);
      sendJson(response, 404, {
        error: explained.message,
        ...(explained.hint ? { hint: explained.hint } : {}),
      });
    } else if (
      error instanceof Refused ||
      error instanceof InvalidTransitionError ||
      error instanceof AmbiguousJobIdError
    ) {
      sendJson(response, 409, { error: error.message });
    } else if (error instanceof z.ZodError || error instanceof UsageError) {
      sendJson(response, 400, {
        error: error instanceof UsageError ? error.message : z.prettifyError(error),
      });
    } else {
      // Anything else is the stack or local mode not answering (or answering an error): said as the CLI says it.
      connector.reset();
      const explained = connector.explain(error);
      sendJson(response, 503, {
        error: explained.message,
        ...(explained.hint ? { hint: explained.hint } : {}),
        unreachable: true,
        source: connector.describe(),
      });
    }
  }

  function sendShell(response: ServerResponse): void {
    const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="console-csrf" content="${secrets.csrf}">
<meta name="console-source" content="${escapeHtml(connector.describe())}">
<title>Video jobs console</title>
<link rel="stylesheet" href="/assets/console.css">
<script defer src="/assets/console.js"></script>
</head>
<body><noscript>The job console needs JavaScript.</noscript><div id="app"></div></body>
</html>
`;
    sendBytes(response, Buffer.from(html), "text/html; charset=utf-8");
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const shown = options.host.includes(":") ? `[${options.host}]` : options.host;
  hosts = acceptedHosts(options.host, port);
  origin = `http://${shown}:${port}`;
  return {
    server,
    port,
    url: `${origin}/?token=${secrets.token}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A path segment decoded; broken percent-encoding is the request's fault, not the stack's. */
function decodePart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new UsageError(`"${part}" is not valid percent-encoding (a path segment of this request)`);
  }
}

function optional<K extends string>(key: K, value: string | null): Partial<Record<K, string>> {
  return value === null || value.trim() === "" ? {} : ({ [key]: value.trim() } as Record<K, string>);
}

async function readBody(_url: URL, request: IncomingMessage): Promise<unknown> {
  let text = "";
  for await (const chunk of request) {
    text += chunk;
    if (text.length > 10_000) throw new UsageError("request body too large");
  }
  if (text === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError("request body is not JSON");
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  sendBytes(response, Buffer.from(JSON.stringify(body)), "application/json; charset=utf-8", status);
}

function sendBytes(response: ServerResponse, body: Buffer, type: string, status = 200): void {
  response.writeHead(status, { "content-type": type, "content-length": String(body.length) });
  response.end(body);
}

function sendRefusal(response: ServerResponse, status: number, reason: string): void {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Video jobs console: refused</title></head><body><main><h1>Refused</h1><p>${escapeHtml(reason)}</p></main></body></html>`;
  sendBytes(response, Buffer.from(html), "text/html; charset=utf-8", status);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
