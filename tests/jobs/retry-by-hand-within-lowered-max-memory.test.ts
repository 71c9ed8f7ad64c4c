// Why this is tested: as first written, JobFailed.retrySize (the next size up, kept when the last allowed attempt
// ran out of memory) becomes the job's nextSize, and placementFor launches a retry by hand with nextSize as
// recorded, never checked against the stack's placement policy at the time of the retry. A stack whose
// maxWorkerMemoryMb was lowered since (to cap cost) still gets an attempt at the old, larger size, days
// later: the cap the config documents as "the most memory an out-of-memory retry may grow an attempt to"
// does not hold.
// Given a job whose last allowed attempt ran out of memory at 4 GiB with maxWorkerMemoryMb 8192 (so it failed
// keeping retrySize 8 GiB), when the stack's maxWorkerMemoryMb is lowered to 4096 and the job is retried by
// hand, then the retry's launch asks for no more than 4096 MiB.

import { expect, it } from "vitest";
import { decide, jobDecider } from "../../jobs/model/decide";
import type { JobEvent } from "../../jobs/model/events";
import type { RetryPolicy } from "../../jobs/model/retry-policy";
import { foldEvents } from "../../jobs/model/state";
import type { TaskSize } from "../../jobs/model/task-size";
import { INPUT, stopped, T0, TEST_POLICY, taskArn } from "../support/factories";

const JOB = "job-oom-lowered";
const SIZE_4G: TaskSize = { cpu: 1024, memoryMib: 4096 };
const policyWithCap = (maxWorkerMemoryMb: number): RetryPolicy => ({
  ...TEST_POLICY,
  maxAttempts: 2,
  placement: { ...TEST_POLICY.placement, maxWorkerMemoryMb },
});

const outOfMemory = (attempt: number) =>
  ({
    type: "ObserveTask",
    now: T0,
    observation: stopped(attempt, {
      exitCode: 137,
      containerReason: "OutOfMemoryError: Container killed due to memory usage",
    }),
  }) as const;

it("a retry by hand after maxWorkerMemoryMb was lowered launches within the lowered limit", () => {
  const before = jobDecider(policyWithCap(8192));
  const history: JobEvent[] = [];
  const apply = (events: readonly JobEvent[]) => history.push(...events);
  apply(
    before(foldEvents(JOB, history), {
      type: "Submit",
      now: T0,
      jobId: JOB,
      input: INPUT,
      source: { kind: "message" },
    }),
  );
  apply([{ type: "TaskLaunched", at: T0, attempt: 1, taskArn: taskArn(1) }]);
  apply(before(foldEvents(JOB, history), outOfMemory(1)));
  apply(before(foldEvents(JOB, history), { type: "LaunchRetry", now: T0, attempt: 2 }));
  expect(history.at(-1)).toMatchObject({ type: "TaskLaunchRequested", attempt: 2, size: SIZE_4G });
  apply([{ type: "TaskLaunched", at: T0, attempt: 2, taskArn: taskArn(2) }]);
  // The last allowed attempt runs out of memory at 4 GiB: the job fails saying so (a retry by hand: 8 GiB).
  apply(before(foldEvents(JOB, history), outOfMemory(2)));
  expect(history.at(-1)).toMatchObject({ type: "JobFailed", outOfMemoryAt: SIZE_4G });

  // The stack's maxWorkerMemoryMb is lowered to 4096; the job is retried by hand.
  const lowered = policyWithCap(4096);
  apply(decide(foldEvents(JOB, history), { type: "ManualRetry", now: T0, reason: "try again" }));
  apply(jobDecider(lowered)(foldEvents(JOB, history), { type: "LaunchRetry", now: T0, attempt: 3 }));
  const launch = history.at(-1);
  expect(launch).toMatchObject({ type: "TaskLaunchRequested", attempt: 3 });
  expect((launch as { size: TaskSize }).size.memoryMib).toBeLessThanOrEqual(
    lowered.placement.maxWorkerMemoryMb,
  );
});
