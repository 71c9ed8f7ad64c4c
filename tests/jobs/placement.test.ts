// Where and how big attempts run, as given/when/then specifications of the job model: each launch records
// its size and capacity; out of memory retries bigger, within maxAttempts and maxWorkerMemoryMb; Spot
// interrupted, refused or never started within the launch deadline sends the rest of the job to On-Demand
// (spot-with-fallback) as an infrastructure retry; a relaunch of the same attempt keeps its recorded placement.

import { describe, expect, it } from "vitest";
import type { JobEvent, TaskLaunchRequested } from "../../jobs/model/events";
import { placementFor, resizeAfterOutOfMemory, spotSetback } from "../../jobs/model/placement";
import type { RetryPolicy } from "../../jobs/model/retry-policy";
import { foldEvents } from "../../jobs/model/state";
import type { CapacityMode, TaskSize } from "../../jobs/model/task-size";
import { INPUT, stopped, T0, TEST_POLICY, TEST_SIZE, taskArn } from "../support/factories";
import { given } from "../support/specification";

const JOB = "job-p";
const at = T0;
const SIZE_4G: TaskSize = { cpu: 1024, memoryMib: 4096 };
const SIZE_8G: TaskSize = { cpu: 1024, memoryMib: 8192 };

const policy = (capacity: CapacityMode, changes: Partial<RetryPolicy> = {}): RetryPolicy => ({
  ...TEST_POLICY,
  ...changes,
  placement: { ...TEST_POLICY.placement, capacity },
});
const SPOT_FIRST = policy("spot-with-fallback");

const requested = (
  attempt: number,
  size: TaskSize = TEST_SIZE,
  capacity: TaskLaunchRequested["capacity"] = "FARGATE",
): TaskLaunchRequested => ({
  type: "TaskLaunchRequested",
  at,
  attempt,
  clientToken: `${JOB}.${attempt}`,
  size,
  capacity,
});
const launchedOn = (
  attempt: number,
  size?: TaskSize,
  capacity?: TaskLaunchRequested["capacity"],
): JobEvent[] => [
  ...(attempt === 1
    ? [{ type: "JobSubmitted", at, jobId: JOB, input: INPUT, source: { kind: "message" } } as const]
    : []),
  requested(attempt, size, capacity),
  { type: "TaskLaunched", at, attempt, taskArn: taskArn(attempt) },
];
const observe = (observation: ReturnType<typeof stopped>) =>
  ({ type: "ObserveTask", now: at, observation }) as const;
const outOfMemory = (attempt: number) =>
  observe(
    stopped(attempt, {
      exitCode: 137,
      containerReason: "OutOfMemoryError: Container killed due to memory usage",
    }),
  );
const spotInterrupted = (attempt: number) =>
  observe(
    stopped(attempt, {
      exitCode: 143,
      stopCode: "SpotInterruption",
      stoppedReason: "Your Spot Task was interrupted.",
    }),
  );
const SPOT_REFUSAL =
  "Capacity is unavailable at this time. Please try again later or in a different availability zone";
const refused = (attempt: number) =>
  ({
    type: "RecordLaunchFailure",
    now: at,
    attempt,
    failure: { reason: SPOT_REFUSAL, retryable: true },
  }) as const;
const retryOf = (events: readonly JobEvent[]) => events.find((event) => event.type === "RetryScheduled");

