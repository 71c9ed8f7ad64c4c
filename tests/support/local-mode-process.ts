// `npm run local -- ARGS` as a user runs it, in a process group of its own, its output collected: the
// crash-recovery and webhook-delivery tests kill it at the worst moment and start it again.

import { type ChildProcess, spawn } from "node:child_process";
import { PROJECT_ROOT } from "../../config/local-endpoints";

/** `npm run local -- ARGS` in its own process group, its output collected; registered in `started`. */
export class LocalMode {
  private output = "";
  private readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(args: readonly string[], started: LocalMode[]) {
    this.child = spawn("npm", ["run", "--silent", "local", "--", ...args], {
      cwd: PROJECT_ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1" },
    });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      stream?.on("data", (chunk: Buffer) => {
        this.output += chunk.toString();
      });
    }
    this.exited = new Promise((resolve) =>
      this.child.once("exit", (code, signal) => resolve({ code, signal })),
    );
    started.push(this);
  }

  get text(): string {
    return this.output;
  }

  /** Waits until the output matches `pattern`; returns the match. */
  async waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.output.match(pattern);
      if (match) return match;
      if (this.child.exitCode !== null || this.child.signalCode !== null)
        throw new Error(`local mode exited before ${pattern}:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Sends `signal` to the whole process group (npm, node), as a terminal or a crash would. */
  async kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null && this.child.pid !== undefined) {
      try {
        process.kill(-this.child.pid, signal);
      } catch {
        // The group is gone already.
      }
    }
    return this.exited;
  }
  /** The job this run printed events of, and how many events its history has (its last `#N`). */
  job(): { jobId: string; events: number } {
    const lines = [...this.output.matchAll(/ {2}(s3-[0-9a-f]+) {2}#(\d+) /g)];
    const jobId = lines[0]?.[1];
    if (jobId === undefined) throw new Error(`no job events printed:\n${this.output}`);
    const events = Math.max(...lines.filter((l) => l[1] === jobId).map((l) => Number(l[2])));
    return { jobId, events };
  }
}
