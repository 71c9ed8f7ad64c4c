// A task's memory limit on a local worker: the whole process tree counts (a descendant that left the
// worker's process group too, as ffmpeg's memory counts in a container), and the tree over the limit is
// killed, every member (a tree under its limit running to the end is in task-limits.test.ts); the tree is
// found with or without the kernel's per-thread children lists.

import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { watchMemory } from "../../local/workers/memory-limit";
import { processTree } from "../../worker/src/process-readings";
import { alive } from "../support/local-mode";
import { waitFor } from "../support/wait-for";

/**
 * A worker in a process group of its own that starts a grandchild in yet another group (detached): the
 * grandchild holds `grandchildMib` MiB, the worker little. Resolves once both run, with their pids.
 */
async function workerWithDetachedGrandchild(grandchildMib: number) {
  const grandchild = `const b = Buffer.alloc(${grandchildMib} * 1024 * 1024, 1); console.log(process.pid); setInterval(() => b.length, 1000);`;
  const worker = `
    const { spawn } = require("node:child_process");
    const child = spawn(process.execPath, ["-e", ${JSON.stringify(grandchild)}], { detached: true, stdio: ["ignore", "pipe", "ignore"] });
    child.stdout.once("data", (pid) => console.log(String(pid).trim()));
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ["-e", worker], {
    detached: true,
    stdio: ["ignore", "pipe", "ignore"],
  });
  const grandchildPid = await new Promise<number>((resolve) =>
    child.stdout.once("data", (data: Buffer) => resolve(Number(String(data).trim()))),
  );
  return { pid: child.pid ?? 0, grandchildPid, exited: new Promise((r) => child.once("exit", r)) };
}

describe.runIf(process.platform === "linux")("task memory limit", () => {
  it("counts and kills the whole tree, a grandchild outside the worker's process group included", async () => {
    const tree = await workerWithDetachedGrandchild(300);
    try {
      expect(processTree("/proc", tree.pid)).toEqual(expect.arrayContaining([tree.pid, tree.grandchildPid]));
      let usedMib: number | undefined;
      const watch = watchMemory({ pid: tree.pid, limitMib: 200, onExceeded: (used) => (usedMib = used) });
      await tree.exited;
      watch.stop();
      expect(usedMib).toBeGreaterThan(300);
      await waitFor(() => !alive(tree.grandchildPid), "the grandchild to be killed with the worker");
    } finally {
      for (const pid of [tree.pid, tree.grandchildPid]) if (alive(pid)) process.kill(pid, "SIGKILL");
    }
  });
});

it("finds the tree by parent pids where the kernel keeps no children lists", async () => {
  // A /proc of stat files alone: 10 -> 11 -> 13, 12 is another tree's, "self" and non-pids are skipped.
  const proc = await mkdtemp(path.join(tmpdir(), "fake-proc-"));
  try {
    const processes: Array<[pid: number, parent: number]> = [
      [10, 1],
      [11, 10],
      [12, 1],
      [13, 11],
    ];
    for (const [pid, parent] of processes) {
      await mkdir(path.join(proc, String(pid)));
      await writeFile(path.join(proc, String(pid), "stat"), `${pid} (a (b) c) S ${parent} ${pid} 0`);
    }
    await mkdir(path.join(proc, "self"));
    expect(processTree(proc, 10).sort()).toEqual([10, 11, 13]);
    expect(processTree(proc, 99)).toEqual([]);
  } finally {
    await rm(proc, { recursive: true, force: true });
  }
});
