// Runs a Pulumi program the way `pulumi preview` / `pulumi up` do, minus the engine: the same node
// command line the Node.js language host builds (`@pulumi/pulumi/cmd/run` with --monitor, --project,
// --stack, --pwd, [--dry-run], ... and the entry point "."), the same environment (PULUMI_CONFIG with
// the stack's config and the project's defaults, PULUMI_NODEJS_TYPESCRIPT=true from the runtime's
// `typescript` option), so cmd/run registers the vendored ts-node with the project's typescript and
// tsconfig exactly as it does for real. Only the resource monitor is replaced, by mocks preloaded with
// `node -r` (a node argument Pulumi's `nodeargs` runtime option also passes).

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { build } from "esbuild";
import type { RecordedRun } from "./pulumi-mocks";

export interface ProgramRun {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
  /** What the program registered, when it got as far as exiting normally. */
  readonly record: (RecordedRun & { stackOutputs: Record<string, unknown> }) | undefined;
}

export interface ProgramRunOptions {
  /** Directory of Pulumi.yaml, package.json and node_modules. */
  readonly projectDir: string;
  readonly project: string;
  readonly stack: string;
  /** `pulumi preview` (true) or `pulumi up` (false). */
  readonly preview: boolean;
  /** Config as the CLI hands it over: fully qualified keys to string values. */
  readonly config: Record<string, string>;
  /**
   * ts-node's compile cache. Default: a new, empty one, as on a fresh machine, so every file is
   * type-checked. Runs of the same sources may share one: its entries are keyed by file content and
   * compiler options, so a later run skips only checks an earlier run of the same code passed.
   */
  readonly tsNodeCacheDir?: string;
  readonly timeoutMs?: number;
}

let preloadDir: string | undefined;
let preload: Promise<string> | undefined;

/** The mocks preload, compiled once per test process. */
function preloadScript(): Promise<string> {
  preload ??= (async () => {
    preloadDir = mkdtempSync(path.join(tmpdir(), "pulumi-host-"));
    const outfile = path.join(preloadDir, "preload.cjs");
    await build({
      entryPoints: [path.join(__dirname, "loader-preload.ts")],
      bundle: true,
      platform: "node",
      format: "cjs",
      target: "node20",
      outfile,
      logLevel: "silent",
    });
    return outfile;
  })();
  return preload;
}

/** Removes the compiled preload (call once the runs are done). */
export function disposePulumiHost(): void {
  if (preloadDir !== undefined) rmSync(preloadDir, { recursive: true, force: true });
  preloadDir = undefined;
  preload = undefined;
}

export async function runLikePulumi(options: ProgramRunOptions): Promise<ProgramRun> {
  const scratch = mkdtempSync(path.join(tmpdir(), `pulumi-run-${options.stack}-`));
  const recordFile = path.join(scratch, "record.json");
  // The language host resolves cmd/run from the program directory (locateModule).
  const runPath = createRequire(path.join(options.projectDir, "package.json")).resolve(
    "@pulumi/pulumi/cmd/run",
  );
  const args = [
    "-r",
    await preloadScript(),
    runPath,
    ...[
      "--monitor",
      "mock",
      "--project",
      options.project,
      "--stack",
      options.stack,
      "--pwd",
      options.projectDir,
    ],
    ...(options.preview ? ["--dry-run"] : []),
    ...["--query-mode", "false", "--parallel", "4", "."],
  ];
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    PULUMI_CONFIG: JSON.stringify(hostConfig(options.config)),
    PULUMI_CONFIG_SECRET_KEYS: "[]",
    PULUMI_NODEJS_TYPESCRIPT: "true",
    TS_NODE_CACHE_DIRECTORY: options.tsNodeCacheDir ?? path.join(scratch, "ts-node"),
    LOADER_RECORD_FILE: recordFile,
  };
  const started = Date.now();
  const child = spawn(process.execPath, args, { cwd: options.projectDir, env });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
  const exitCode = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearTimeout(timer);
  let record: ProgramRun["record"];
  try {
    record = JSON.parse(readFileSync(recordFile, "utf8"));
  } catch {
    record = undefined;
  }
  rmSync(scratch, { recursive: true, force: true });
  return { exitCode, stdout, stderr, seconds: (Date.now() - started) / 1000, record };
}

/** The language host hands keys over as `<namespace>:config:<name>` (constructConfig). */
function hostConfig(config: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => {
      const [namespace, name] = key.split(":") as [string, string];
      return [`${namespace}:config:${name}`, value];
    }),
  );
}
