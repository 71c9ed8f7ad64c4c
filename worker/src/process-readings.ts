// Reading processes from Linux's /proc: one process's memory and CPU time, a process tree, and the tree's
// memory as a container's limit sees it. The worker's resource meter (resources.ts) reports the tree's peak
// with it, and local mode's ECS stand-in (local/workers/memory-limit.ts) kills a worker over its task's memory with
// the same measure, so the size a job is recommended and the size it is killed at are read alike.
// Lives in worker/ because the worker imports nothing outside it; local mode may import the worker.

import { existsSync, readdirSync, readFileSync } from "node:fs";

export interface ProcessReading {
  readonly rssKb: number;
  /** The process's own high-water mark of resident memory (VmHWM). */
  readonly hwmKb: number;
  /** This process's own user + system time, in clock ticks. */
  readonly cpuTicks: number;
  /** Time of its children that have exited and been waited for, in clock ticks. */
  readonly reapedChildrenTicks: number;
}

/** A process's memory and CPU time; undefined when it is gone (or /proc is not there). */
export function readProcess(proc: string, pid: string): ProcessReading | undefined {
  try {
    const status = readFileSync(`${proc}/${pid}/status`, "utf8");
    const fields = statFields(readFileSync(`${proc}/${pid}/stat`, "utf8"));
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

/**
 * `root` and every process descended from it: the whole tree, even a descendant that left the root's process
 * group. Read from each process's threads' `children` lists, which cost a few reads per process in the tree;
 * where the kernel offers none (CONFIG_PROC_CHILDREN unset), from the parent pid of every process in /proc.
 * Empty when `root` is gone.
 */
export function processTree(proc: string, root: number): number[] {
  if (!existsSync(`${proc}/${root}/stat`)) return [];
  const fromChildrenLists = existsSync(`${proc}/${root}/task/${root}/children`);
  const children = fromChildrenLists ? (pid: number) => childrenOf(proc, pid) : parentIndex(proc);
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...children(tree[i] ?? -1));
  return tree;
}

/** A process's children, from the `children` list of each of its threads. */
function childrenOf(proc: string, pid: number): number[] {
  const found: number[] = [];
  for (const thread of readdirOrNothing(`${proc}/${pid}/task`)) {
    try {
      const text = readFileSync(`${proc}/${pid}/task/${thread}/children`, "utf8").trim();
      if (text !== "") found.push(...text.split(" ").map(Number));
    } catch {
      // the thread or the process exited meanwhile
    }
  }
  return found;
}

/** Every process's children, found by the parent pid in each /proc/<pid>/stat. */
function parentIndex(proc: string): (pid: number) => number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirOrNothing(proc)) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const parent = Number(statFields(readFileSync(`${proc}/${name}/stat`, "utf8"))[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(name)]);
    } catch {
      // exited meanwhile
    }
  }
  return (pid) => children.get(pid) ?? [];
}

function readdirOrNothing(directory: string): string[] {
  try {
    return readdirSync(directory);
  } catch {
    return [];
  }
}

/**
 * The memory of a set of processes, as a limit on their container sees it: their resident sets summed now,
 * and never below any one process's own high-water mark, so a spike between two samples still counts.
 */
export function treeMemoryKb(proc: string, pids: Iterable<number | "self">): number {
  let treeKb = 0;
  let peakSingleKb = 0;
  for (const pid of pids) {
    const reading = readProcess(proc, String(pid));
    if (reading === undefined) continue; // exited meanwhile
    treeKb += reading.rssKb;
    peakSingleKb = Math.max(peakSingleKb, reading.hwmKb);
  }
  return Math.max(treeKb, peakSingleKb);
}

/** The fields of a stat line after "pid (comm) ": comm may hold spaces and parentheses, so count from the last ")". */
function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** "VmRSS:	  123456 kB"; 0 when absent (a zombie has no memory lines). */
function statusKb(status: string, name: string): number {
  const match = new RegExp(`^${name}:\\s*(\\d+) kB`, "m").exec(status);
  return match ? Number(match[1]) : 0;
}
