// Why this is tested: as first written, the RunningTasks gauge is sampled when the slots are read whole (each sweep's
// repair, which reads every shard), not when one slot is taken or freed (a shard alone does not know the
// total); jobs/model/metrics.ts says so. A dispatch alone emits no gauge point; the sweep's reading does.

import { expect, it } from "vitest";
import { memoryCapacity } from "../../jobs/adapters/memory/memory-capacity";
import { MemoryJobStore } from "../../jobs/adapters/memory/memory-store";
import { repairSlots } from "../../jobs/capacity/slots";
import type { MetricPoint } from "../../jobs/model/metrics";
import { meteredSlotPool, meteredStore } from "../../jobs/store/metered-store";
import { dispatchMessage } from "../../jobs/workflows/dispatch";
import {
  dispatchDeps,
  jobMessage,
  launchedTask,
  ScriptedLauncher,
  silent,
} from "../support/scripted-launcher";

it("the slots read whole sample the RunningTasks gauge against the cap", async () => {
  const points: MetricPoint[] = [];
  const metrics = { add: (p: MetricPoint) => points.push(p) };
  const base = memoryCapacity({ cap: 5, sleep: async () => {} });
  const capacity = { ...base, slots: meteredSlotPool(base.slots, metrics) };
  const store = meteredStore(new MemoryJobStore(), metrics);
  const deps = dispatchDeps(store, new ScriptedLauncher(launchedTask), capacity);
  await dispatchMessage(deps, jobMessage("a"), "m-1");
  expect(points.some((p) => p.name === "JobsSubmitted")).toBe(true);
  expect(points.filter((p) => p.name === "RunningTasks")).toEqual([]);
  await repairSlots({ store, slots: capacity.slots, clock: deps.clock, log: silent });
  expect(points.filter((p) => p.name.startsWith("RunningTasks"))).toEqual([
    { name: "RunningTasks", value: 1, unit: "Count" },
    { name: "RunningTasksCap", value: 5, unit: "Count" },
  ]);
});
