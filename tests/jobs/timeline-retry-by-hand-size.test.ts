// Why this is tested: as first written, `jobs show` (jobs/insights/timeline.ts) says why a retry moved an attempt —
// "bigger: attempt N ran out of memory" — from the RetryScheduled's size. A job whose LAST allowed attempt ran
// out of memory now fails keeping the next size (JobFailed.retrySize), and its retry by hand runs with it;
// but the manual RetryScheduled carries no size, and the timeline never reads JobFailed.retrySize, so the
// attempt that runs bigger is shown with its size and no word why, unlike the same move by an automatic retry.
// Given a job whose last allowed attempt ran out of memory at 4 GiB and failed keeping 8 GiB,
// when it is retried by hand and its timeline read,
// then the retry's attempt (8 GiB) says it is bigger because the previous attempt ran out of memory.

import { expect, it } from "vitest";
import { jobTimeline } from "../../jobs/insights/timeline";
import { decide, jobDecider } from "../../jobs/model/decide";
import type { JobEvent } from "../../jobs/model/events";
import type { RetryPolicy } from "../../jobs/model/retry-policy";
import { foldEvents } from "../../jobs/model/state";
import { INPUT, stopped, T0, TEST_POLICY, taskArn } from "../support/factories";

const JOB = "job-oom-show";
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

it("show says why a retry by hand after running out of memory runs bigger", () => {
  const history: JobEvent[] = [];
  const apply = (events: readonly JobEvent[]) => history.push(...events);
  apply(
    decideWith(foldEvents(JOB, history), {
      type: "Submit",
      now: T0,
      jobId: JOB,
      input: INPUT,
      source: { kind: "message" },
    }),
  );
  apply([{ type: "TaskLaunched", at: T0, attempt: 1, taskArn: taskArn(1) }]);
  apply(decideWith(foldEvents(JOB, history), outOfMemory(1)));
  apply(decideWith(foldEvents(JOB, history), { type: "LaunchRetry", now: T0, attempt: 2 }));
  apply([{ type: "TaskLaunched", at: T0, attempt: 2, taskArn: taskArn(2) }]);
  apply(decideWith(foldEvents(JOB, history), outOfMemory(2)));
  expect(history.at(-1)).toMatchObject({ type: "JobFailed", outOfMemoryAt: { memoryMib: 4096 } });
  apply(decide(foldEvents(JOB, history), { type: "ManualRetry", now: T0, reason: "try again" }));
  apply(decideWith(foldEvents(JOB, history), { type: "LaunchRetry", now: T0, attempt: 3 }));

  const attempts = jobTimeline(history, T0).attempts;
  // The automatic retry's move is said on attempt 2 ...
  expect(attempts[1]).toMatchObject({ attempt: 2, placementChange: "bigger: attempt 1 ran out of memory" });
  // ... and the retry by hand's, to the size JobFailed kept, on attempt 3.
  expect(attempts[2]).toMatchObject({ attempt: 3, size: { memoryMib: 8192 } });
  expect(attempts[2]).toMatchObject({
    placementChange: expect.stringMatching(/bigger: attempt 2 ran out of memory/),
  });
});
