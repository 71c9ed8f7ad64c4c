// What the attempt cost, for sizing tasks from history: peak memory and CPU time of the whole process tree
// (this process and the ffprobe/ffmpeg it runs), read from Linux's /proc — the image's OS, and Fargate's.
// Memory: the tree's summed resident set sampled every `intervalMs`, and never below any one process's own
// high-water mark (VmHWM), so a spike of ffmpeg between two samples still counts. CPU: this process's
// time, plus what the kernel has added for children already reaped (cutime, cstime), plus the time of
// children still running. Elsewhere (no /proc) both are null: a Node-only figure would mislead.

import { readFileSync } from "node:fs";

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
  let peakTreeKb = 0;
  let peakSingleKb = 0;
  const sample = (): void => {
    let treeKb = 0;
    for (const pid of ["self", ...[...options.children()].map(String)]) {
      const reading = readProcess(proc, pid);
      if (reading === undefined) continue; // exited meanwhile: its time is in cutime/cstime now
      treeKb += reading.rssKb;
      peakSingleKb = Math.max(peakSingleKb, reading.hwmKb);
    }
    peakTreeKb = Math.max(peakTreeKb, treeKb);
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
        peakMemoryMb: Math.round((Math.max(peakTreeKb, peakSingleKb) / 1024) * 10) / 10,
        cpuSeconds: Math.round(cpuSeconds * 100) / 100,
      };
    },
    stop: () => clearInterval(timer),
  };
}

interface ProcessReading {
  readonly rssKb: number;
  readonly hwmKb: number;
  /** This process's own user + system time, in clock ticks. */
  readonly cpuTicks: number;
  /** Time of its children that have exited and been waited for, in clock ticks. */
  readonly reapedChildrenTicks: number;
}

function readProcess(proc: string, pid: string): ProcessReading | undefined {
  try {
    const status = readFileSync(`${proc}/${pid}/status`, "utf8");
    const stat = readFileSync(`${proc}/${pid}/stat`, "utf8");
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so count from the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const field = (n: number): number => Number(fields[n - 3] ?? Number.NaN);
    const reading = {
      rssKb: statusKb(status, "VmRSS"),
      hwmKb: statusKb(status, "VmHWM"),
      cpuTicks: field(14) + field(15),
      reapedChildrenTicks: field(16) + field(17),
    };
    return Object.values(reading).every(Number.isFinite) ? reading : undefined;
  } catch {
    return undefined;
  }
}

/** "VmRSS:	  123456 kB"; 0 when absent (a zombie has no memory lines). */
function statusKb(status: string, name: string): number {
  const match = new RegExp(`^${name}:\\s*(\\d+) kB`, "m").exec(status);
  return match ? Number(match[1]) : 0;
}
