// Runs the worker as ECS would: the esbuild bundle (the file the image ships) under plain node, in a
// child process with an explicit environment, collecting its JSON log lines and exit status.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import { bundleWorker } from "../../worker/build";

const REPO = path.join(__dirname, "..", "..");

export interface Bundle {
  readonly file: string;
  remove(): Promise<void>;
}

/** Bundles the worker into dist/ (inside the repository, so the npm-packaged ffmpeg still resolves). */
export async function buildBundle(): Promise<Bundle> {
  await mkdir(path.join(REPO, "dist"), { recursive: true });
  const dir = await mkdtemp(path.join(REPO, "dist", "worker-test-"));
  const file = await bundleWorker(path.join(dir, "main.js"));
  return { file, remove: () => rm(dir, { recursive: true, force: true }) };
}

export type LogLine = Record<string, unknown> & { msg: string; level: string };

export interface WorkerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly logs: readonly LogLine[];
  readonly stderr: string;
  readonly durationMs: number;
}

export interface RunningWorker {
  readonly child: ChildProcess;
  readonly exited: Promise<WorkerExit>;
  /** Resolves with the first log line matching `predicate`. */
  waitForLog(predicate: (line: LogLine) => boolean): Promise<LogLine>;
}

export interface WorkerOptions {
  /** The whole environment of the worker: nothing is inherited, so no developer's AWS settings leak in. */
  readonly env: Record<string, string>;
  readonly args?: readonly string[];
  /** Working directory; the test's when absent. */
  readonly cwd?: string;
}

/**
 * PATH for the worker: "system" keeps the test's PATH (system ffmpeg first), "package" hides every
 * ffmpeg on PATH so the worker must fall back to the npm-packaged build.
 */
export function pathFor(variant: "system" | "package"): string {
  return variant === "system" ? (process.env.PATH ?? "") : "";
}

export function startWorker(bundle: Bundle, options: WorkerOptions): RunningWorker {
  const started = performance.now();
  const child = spawn(process.execPath, [bundle.file, ...(options.args ?? [])], {
    env: { AWS_EC2_METADATA_DISABLED: "true", ...options.env },
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: LogLine[] = [];
  const waiters: Array<{ predicate: (line: LogLine) => boolean; resolve: (line: LogLine) => void }> = [];
  let stdoutRest = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8");
  child.stdout?.on("data", (chunk: string) => {
    const lines = (stdoutRest + chunk).split("\n");
    stdoutRest = lines.pop() ?? "";
    for (const text of lines) {
      if (text.trim() === "") continue;
      const line = JSON.parse(text) as LogLine; // every stdout line must be JSON: a test failure otherwise
      logs.push(line);
      for (const waiter of waiters.filter((w) => w.predicate(line))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<WorkerExit>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) =>
      resolve({ code, signal, logs, stderr, durationMs: performance.now() - started }),
    );
  });
  return {
    child,
    exited,
    waitForLog(predicate) {
      const seen = logs.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
  };
}

export function runWorker(bundle: Bundle, options: WorkerOptions): Promise<WorkerExit> {
  return startWorker(bundle, options).exited;
}

/** The contract's variables for a job reading s3://videos/<key> and writing s3://results/jobs/<jobId>/. */
export function contractEnv(jobId: string, inputKey: string, attempt = 1): Record<string, string> {
  return {
    JOB_ID: jobId,
    JOB_ATTEMPT: String(attempt),
    INPUT_URL: `s3://videos/${inputKey}`,
    OUTPUT_URL: `s3://results/jobs/${jobId}/`,
  };
}

/** The `exit` log line: the worker's last word. */
export function exitLine(run: WorkerExit): LogLine | undefined {
  return run.logs.find((line) => line.msg === "exit");
}
