// Why this is tested: as first written, starting a waiting job that gets no launch turn within the wait (start-waiting.ts `paced`) is
// recorded as a throttled launch (RecordLaunchFailure {throttled: true} -> JobWaiting, throttled). So:
// 1. the job goes to the back of the line (waitingSince and updatedAt, the status index's sort key, become
//    now): the oldest waiting job then starts after jobs that joined the line later, against docs/capacity.md "Waiting
//    jobs start in order, oldest first";
// 2. it counts as ECS throttling the job: ThrottledLaunches and LaunchFailures{Reason=Throttled} are emitted
//    (feeding the `throttled-launches` alarm, "ECS throttled launches") and throttledLaunches grows towards
//    MAX_THROTTLED_LAUNCHES, after which the job FAILS, though no RunTask call was made at all.

import { expect, it } from "vitest";
import { memoryCapacity } from "../../jobs/adapters/memory/memory-capacity";
import { MemoryJobStore } from "../../jobs/adapters/memory/memory-store";
import type { Capacity } from "../../jobs/capacity/admission";
import { decide } from "../../jobs/model/decide";
import type { MetricPoint } from "../../jobs/model/metrics";
import { meteredStore } from "../../jobs/store/metered-store";
import { changeJob } from "../../jobs/store/store";
import { dispatchMessage } from "../../jobs/workflows/dispatch";
import { startWaitingJobs } from "../../jobs/workflows/start-waiting";
import {
  dispatchDeps,
  jobMessage,
  launchedTask,
  ScriptedLauncher,
  tickingClock,
} from "../support/scripted-launcher";

it("a waiting job that got no launch turn keeps its place in line and is not counted as throttled by ECS", async () => {
  const memory = new MemoryJobStore();
  const points: MetricPoint[] = [];
  const store = meteredStore(memory, { add: (p) => points.push(p) });
  const base = memoryCapacity({ cap: 1, sleep: async () => {} });
  let rateFull = false;
  const capacity: Capacity = {
    ...base,
    launchRate: {
      reserve: (now, wait) => (rateFull ? Promise.resolve(undefined) : base.launchRate.reserve(now, wait)),
      slowDown: (until) => base.launchRate.slowDown(until),
    },
  };
  const clock = tickingClock();
  const launcher = new ScriptedLauncher(launchedTask);
  const deps = dispatchDeps(store, launcher, capacity, clock);
  for (const id of ["running", "oldest", "newer"]) await dispatchMessage(deps, jobMessage(id), `m-${id}`);
  const line = async () =>
    (await memory.listByStatus("WAITING", { limit: 10, oldestFirst: true })).jobs.map((j) => j.jobId);
  expect(await line()).toEqual(["oldest", "newer"]);

  // The running job ends (its slot is given back); the launch rate is busy for longer than a launcher waits.
  await changeJob(deps.store, "running", (s) => decide(s, { type: "Cancel", now: clock(), reason: "done" }));
  rateFull = true;
  points.length = 0;
  const callsBefore = launcher.calls.length;
  await startWaitingJobs(deps);

  expect(launcher.calls.length).toBe(callsBefore); // no RunTask call was made
  expect(await line()).toEqual(["oldest", "newer"]);
  expect(points.filter((p) => p.name === "ThrottledLaunches")).toEqual([]);
  expect((await memory.get("oldest"))?.state.throttledLaunches ?? 0).toBe(0);
});
