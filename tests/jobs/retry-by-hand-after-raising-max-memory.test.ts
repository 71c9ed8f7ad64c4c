// Why this is tested: as first written, a job that ran out of memory at the most maxWorkerMemoryMb allowed fails
// saying "raise maxWorkerMemoryMb to retry it bigger". No retrySize is recorded for it (no bigger size was
// allowed), but the job's nextSize still holds the size it grew to earlier — the very size it just ran out of
// memory at — and placementFor launches every later attempt, a retry by hand's included, with nextSize as
// it is. So the user who does as told (raises maxWorkerMemoryMb, then `jobs retry`) gets an attempt at the
// same size, a certain second out-of-memory kill, before the job grows.
// Given a job that grew from 2 GiB to 4 GiB and ran out of memory at 4 GiB with maxWorkerMemoryMb 4096,
// when maxWorkerMemoryMb is raised to 8192 and the job is retried by hand,
// then the retry launches bigger than the 4 GiB it ran out of memory at.

import { expect, it } from "vitest";
import { decide, jobDecider } from "../../jobs/model/decide";
import type { JobEvent } from "../../jobs/model/events";
import type { RetryPolicy } from "../../jobs/model/retry-policy";
import { foldEvents } from "../../jobs/model/state";
import type { TaskSize } from "../../jobs/model/task-size";
import { INPUT, stopped, T0, TEST_POLICY, taskArn } from "../support/factories";

const JOB = "job-oom-cap";
const SIZE_4G: TaskSize = { cpu: 1024, memoryMib: 4096 };
const policyWithCap = (maxWorkerMemoryMb: number): RetryPolicy => ({
  ...TEST_POLICY,
  maxAttempts: 3,
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

it("a job retried by hand after maxWorkerMemoryMb was raised, as its failure advised, runs bigger", () => {
  const before = jobDecider(policyWithCap(4096));
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
  // Attempt 1 runs out of memory at the stack's 2 GiB: retried with 4 GiB.
  apply(before(foldEvents(JOB, history), outOfMemory(1)));
  apply(before(foldEvents(JOB, history), { type: "LaunchRetry", now: T0, attempt: 2 }));
  expect(history.at(-1)).toMatchObject({ type: "TaskLaunchRequested", attempt: 2, size: SIZE_4G });
  apply([{ type: "TaskLaunched", at: T0, attempt: 2, taskArn: taskArn(2) }]);
  // Attempt 2 runs out of memory at 4 GiB, the most maxWorkerMemoryMb (4096) allows: the job fails.
  apply(before(foldEvents(JOB, history), outOfMemory(2)));
  const failed = foldEvents(JOB, history);
  expect(failed.status).toBe("FAILED");
  expect(failed.reason).toMatch(/raise maxWorkerMemoryMb to retry it bigger/);

  // The user raises maxWorkerMemoryMb to 8192 and retries the job by hand.
  const after = jobDecider(policyWithCap(8192));
  apply(decide(foldEvents(JOB, history), { type: "ManualRetry", now: T0, reason: "more memory now" }));
  apply(after(foldEvents(JOB, history), { type: "LaunchRetry", now: T0, attempt: 3 }));
  const launch = history.at(-1);
  expect(launch).toMatchObject({ type: "TaskLaunchRequested", attempt: 3 });
  // 4 GiB ran out of memory; 8 GiB is now allowed.
  expect(launch).toHaveProperty("size.memoryMib");
  expect((launch as { size: TaskSize }).size.memoryMib).toBeGreaterThan(4096);
});
