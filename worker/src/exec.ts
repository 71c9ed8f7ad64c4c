// Child processes (ffprobe, ffmpeg) run under the job's AbortSignal: on abort the child gets SIGTERM, and
// SIGKILL if it has not exited after a short grace, so a stopping task never leaves ffmpeg running.
// Stderr is streamed line by line to the caller (ffmpeg's analysis filters report there) and its tail kept
// for error messages; nothing is buffered whole except stdout when asked for (ffprobe's JSON).
// The children running at any time are listed (`runningChildren`), so resources.ts can measure them.

import { spawn } from "node:child_process";

export interface RunOptions {
  readonly signal: AbortSignal;
  /** Called with each stderr line (split on \n and \r), without the line break. */
  readonly onStderrLine?: (line: string) => void;
  /** Collect stdout into the result (for ffprobe's JSON); otherwise it is discarded. */
  readonly collectStdout?: boolean;
  /** How long a child has to exit after SIGTERM before it is killed. */
  readonly killGraceMs?: number;
  /** How many trailing stderr lines to keep for error messages. */
  readonly stderrTailLines?: number;
}

export interface RunResult {
  /** Exit code, or null when the child died of a signal. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** True when the run was cut short by the AbortSignal. */
  readonly aborted: boolean;
  readonly stdout: string;
  readonly stderrTail: readonly string[];
}

const running = new Set<number>();

/** Process ids of the children started here that have not exited yet. */
export function runningChildren(): ReadonlySet<number> {
  return running;
}

/** Runs `file args`; rejects only when it cannot be started at all (e.g. ENOENT). */
export function run(file: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const { signal, onStderrLine, collectStdout = false, killGraceMs = 1500, stderrTailLines = 40 } = options;
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      resolve({ code: null, signal: null, aborted: true, stdout: "", stderrTail: [] });
      return;
    }
    const child = spawn(file, args, { stdio: ["ignore", collectStdout ? "pipe" : "ignore", "pipe"] });
    const pid = child.pid;
    if (pid !== undefined) {
      running.add(pid);
      child.once("exit", () => running.delete(pid));
    }
    const stdout: Buffer[] = [];
    const tail: string[] = [];
    let partial = "";
    let aborted = false;
    let killTimer: NodeJS.Timeout | undefined;

    const takeLine = (line: string): void => {
      if (line === "") return;
      tail.push(line);
      if (tail.length > stderrTailLines) tail.shift();
      onStderrLine?.(line);
    };
    child.stdout?.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      const lines = (partial + chunk).split(/\r\n|\r|\n/);
      partial = lines.pop() ?? "";
      for (const line of lines) takeLine(line);
    });

    const onAbort = (): void => {
      aborted = true;
      child.kill("SIGTERM");
      killTimer = setTimeout(() => child.kill("SIGKILL"), killGraceMs);
    };
    signal.addEventListener("abort", onAbort, { once: true });

    child.once("error", (error) => {
      signal.removeEventListener("abort", onAbort);
      clearTimeout(killTimer);
      reject(error);
    });
    child.once("close", (code, exitSignal) => {
      signal.removeEventListener("abort", onAbort);
      clearTimeout(killTimer);
      takeLine(partial);
      resolve({
        code,
        signal: exitSignal,
        aborted,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderrTail: tail,
      });
    });
  });
}
