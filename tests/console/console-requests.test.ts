// The console's answers to odd requests, without a browser or local mode: a URL whose percent-encoding is
// broken is the request's fault (400 naming it), not the stack being unreachable.

import { mkdtemp, rm } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConsoleServer, serve } from "../../console/server/app";
import { Connector } from "../../console/server/connection";
import { newSecrets, type Secrets } from "../../console/server/security";

let folder: string;
let secrets: Secrets;
let server: ConsoleServer;
let connector: Connector;

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), "console-requests-"));
  secrets = newSecrets();
  connector = new Connector({ local: true }, { JOBS_LOCAL_ENDPOINTS: path.join(folder, "endpoints.json") });
  server = await serve({
    host: "127.0.0.1",
    port: 0,
    connector,
    assets: { script: Buffer.from(""), style: Buffer.from("") },
    secrets,
  });
});

afterAll(async () => {
  await server?.close();
  connector?.close();
  if (folder) await rm(folder, { recursive: true, force: true });
});

function get(pathAndQuery: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: "127.0.0.1",
        port: server.port,
        path: pathAndQuery,
        headers: { cookie: `video_jobs_console_${server.port}=${secrets.token}` },
      },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          body += chunk;
        });
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    request.on("error", reject);
    request.end();
  });
}

describe("the console's requests", () => {
  it("answers a path with broken percent-encoding 400, naming it, not 503 'unreachable'", async () => {
    for (const bad of ["/api/jobs/%E0%A4%A", "/api/jobs/abc/outputs/%zz.png", "/api/jobs/%"]) {
      const answer = await get(bad);
      expect(answer.status, bad).toBe(400);
      const body = JSON.parse(answer.body) as { error: string; unreachable?: boolean };
      expect(body.unreachable).toBeUndefined();
      expect(body.error).toContain("percent-encoding");
    }
  });
});
