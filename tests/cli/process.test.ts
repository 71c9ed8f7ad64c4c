// The `video-jobs` command as a process (cli/bin.js, as package.json's "bin" and `npm run jobs` run it): exit
// codes, output streams, and the AWS SDK's own credential chain failing with nothing configured.

import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../config/local-endpoints";
import { type LocalDynamoDb, startLocalDynamoDb } from "../support/dynamodb";

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** An environment with nothing of the developer's: no AWS variables, an empty home (no ~/.aws). */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: mkdtempSync(join(tmpdir(), "jobs-home-")),
    // Never ask the EC2 instance metadata service for credentials: no traffic off this machine.
    AWS_EC2_METADATA_DISABLED: "true",
    ...extra,
  };
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, [...args], { cwd: PROJECT_ROOT, env, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

const jobsBin = (args: readonly string[], env: NodeJS.ProcessEnv) =>
  run(process.execPath, [join(PROJECT_ROOT, "cli", "bin.js"), ...args], env);

let db: LocalDynamoDb;
let table: string;
beforeAll(async () => {
  db = await startLocalDynamoDb();
  table = await db.createTable("process");
});
afterAll(async () => {
  await db?.stop();
});

describe("the video-jobs command", () => {
  it("is the package's bin: an executable node script", () => {
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as {
      bin: Record<string, string>;
      scripts: Record<string, string>;
      dependencies: Record<string, string>;
    };
    expect(pkg.bin).toEqual({ "video-jobs": "cli/bin.js" });
    expect(pkg.scripts.jobs).toBe("node cli/bin.js");
    expect(pkg.dependencies.tsx).toBeDefined(); // the bin needs it where devDependencies are not installed
    const bin = join(PROJECT_ROOT, "cli", "bin.js");
    expect(readFileSync(bin, "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
    expect(statSync(bin).mode & 0o111).not.toBe(0);
  });

  it("prints help on stdout and exits 0, also as `npm run jobs -- list --help`", async () => {
    const [help, npm] = await Promise.all([
      jobsBin(["--help"], cleanEnv()),
      run("npm", ["run", "--silent", "jobs", "--", "list", "--help"], cleanEnv()),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: video-jobs [options] [command]");
    expect(help.stdout).toMatch(/list \[options\]\s+jobs newest first/);
    expect(npm.code).toBe(0);
    expect(npm.stdout).toContain("Usage: video-jobs list [options]");
    expect(npm.stdout).toContain("without --status the default is");
    expect(npm.stdout).toContain("Exit codes: 0 ok; 1 error");
  });

  it("exits 2 on a usage error, 1 without credentials and on an unknown job; errors on stderr only", async () => {
    const local = {
      AWS_REGION: "us-east-1",
      AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
      JOBS_TABLE: table,
    };
    const [usage, noCredentials, unknown] = await Promise.all([
      jobsBin(["list"], cleanEnv()),
      jobsBin(["list"], cleanEnv(local)),
      jobsBin(
        ["show", "missing-job"],
        cleanEnv({ ...local, AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" }),
      ),
    ]);
    expect(usage).toEqual({
      code: 2,
      stdout: "",
      stderr:
        "error: no jobs table configured\n" +
        "  fix: pass --table NAME, set JOBS_TABLE, or use --stack NAME (reads the Pulumi stack's outputs) or --local (local mode)\n",
    });
    expect(noCredentials.code).toBe(1);
    expect(noCredentials.stdout).toBe("");
    expect(noCredentials.stderr).toContain("error: no AWS credentials found");
    expect(noCredentials.stderr).toContain("fix: set AWS_PROFILE");
    expect(unknown).toEqual({
      code: 1,
      stdout: "",
      stderr:
        `error: no job with id "missing-job" in table "${table}", nor one submitted in the last 30 days whose id starts with it\n` +
        "  fix: list recent jobs with `video-jobs list` (or `video-jobs list --since 7d`); an older job needs its whole id; check --table / JOBS_TABLE\n",
    });
  });

  it("prints --version, and hints as `npm run jobs --` with the flags given when run through npm", async () => {
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string };
    const version = await jobsBin(["--version"], cleanEnv());
    expect(version).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
    const npm = await run(
      "npm",
      ["run", "--silent", "jobs", "--", "--table", table, "show", "missing-job"],
      cleanEnv({
        AWS_REGION: "us-east-1",
        AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
      }),
    );
    expect(npm.code).toBe(1);
    expect(npm.stderr).toContain(
      `fix: list recent jobs with \`npm run jobs -- --table ${table} list\` (or \`npm run jobs -- --table ${table} list --since 7d\`)`,
    );
  });
});
