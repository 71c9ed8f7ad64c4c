// The worker's cost figures: peak memory and CPU time of the whole process tree, children included, read
// from /proc; and nothing (null, not a Node-only figure) where there is no /proc.

import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { startResourceMeter } from "../../worker/src/resources";

/** A child that touches `mb` MiB, burns about `cpuMs` of CPU, then exits. */
function hungryChild(mb: number, cpuMs: number): Promise<{ pid: number; exited: Promise<void> }> {
  const script = `
    const block = Buffer.alloc(${mb} * 1024 * 1024, 1);
    const until = process.cpuUsage().user + ${cpuMs} * 1000;
    while (process.cpuUsage().user < until) {}
    process.stdout.write("ready\\n");
    setTimeout(() => block.length, 400);`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "ignore"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise((resolve) =>
    child.stdout.once("data", () => resolve({ pid: child.pid as number, exited })),
  );
}

it.runIf(process.platform === "linux")(
  "counts a child's memory and CPU time, while it runs and after it has exited",
  async () => {
    const children = new Set<number>();
    const meter = startResourceMeter({ children: () => children, intervalMs: 50 });
    const before = meter.usage();
    const child = await hungryChild(200, 300);
    children.add(child.pid);
    const running = meter.usage();
    await child.exited;
    children.delete(child.pid);
    const after = meter.usage();
    meter.stop();

    // This process alone is well under 200 MiB more than it was; the child's block is what pushes it past.
    expect(running.peakMemoryMb).toBeGreaterThanOrEqual((before.peakMemoryMb ?? 0) + 190);
    expect(after.peakMemoryMb).toBeGreaterThanOrEqual(running.peakMemoryMb ?? Number.NaN);
    // The child's 300 ms of CPU is counted while it runs, and stays counted once it has been reaped.
    expect((running.cpuSeconds ?? 0) - (before.cpuSeconds ?? 0)).toBeGreaterThanOrEqual(0.25);
    expect((after.cpuSeconds ?? 0) - (before.cpuSeconds ?? 0)).toBeGreaterThanOrEqual(0.25);
  },
);

it("says nothing rather than a partial figure where /proc is missing", async () => {
  const empty = await mkdtemp(path.join(tmpdir(), "no-proc-"));
  try {
    const meter = startResourceMeter({ children: () => [], procRoot: empty });
    expect(meter.usage()).toEqual({ peakMemoryMb: null, cpuSeconds: null });
    meter.stop();
  } finally {
    await rm(empty, { recursive: true, force: true });
  }
});
