// The console's answers to odd requests, without a browser or local mode: a URL whose percent-encoding is
// broken is the request's fault (400 naming it), not the stack being unreachable; a console listening on
// every address (--host 0.0.0.0) answers to this machine's addresses, as its help promises, and still to
// no other host name (a DNS-rebinding page's); a port already taken is said so, without a stack trace.

import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { networkInterfaces, tmpdir } from "node:os";
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

function get(
  pathAndQuery: string,
  target: { server?: ConsoleServer; host?: string } = {},
): Promise<{ status: number; body: string }> {
  const to = target.server ?? server;
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: "127.0.0.1",
        port: to.port,
        path: pathAndQuery,
        headers: {
          cookie: `video_jobs_console_${to.port}=${secrets.token}`,
          ...(target.host === undefined ? {} : { host: target.host }),
        },
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

describe("a console listening on every address (--host 0.0.0.0)", () => {
  const own = Object.values(networkInterfaces())
    .flat()
    // Loopback's too (always there): "127.0.0.1" was no more accepted than the others.
    .filter((address) => address !== undefined && address.family === "IPv4")
    .map((address) => address?.address ?? "");

  it("answers to this machine's own addresses, and still refuses any other host name", async () => {
    expect(own).toContain("127.0.0.1");
    const everywhere = await serve({
      host: "0.0.0.0",
      port: 0,
      connector,
      assets: { script: Buffer.from(""), style: Buffer.from("") },
      secrets,
    });
    try {
      for (const address of own) {
        const answer = await get("/assets/console.css", {
          server: everywhere,
          host: `${address}:${everywhere.port}`,
        });
        expect(answer.status, address).toBe(200);
      }
      // A write from the page opened at one of those addresses passes the same-origin check.
      const [first] = own;
      const write = await new Promise<number>((resolve, reject) => {
        const request = httpRequest(
          {
            host: "127.0.0.1",
            port: everywhere.port,
            method: "POST",
            path: "/api/jobs/some-job/cancel",
            headers: {
              host: `${first}:${everywhere.port}`,
              origin: `http://${first}:${everywhere.port}`,
              "sec-fetch-site": "same-origin",
              "x-console-csrf": secrets.csrf,
              cookie: `video_jobs_console_${everywhere.port}=${secrets.token}`,
            },
          },
          (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
          },
        );
        request.on("error", reject);
        request.end();
      });
      expect(write).not.toBe(403);
      const rebound = await get("/assets/console.css", {
        server: everywhere,
        host: `attacker.example:${everywhere.port}`,
      });
      expect(rebound.status).toBe(400);
    } finally {
      await everywhere.close();
    }
  });
});

describe("npm run console with its port taken", () => {
  it("says the port is in use and what to do, without a stack trace", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const run = spawnSync(
        process.execPath,
        [
          "--import",
          "tsx",
          path.join(__dirname, "..", "..", "console", "server", "main.ts"),
          "--local",
          "--port",
          String(port),
        ],
        {
          encoding: "utf8",
          timeout: 60_000,
          env: { ...process.env, JOBS_LOCAL_ENDPOINTS: path.join(folder, "endpoints.json") },
        },
      );
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`port ${port} is in use`);
      expect(run.stderr).toContain("--port");
      expect(run.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  }, 90_000);
});
