// Why this is tested: as first written, a job whose launch ECS throttled is WAITING with the same attempt (JobWaiting, throttled) and no
// TaskLaunchFailed. Cancelled while it waits, it can never be retried: retry-job.ts refuses it with "its task
// has not stopped yet: run cancel again", and cancelling again changes nothing (no task exists to stop),
// because latestTaskMayRun (cancel-job.ts) sees a launch of the attempt with neither a stop, a loss nor a
// TaskLaunchFailed. Expected: a cancelled job that never had a task can be retried (README: FAILED,
// TIMED_OUT or CANCELLED jobs can be retried).

import { expect, it } from "vitest";
import { memoryCapacity } from "../../jobs/adapters/memory/memory-capacity";
import { MemoryJobStore } from "../../jobs/adapters/memory/memory-store";
import type { TaskControl } from "../../jobs/store/ports";
import { cancelJob } from "../../jobs/workflows/cancel-job";
import { dispatchMessage } from "../../jobs/workflows/dispatch";
import { retryJob } from "../../jobs/workflows/retry-job";
import {
  dispatchDeps,
  jobMessage,
  ScriptedLauncher,
  throttled,
  tickingClock,
} from "../support/scripted-launcher";

/** ECS has no task for the job: RunTask was refused. */
const noTasks: TaskControl = {
  describe: async (arns) => ({ tasks: [], missing: [...arns] }),
  findByJob: async () => [],
  stop: async () => false,
};

it("a job cancelled while waiting after a throttled launch can be retried", async () => {
  const store = new MemoryJobStore();
  const clock = tickingClock();
  const deps = dispatchDeps(store, new ScriptedLauncher(throttled), memoryCapacity({ cap: 5 }), clock);
  await dispatchMessage(deps, jobMessage("j"), "m-1");
  expect((await store.get("j"))?.state.status).toBe("WAITING");

  await cancelJob({ store, tasks: noTasks, clock }, "j", "no longer needed");
  await cancelJob({ store, tasks: noTasks, clock }, "j", "again, as the retry error says");
  expect((await store.get("j"))?.state.status).toBe("CANCELLED");

  const retry = await retryJob(
    { store, retryQueue: { sendRetry: async () => {} }, clock },
    "j",
    "wanted after all",
  );
  expect(retry.change.after.status).toBe("RETRYING");
});
