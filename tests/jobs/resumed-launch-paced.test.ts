// Why this is tested: as first written, docs/capacity.md "RunTask is paced ... by a token bucket shared by every launcher", launch-rate.ts "shared by
// every launcher: the dispatchers, the task-state handlers starting waiting jobs, the sweeper". The sweeper's
// resumed launches (sweep.ts resolveLaunch -> launchAttempt) and the dispatcher's resumption of a job left
// LAUNCHING (dispatch.ts decideAndLaunch on a redelivered message) call RunTask without taking a turn at the
// rate: after a dispatcher outage (RunTask timing out for many jobs) every one of them is resumed at once,
// unpaced, straight into ECS's throttling.

import { expect, it } from "vitest";
import { memoryCapacity } from "../../jobs/adapters/memory/memory-capacity";
import { MemoryJobStore } from "../../jobs/adapters/memory/memory-store";
import type { Capacity } from "../../jobs/capacity/admission";
import { DEFAULT_DEADLINES } from "../../jobs/model/deadlines";
import type { TaskControl } from "../../jobs/store/ports";
import { dispatchMessage } from "../../jobs/workflows/dispatch";
import { sweep } from "../../jobs/workflows/sweep";
import {
  dispatchDeps,
  jobMessage,
  launchedTask,
  ScriptedLauncher,
  silent,
} from "../support/scripted-launcher";

it("a launch the sweeper resumes takes its turn at the shared launch rate", async () => {
  const base = memoryCapacity({ cap: 10, sleep: async () => {} });
  let reservations = 0;
  const capacity: Capacity = {
    ...base,
    launchRate: {
      reserve: (now, wait) => {
        reservations++;
        return base.launchRate.reserve(now, wait);
      },
      slowDown: (until) => base.launchRate.slowDown(until),
    },
  };
  const store = new MemoryJobStore();
  let now = Date.parse("2026-11-30T01:00:00.000Z");
  const clock = () => new Date(now).toISOString();
  // RunTask's answer is lost (a timeout): the job stays LAUNCHING for the sweeper.
  let answer = false;
  const launcher = new ScriptedLauncher((request) => {
    if (!answer) throw new Error("socket hang up");
    return launchedTask(request);
  });
  const deps = dispatchDeps(store, launcher, capacity, clock);
  await expect(dispatchMessage(deps, jobMessage("j"), "m-1")).rejects.toThrow("socket hang up");
  expect((await store.get("j"))?.state.status).toBe("LAUNCHING");
  expect(reservations).toBe(1);

  answer = true;
  now += 6 * 60_000; // past the quiet period, within the launch deadline
  const noTask: TaskControl = {
    describe: async (arns) => ({ tasks: [], missing: [...arns] }),
    findByJob: async () => [],
    stop: async () => false,
  };
  const report = await sweep({
    ...deps,
    tasks: noTask,
    deadlines: DEFAULT_DEADLINES,
    maxJobs: 100,
    log: silent,
  });
  expect(report.actions.launchResumed).toBe(1);
  expect(launcher.calls).toHaveLength(2); // RunTask called again
  expect(reservations).toBe(2);
});
