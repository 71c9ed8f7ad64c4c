// Why this is tested: as first written, a job whose last attempt ran out of memory and so used up
// maxAttempts fails ("failed after N attempts; last: OutOfMemory ..."). No RetryScheduled is written for that
// last failure, so the job's grown size (state.nextSize) stays the size the last attempt ran OUT OF MEMORY at.
// `jobs retry` then launches the next attempt at that very size, though maxWorkerMemoryMb allows a bigger one:
// a wasted attempt (and a certain second out-of-memory kill) for the user who retries by hand.
// Expected: given a job that ran out of memory at 1 vCPU 4 GiB on its last allowed attempt, with room to grow
// (maxWorkerMemoryMb 8192), when it is retried by hand, then the retry launches with the next size up (8 GiB).

import { expect, it } from "vitest";
import { decide, jobDecider } from "../../jobs/model/decide";
import type { JobEvent } from "../../jobs/model/events";
import type { RetryPolicy } from "../../jobs/model/retry-policy";
import { foldEvents } from "../../jobs/model/state";
import type { TaskSize } from "../../jobs/model/task-size";
import { INPUT, stopped, T0, TEST_POLICY, taskArn } from "../support/factories";

const JOB = "job-oom";
const SIZE_4G: TaskSize = { cpu: 1024, memoryMib: 4096 };
const SIZE_8G: TaskSize = { cpu: 1024, memoryMib: 8192 };
const POLICY: RetryPolicy = {
  ...TEST_POLICY,
  maxAttempts: 2,
  placement: { ...TEST_POLICY.placement, maxWorkerMemoryMb: 8192 },
};
const decideWith = jobDecider(POLICY);

const outOfMemory = (attempt: number) =>
  ({
    type: "ObserveTask",
    now: T0,
    observation: stopped(attempt, {
      exitCode: 137,
      containerReason: "OutOfMemoryError: Container killed due to memory usage",
    }),
  }) as const;

function apply(history: JobEvent[], events: readonly JobEvent[]): JobEvent[] {
  history.push(...events);
  return history;
}

it("a job retried by hand after running out of memory on its last attempt runs the next size up", () => {
  const history: JobEvent[] = [];
  apply(
    history,
    decideWith(foldEvents(JOB, history), {
      type: "Submit",
      now: T0,
      jobId: JOB,
      input: INPUT,
      source: { kind: "message" },
    }),
  );
  apply(history, [{ type: "TaskLaunched", at: T0, attempt: 1, taskArn: taskArn(1) }]);
  // Attempt 1 runs out of memory at 2 GiB: retried with 4 GiB.
  apply(history, decideWith(foldEvents(JOB, history), outOfMemory(1)));
  apply(history, decideWith(foldEvents(JOB, history), { type: "LaunchRetry", now: T0, attempt: 2 }));
  expect(history.at(-1)).toMatchObject({ type: "TaskLaunchRequested", attempt: 2, size: SIZE_4G });
  apply(history, [{ type: "TaskLaunched", at: T0, attempt: 2, taskArn: taskArn(2) }]);
  // Attempt 2 runs out of memory at 4 GiB: maxAttempts (2) is spent, the job fails.
  apply(history, decideWith(foldEvents(JOB, history), outOfMemory(2)));
  expect(foldEvents(JOB, history).status).toBe("FAILED");

  // The user retries it by hand.
  apply(history, decide(foldEvents(JOB, history), { type: "ManualRetry", now: T0, reason: "try again" }));
  apply(history, decideWith(foldEvents(JOB, history), { type: "LaunchRetry", now: T0, attempt: 3 }));
  const launch = history.at(-1);
  expect(launch).toMatchObject({ type: "TaskLaunchRequested", attempt: 3 });
  // 4 GiB ran out of memory; 8 GiB is within maxWorkerMemoryMb.
  expect(launch).toMatchObject({ size: SIZE_8G });
});