describe("each launch records where it runs", () => {
  const submit = { type: "Submit", now: at, jobId: JOB, input: INPUT, source: { kind: "message" } } as const;

  it("on the stack's size, On-Demand for capacity on-demand and Spot for spot or spot-with-fallback", () => {
    for (const [capacity, provider] of [
      ["on-demand", "FARGATE"],
      ["spot", "FARGATE_SPOT"],
      ["spot-with-fallback", "FARGATE_SPOT"],
    ] as const) {
      const [, launch] = given(JOB, [], policy(capacity)).when(submit).events();
      expect(launch, capacity).toEqual(requested(1, TEST_SIZE, provider));
    }
  });

  it("keeps the attempt's recorded size and capacity when a throttled launch starts again, whatever the stack now says", () => {
    const history: JobEvent[] = [
      ...launchedOn(1, SIZE_4G, "FARGATE_SPOT").slice(0, 2),
      { type: "JobWaiting", at, attempt: 1, reason: "launch throttled: Rate exceeded", throttled: true },
    ];
    given(JOB, history, policy("on-demand"))
      .when({ type: "StartWaiting", now: at })
      .then([requested(1, SIZE_4G, "FARGATE_SPOT")]);
  });

  it("gives an attempt requested before attempts had a placement none when it starts again (sent as it was then)", () => {
    const { size: _size, capacity: _capacity, ...unplaced } = requested(1);
    const history: JobEvent[] = [
      ...launchedOn(1).slice(0, 1),
      unplaced,
      { type: "JobWaiting", at, attempt: 1, reason: "launch throttled: Rate exceeded", throttled: true },
    ];
    given(JOB, history, SPOT_FIRST).when({ type: "StartWaiting", now: at }).then([unplaced]);
    expect(placementFor(foldEvents(JOB, history), 1, SPOT_FIRST.placement)).toBeUndefined();
  });

  it("keeps it in the state for the sweeper's resumed launch (the same client token, the same request)", () => {
    const state = foldEvents(JOB, launchedOn(1, SIZE_4G, "FARGATE_SPOT").slice(0, 2));
    expect(state).toMatchObject({ attempt: 1, attemptSize: SIZE_4G, attemptCapacity: "FARGATE_SPOT" });
    expect(placementFor(state, 1, policy("on-demand").placement)).toEqual({
      size: SIZE_4G,
      capacity: "FARGATE_SPOT",
    });
  });
});

describe("an attempt that ran out of memory", () => {
  it("is retried at once (no backoff) with the next size up (twice the memory), counting against maxAttempts", () => {
    const events = given(JOB, launchedOn(1)).when(outOfMemory(1)).events();
    expect(retryOf(events)).toEqual({
      type: "RetryScheduled",
      at,
      nextAttempt: 2,
      delaySeconds: 0,
      reason:
        "OutOfMemory: the worker ran out of memory (exit 137; Essential container in task exited; OutOfMemoryError: Container killed due to memory usage); retried with 1 vCPU 4 GiB (was 1 vCPU 2 GiB)",
      countsAsAttempt: true,
      manual: false,
      size: SIZE_4G,
    });
    const state = foldEvents(JOB, [...launchedOn(1), ...events]);
    expect(state).toMatchObject({ status: "RETRYING", attemptsUsed: 1, nextSize: SIZE_4G });
    given(JOB, [...launchedOn(1), ...events])
      .when({ type: "LaunchRetry", now: at, attempt: 2 })
      .then([requested(2, SIZE_4G)]);
  });

  it("grows from the size it ran with, and later attempts keep the bigger size", () => {
    const history: JobEvent[] = [
      ...launchedOn(1),
      ...(given(JOB, launchedOn(1)).when(outOfMemory(1)).events() as JobEvent[]),
      ...launchedOn(2, SIZE_4G),
    ];
    const second = given(JOB, history).when(outOfMemory(2)).events();
    expect(retryOf(second)).toMatchObject({ nextAttempt: 3, size: SIZE_8G });
    // An ordinary failure after growing: the next attempt still runs with the grown size.
    const afterGrowth = [
      ...history,
      ...(given(JOB, history, policy("on-demand", { maxAttempts: 5 }))
        .when(observe(stopped(2, { exitCode: 1 })))
        .events() as JobEvent[]),
    ];
    expect(retryOf(afterGrowth.slice(history.length))).not.toHaveProperty("size");
    given(JOB, afterGrowth)
      .when({ type: "LaunchRetry", now: at, attempt: 3 })
      .then([requested(3, SIZE_4G)]);
  });

  it("fails the job, saying why, once no bigger size is within maxWorkerMemoryMb", () => {
    const events = given(JOB, launchedOn(1, SIZE_8G)).when(outOfMemory(1)).events();
    expect(events.map((event) => event.type)).toEqual(["TaskStopped", "JobFailed"]);
    expect(events[1]).toMatchObject({
      reason: expect.stringMatching(
        /^ran out of memory at 8192 MiB \(1 vCPU 8 GiB\), the most maxWorkerMemoryMb allows; raise maxWorkerMemoryMb/,
      ),
    });
  });

  it("fails after maxAttempts even while a bigger size is allowed, saying at what size: a retry by hand runs a rung up", () => {
    const lastAttempt = policy("on-demand", { maxAttempts: 1 });
    const events = given(JOB, launchedOn(1), lastAttempt).when(outOfMemory(1)).events();
    expect(events[1]).toEqual({
      type: "JobFailed",
      at,
      reason: expect.stringMatching(
        /^failed after 1 attempts; last: OutOfMemory.*; a retry by hand runs with 1 vCPU 4 GiB$/,
      ),
      outOfMemoryAt: TEST_SIZE,
    });
    const failed = [...launchedOn(1), ...events];
    expect(foldEvents(JOB, failed)).toMatchObject({ status: "FAILED", outOfMemoryAt: TEST_SIZE });
    const retried = [
      ...failed,
      ...given(JOB, failed).when({ type: "ManualRetry", now: at, reason: "try again" }).events(),
    ];
    given(JOB, retried, lastAttempt)
      .when({ type: "LaunchRetry", now: at, attempt: 2 })
      .then([requested(2, SIZE_4G, "FARGATE")]);
  });

  it("keeps no size for a retry by hand when the last attempt failed otherwise", () => {
    const events = given(JOB, launchedOn(1), policy("on-demand", { maxAttempts: 1 }))
      .when(observe(stopped(1, { exitCode: 1 })))
      .events();
    expect(events[1]).toMatchObject({ type: "JobFailed" });
    expect(events[1]).not.toHaveProperty("outOfMemoryAt");
  });

  it("with no recorded size (a history from before sizes), grows from the stack's size", () => {
    const old: JobEvent[] = [
      { type: "JobSubmitted", at, jobId: JOB, input: INPUT, source: { kind: "message" } },
      { type: "TaskLaunchRequested", at, attempt: 1, clientToken: `${JOB}.1` },
      { type: "TaskLaunched", at, attempt: 1, taskArn: taskArn(1) },
    ];
    expect(retryOf(given(JOB, old).when(outOfMemory(1)).events())).toMatchObject({ size: SIZE_4G });
  });
});

