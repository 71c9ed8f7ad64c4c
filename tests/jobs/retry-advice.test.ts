// A retry by hand that cannot help is refused or asked about before anything is recorded (retryAdvice), and
// a retry that could not grow is not said to run bigger (the timeline's placement change).

import { describe, expect, it } from "vitest";
import { jobTimeline } from "../../jobs/insights/timeline";
import type { JobEvent } from "../../jobs/model/events";
import { foldEvents } from "../../jobs/model/state";
import type { StoredJob } from "../../jobs/store/store";
import { retryAdvice } from "../../jobs/workflows/retry-job";
import { launched, T0, taskArn } from "../support/factories";

const AT_MAX = { cpu: 1024, memoryMib: 8192 } as const;

function stored(jobId: string, events: JobEvent[]): StoredJob {
  return { state: foldEvents(jobId, events), events, version: events.length };
}

/** Ran out of memory at 8 GiB; `grown` says whether the stack allowed a larger size then. */
function outOfMemory(jobId: string, grown: boolean): JobEvent[] {
  return [
    ...launched(jobId),
    { type: "TaskRunning", at: T0, attempt: 1, taskArn: taskArn(1), ecsVersion: 3, timings: {} },
    {
      type: "TaskStopped",
      at: T0,
      attempt: 1,
      taskArn: taskArn(1),
      ecsVersion: 5,
      exitCode: 137,
      timings: {},
      failure: { kind: "out-of-memory", description: "OutOfMemory: the worker ran out of memory" },
    },
    {
      type: "JobFailed",
      at: T0,
      reason: grown
        ? "failed after 1 attempts; last: OutOfMemory; a retry by hand runs with 2 vCPU 16 GiB"
        : "ran out of memory at 8192 MiB (1 vCPU 8 GiB), the most maxWorkerMemoryMb allows; raise maxWorkerMemoryMb to retry it bigger",
      outOfMemoryAt: AT_MAX,
    },
  ];
}

describe("retryAdvice", () => {
  it("refuses a job that ran out of memory at the most maxWorkerMemoryMb allows, until it is raised", () => {
    const job = stored("oom", outOfMemory("oom", false));
    expect(retryAdvice(job, 8192).refused).toContain("maxWorkerMemoryMb (8192 MiB) allows no larger size");
    expect(retryAdvice(job, 16384)).toEqual({});
    // Not known here: the failure's record decides, and only a warning (--force) stands in the way.
    expect(retryAdvice(job, undefined).refused).toBeUndefined();
    expect(retryAdvice(job, undefined).warning).toContain("unless maxWorkerMemoryMb was raised since");
    expect(retryAdvice(stored("oom2", outOfMemory("oom2", true)), undefined)).toEqual({});
  });

  it("warns of a non-retryable exit code, and says nothing of a job that is not FAILED", () => {
    const events: JobEvent[] = [
      ...launched("bad"),
      {
        type: "TaskStopped",
        at: T0,
        attempt: 1,
        taskArn: taskArn(1),
        ecsVersion: 5,
        exitCode: 65,
        timings: {},
        failure: { kind: "non-retryable-exit-code", description: "input is not a processable video" },
      },
      { type: "JobFailed", at: T0, reason: "input is not a processable video" },
    ];
    expect(retryAdvice(stored("bad", events), 8192).warning).toContain(
      "exit code 65, which the stack counts as non-retryable",
    );
    expect(retryAdvice(stored("new", launched("new")), 8192)).toEqual({});
  });
});

describe("a retry by hand after running out of memory, in the timeline", () => {
  const retried = (jobId: string, memoryMib: number): JobEvent[] => [
    ...outOfMemory(jobId, false),
    {
      type: "RetryScheduled",
      at: T0,
      nextAttempt: 2,
      delaySeconds: 0,
      reason: "by hand",
      countsAsAttempt: false,
      manual: true,
    },
    {
      type: "TaskLaunchRequested",
      at: T0,
      attempt: 2,
      clientToken: `${jobId}.2`,
      size: { cpu: memoryMib > 8192 ? 2048 : 1024, memoryMib },
      capacity: "FARGATE",
    },
  ];

  it("says bigger only when the attempt did launch bigger", () => {
    const bigger = jobTimeline(retried("grew", 16384)).attempts[1]?.placementChange;
    expect(bigger).toBe("bigger: attempt 1 ran out of memory");
    const same = jobTimeline(retried("same", 8192)).attempts[1]?.placementChange;
    expect(same).toBe("same size: attempt 1 ran out of memory at it (maxWorkerMemoryMb allows no larger)");
    expect(same).not.toContain("bigger");
  });
});
