// Review: JOB_METRICS.RunningTasks (jobs/metrics.ts) says "Slots in use ... (a gauge, sampled when a slot is
// taken or freed)", and the dashboard graphs it against the cap each minute. meteredSlotPool
// (jobs/metered-store.ts) emits it only when the pool is read whole (holders(): the sweeper's repair, once
// per sweepIntervalMinutes, default 2): a dispatcher taking slots and a task-state handler freeing them
// emit nothing, so the graph has a point every other minute at best, and none of the peaks between sweeps.

import { expect, it } from "vitest";
import { dispatchMessage } from "../../jobs/dispatch";
import { memoryCapacity } from "../../jobs/memory-capacity";
import { MemoryJobStore } from "../../jobs/memory-store";
import { meteredSlotPool, meteredStore } from "../../jobs/metered-store";
import type { MetricPoint } from "../../jobs/metrics";
import { dispatchDeps, jobMessage, launchedTask, ScriptedLauncher } from "./support";

it("taking a slot samples the RunningTasks gauge, as its description says", async () => {
  const points: MetricPoint[] = [];
  const metrics = { add: (p: MetricPoint) => points.push(p) };
  const base = memoryCapacity({ cap: 5, sleep: async () => {} });
  const capacity = { ...base, slots: meteredSlotPool(base.slots, metrics) };
  const deps = dispatchDeps(
    meteredStore(new MemoryJobStore(), metrics),
    new ScriptedLauncher(launchedTask),
    capacity,
  );
  await dispatchMessage(deps, jobMessage("a"), "m-1");
  expect(points.some((p) => p.name === "JobsSubmitted")).toBe(true);
  expect(points.filter((p) => p.name === "RunningTasks")).toEqual([
    { name: "RunningTasks", value: 1, unit: "Count" },
  ]); // fails: no point
});
