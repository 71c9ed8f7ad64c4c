// A task's memory limit, enforced on a worker run as a child process the way ECS enforces it on a container:
// the worker's whole process tree (ffmpeg included) is sampled every 250 ms with the measure the worker
// itself reports as its peak (worker/src/process-readings.ts), and a tree over the limit is killed at once
// (SIGKILL to its process group, then to any descendant that left the group), which is what the kernel's
// out-of-memory killer does to a container; the ECS stand-in reports it as ECS does (exit 137,
// OutOfMemoryError). Linux only (/proc): elsewhere the limit is not enforced, and says so once.

import { existsSync } from "node:fs";
import { processTree, treeMemoryKb } from "../../worker/src/process-readings";
import { sigkill } from "./kill-processes";

/** How often the tree is read: often enough to catch a worker's climb, cheap enough on a busy machine. */
export const MEMORY_SAMPLE_INTERVAL_MS = 250;

export interface MemoryLimitOptions {
  /** The worker's pid: the root of the tree, and its process group (it is started detached). */
  readonly pid: number;
  readonly limitMib: number;
  /** Called once, after the tree was killed, with the memory it was found using. */
  readonly onExceeded: (usedMib: number) => void;
  readonly intervalMs?: number;
  /** /proc, for tests. */
  readonly procRoot?: string;
}

export interface MemoryWatch {
  stop(): void;
}

let warnedUnenforceable = false;

export function watchMemory(options: MemoryLimitOptions): MemoryWatch {
  const proc = options.procRoot ?? "/proc";
  if (!existsSync(`${proc}/self/status`)) {
    if (!warnedUnenforceable) {
      warnedUnenforceable = true;
      console.warn(`local ECS: no ${proc} here, so task memory limits are not enforced`);
    }
    return { stop: () => undefined };
  }
  const limitKb = options.limitMib * 1024;
  const sample = (): void => {
    const tree = processTree(proc, options.pid);
    if (tree.length === 0) return; // ended; the launcher sees its exit
    const usedKb = treeMemoryKb(proc, tree);
    if (usedKb <= limitKb) return;
    clearInterval(timer);
    sigkill(-options.pid, ...tree); // the group, and any descendant that left it
    options.onExceeded(Math.round(usedKb / 1024));
  };
  const timer = setInterval(sample, options.intervalMs ?? MEMORY_SAMPLE_INTERVAL_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
