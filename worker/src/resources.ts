// What the attempt cost, for sizing tasks from history: peak memory and CPU time of the whole process tree
// (this process and the ffprobe/ffmpeg it runs), read from Linux's /proc — the image's OS, and Fargate's.
// Memory: the tree's summed resident set sampled every `intervalMs`, and never below any one process's own
// high-water mark (VmHWM), so a spike of ffmpeg between two samples still counts (process-readings.ts, the
// measure local mode's ECS stand-in also enforces a task's memory with). CPU: this process's
// time, plus what the kernel has added for children already reaped (cutime, cstime), plus the time of
// children still running. Elsewhere (no /proc) both are null: a Node-only figure would mislead.

import { readProcess, treeMemoryKb } from "./process-readings";

export interface ResourceUsage {
  /** MiB, one decimal; null when not measurable here. */
  readonly peakMemoryMb: number | null;
  /** Seconds of user + system time, two decimals; null when not measurable here. */
  readonly cpuSeconds: number | null;
}

export interface ResourceMeter {
  /** Usage so far (takes a last sample first). */
  usage(): ResourceUsage;
  stop(): void;
}

export interface MeterOptions {
  /** The child processes running now (exec.ts keeps the list). */
  readonly children: () => Iterable<number>;
  readonly intervalMs?: number;
  /** /proc, for tests. */
  readonly procRoot?: string;
}

/** Linux's USER_HZ, the unit of /proc's CPU times: 100 on every architecture Fargate offers. */
const CLOCK_TICKS_PER_SECOND = 100;

export function startResourceMeter(options: MeterOptions): ResourceMeter {
  const proc = options.procRoot ?? "/proc";
  if (readProcess(proc, "self") === undefined) {
    return { usage: () => ({ peakMemoryMb: null, cpuSeconds: null }), stop: () => undefined };
  }
  let peakKb = 0;
  const sample = (): void => {
    peakKb = Math.max(peakKb, treeMemoryKb(proc, ["self", ...options.children()]));
  };
  sample();
  const timer = setInterval(sample, options.intervalMs ?? 250);
  timer.unref();
  return {
    usage() {
      sample();
      const self = readProcess(proc, "self");
      const running = [...options.children()]
        .map((pid) => readProcess(proc, String(pid))?.cpuTicks ?? 0)
        .reduce((sum, ticks) => sum + ticks, 0);
      const ticks = (self?.reapedChildrenTicks ?? 0) + running;
      const own = process.cpuUsage();
      const cpuSeconds = (own.user + own.system) / 1e6 + ticks / CLOCK_TICKS_PER_SECOND;
      return {
        peakMemoryMb: Math.round((peakKb / 1024) * 10) / 10,
        cpuSeconds: Math.round(cpuSeconds * 100) / 100,
      };
    },
    stop: () => clearInterval(timer),
  };
}