describe("Spot letting an attempt down", () => {
  it("with spot-with-fallback, an interruption sends the rest of the job On-Demand at once, as an infrastructure retry", () => {
    const history = launchedOn(1, TEST_SIZE, "FARGATE_SPOT");
    const events = given(JOB, history, SPOT_FIRST).when(spotInterrupted(1)).events();
    expect(retryOf(events)).toEqual({
      type: "RetryScheduled",
      at,
      nextAttempt: 2,
      delaySeconds: 0,
      reason:
        "SpotInterruption: Your Spot Task was interrupted. (exit 143); Spot interrupted the task: the rest of the job runs on On-Demand (FARGATE)",
      countsAsAttempt: false,
      manual: false,
      capacity: "FARGATE",
    });
    const after = [...history, ...events];
    expect(foldEvents(JOB, after)).toMatchObject({ attemptsUsed: 0, infraRetries: 1, onDemandOnly: true });
    given(JOB, after, SPOT_FIRST)
      .when({ type: "LaunchRetry", now: at, attempt: 2 })
      .then([requested(2)]);
  });

  it("with spot-with-fallback, a Spot launch refused for capacity is retried On-Demand", () => {
    const history = launchedOn(1, TEST_SIZE, "FARGATE_SPOT").slice(0, 2);
    const events = given(JOB, history, SPOT_FIRST).when(refused(1)).events();
    expect(events.map((event) => event.type)).toEqual(["TaskLaunchFailed", "RetryScheduled"]);
    expect(retryOf(events)).toMatchObject({
      countsAsAttempt: false,
      capacity: "FARGATE",
      reason: `launch failed: ${SPOT_REFUSAL}; Spot had no capacity: the rest of the job runs on On-Demand (FARGATE)`,
    });
    given(JOB, [...history, ...events], SPOT_FIRST)
      .when({ type: "LaunchRetry", now: at, attempt: 2 })
      .then([requested(2)]);
  });

  it("with spot-with-fallback, a Spot task stopped or lost for missing the launch deadline is retried On-Demand", () => {
    const missed = (attempt: number, capacity: TaskLaunchRequested["capacity"]): JobEvent[] => [
      ...launchedOn(attempt, TEST_SIZE, capacity),
      {
        type: "TaskStopRequested",
        at,
        attempt,
        taskArn: taskArn(attempt),
        deadline: "launch",
        reason: "no RUNNING within the launch deadline of 15m (capacity, provisioning or image pull)",
      },
    ];
    const lost = {
      type: "RecordTaskLost",
      now: at,
      attempt: 1,
      reason: "ECS no longer knows the task",
    } as const;
    const stoppedByDeadline = observe(stopped(1, { stopCode: "UserInitiated", stoppedReason: "deadline" }));
    for (const when of [stoppedByDeadline, lost]) {
      const events = given(JOB, missed(1, "FARGATE_SPOT"), SPOT_FIRST).when(when).events();
      expect(retryOf(events), when.type).toMatchObject({
        countsAsAttempt: false,
        capacity: "FARGATE",
        reason:
          "launch deadline passed: the task never ran; Spot did not start the task within the launch deadline: the rest of the job runs on On-Demand (FARGATE)",
      });
      // An On-Demand attempt that never ran has nowhere to fall back to; under spot the retry stays on Spot.
      const onDemand = given(JOB, missed(1, "FARGATE"), SPOT_FIRST).when(when).events();
      expect(retryOf(onDemand), when.type).not.toHaveProperty("capacity");
      const spotOnly = given(JOB, missed(1, "FARGATE_SPOT"), policy("spot")).when(when).events();
      expect(retryOf(spotOnly), when.type).not.toHaveProperty("capacity");
    }
  });

  it("with spot, the retry stays on Spot", () => {
    const history = launchedOn(1, TEST_SIZE, "FARGATE_SPOT");
    const events = given(JOB, history, policy("spot")).when(spotInterrupted(1)).events();
    expect(retryOf(events)).toMatchObject({ countsAsAttempt: false });
    expect(retryOf(events)).not.toHaveProperty("capacity");
    given(JOB, [...history, ...events], policy("spot"))
      .when({ type: "LaunchRetry", now: at, attempt: 2 })
      .then([requested(2, TEST_SIZE, "FARGATE_SPOT")]);
  });

  it("stays within maxInfraRetries, never spending the worker's attempts", () => {
    const history = launchedOn(1, TEST_SIZE, "FARGATE_SPOT");
    const exhausted = { ...SPOT_FIRST, maxInfraRetries: 0 };
    const events = given(JOB, history, exhausted).when(spotInterrupted(1)).events();
    expect(events[1]).toMatchObject({
      type: "JobFailed",
      reason: expect.stringMatching(/^gave up after 0 infrastructure retries/),
    });
  });

  it("falls back once: an On-Demand job's later failures record no fallback", () => {
    const history: JobEvent[] = [
      ...launchedOn(1, TEST_SIZE, "FARGATE_SPOT"),
      ...(given(JOB, launchedOn(1, TEST_SIZE, "FARGATE_SPOT"), SPOT_FIRST)
        .when(spotInterrupted(1))
        .events() as JobEvent[]),
      ...launchedOn(2, TEST_SIZE, "FARGATE").slice(0, 1),
    ];
    const events = given(JOB, history, SPOT_FIRST).when(refused(2)).events();
    expect(retryOf(events)).not.toHaveProperty("capacity");
  });

  it("an out-of-memory retry after a fallback grows On-Demand", () => {
    const history: JobEvent[] = [
      ...launchedOn(1, TEST_SIZE, "FARGATE_SPOT"),
      ...(given(JOB, launchedOn(1, TEST_SIZE, "FARGATE_SPOT"), SPOT_FIRST)
        .when(spotInterrupted(1))
        .events() as JobEvent[]),
      ...launchedOn(2, TEST_SIZE, "FARGATE"),
    ];
    const events = given(JOB, history, SPOT_FIRST).when(outOfMemory(2)).events();
    given(JOB, [...history, ...events], SPOT_FIRST)
      .when({ type: "LaunchRetry", now: at, attempt: 3 })
      .then([requested(3, SIZE_4G, "FARGATE")]);
  });
});

describe("the pure decisions a simulation drives", () => {
  it("resizeAfterOutOfMemory names the next size or why there is none", () => {
    expect(resizeAfterOutOfMemory(TEST_SIZE, TEST_POLICY.placement)).toMatchObject({
      grows: true,
      size: SIZE_4G,
    });
    expect(resizeAfterOutOfMemory(SIZE_8G, TEST_POLICY.placement)).toMatchObject({ grows: false });
  });

  it("spotSetback reads an interruption, and a capacity refusal or a missed launch deadline only of a Spot attempt", () => {
    expect(spotSetback(undefined, { stopCode: "SpotInterruption" })).toBe("interrupted");
    expect(spotSetback("FARGATE_SPOT", { reason: SPOT_REFUSAL })).toBe("refused");
    expect(spotSetback("FARGATE", { reason: SPOT_REFUSAL })).toBeUndefined();
    expect(spotSetback("FARGATE_SPOT", { reason: "RESOURCE:ENI" })).toBeUndefined();
    expect(spotSetback("FARGATE_SPOT", { missedLaunchDeadline: true })).toBe("unstarted");
    expect(spotSetback("FARGATE", { missedLaunchDeadline: true })).toBeUndefined();
  });
});
