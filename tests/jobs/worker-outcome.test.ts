// The worker's own account of an attempt in the job's history: decide records it on TaskStopped and words
// the failure with it (given/when/then), only when it explains the exit ECS reports; trackTaskEvent reads
// it through the WorkerOutcomeReader port when a task stops, and only then.

import { describe, expect, it } from "vitest";
import { MemoryJobStore } from "../../jobs/adapters/memory/memory-store";
import type { ObserveTask, TaskObservation } from "../../jobs/model/decide";
import type { JobEvent } from "../../jobs/model/events";
import { foldEvents } from "../../jobs/model/state";
import type { WorkerOutcomeReader, WorkerOutcomeReport } from "../../jobs/store/ports";
import { trackTaskEvent } from "../../jobs/workflows/track-task";
import {
  CLUSTER_ARN,
  CONTAINER,
  ecsEvent,
  launched,
  stopped,
  submitted,
  T0,
  TEST_POLICY,
  taskArn,
} from "../support/factories";
import { given } from "../support/specification";

const JOB = "job-1";
const at = T0;

const TRUNCATED: WorkerOutcomeReport = {
  code: "truncated",
  message: "truncated: the moov atom is missing",
  hint: "upload the complete file",
  exitCode: 65,
  peakMemoryMb: 88.5,
  cpuSeconds: 0.42,
};
const observe = (observation: TaskObservation): ObserveTask => ({
  type: "ObserveTask",
  now: at,
  observation,
});
const stoppedWith = (exitCode: number, workerOutcome?: WorkerOutcomeReport, stop = {}): TaskObservation => ({
  ...stopped(1, { exitCode, ...stop }),
  ...(workerOutcome === undefined ? {} : { workerOutcome }),
});
const stopEvent = (exitCode: number, rest: Partial<JobEvent> = {}): JobEvent =>
  ({
    type: "TaskStopped",
    at,
    attempt: 1,
    taskArn: taskArn(1),
    ecsVersion: 5,
    stopCode: "EssentialContainerExited",
    stoppedReason: "Essential container in task exited",
    exitCode,
    timings: {},
    ...rest,
  }) as JobEvent;
const recorded = {
  code: "truncated",
  message: "truncated: the moov atom is missing",
  hint: "upload the complete file",
  peakMemoryMb: 88.5,
  cpuSeconds: 0.42,
};

describe("deciding on a stop the worker explained", () => {
  it("records the worker's words with the stop and fails the job in them", () => {
    const reason = "input is not a processable video: truncated: the moov atom is missing";
    given(JOB, launched(JOB))
      .when(observe(stoppedWith(65, TRUNCATED)))
      .then([
        stopEvent(65, {
          failure: { kind: "non-retryable-exit-code", description: reason },
          workerOutcome: recorded,
        } as Partial<JobEvent>),
        { type: "JobFailed", at, reason },
      ]);
  });

  it("keeps today's generic text for an exit the worker did not explain", () => {
    const reason = "worker exited with non-retryable code 65 (input is not a processable video)";
    given(JOB, launched(JOB))
      .when(observe(stoppedWith(65)))
      .then([
        stopEvent(65, {
          failure: { kind: "non-retryable-exit-code", description: reason },
        } as Partial<JobEvent>),
        { type: "JobFailed", at, reason },
      ]);
  });

  it("ignores words written for another exit code (the worker wrote them, then ECS killed it)", () => {
    const events = given(JOB, launched(JOB))
      .when(observe(stoppedWith(137, { ...TRUNCATED, exitCode: 65 })))
      .events();
    expect(events[0]).not.toHaveProperty("workerOutcome");
    expect(events[0]).toMatchObject({ failure: { kind: "out-of-memory" } });
  });

  it("words a retry in them too, and the final failure after the last attempt", () => {
    const transient: WorkerOutcomeReport = {
      code: "transient",
      message: "reading s3://b/k: ECONNRESET",
      exitCode: 1,
    };
    const [, retry] = given(JOB, launched(JOB))
      .when(observe(stoppedWith(1, transient)))
      .events();
    expect(retry).toMatchObject({
      type: "RetryScheduled",
      reason: "worker exited with code 1: reading s3://b/k: ECONNRESET",
    });
    const lastAttempt = given(JOB, launched(JOB), { ...TEST_POLICY, maxAttempts: 1 })
      .when(observe(stoppedWith(1, transient)))
      .events();
    expect(lastAttempt[1]).toMatchObject({
      type: "JobFailed",
      reason: "failed after 1 attempts; last: worker exited with code 1: reading s3://b/k: ECONNRESET",
    });
  });

  it("keeps ECS's account of an interruption, while recording what the worker said", () => {
    const interrupted: WorkerOutcomeReport = {
      code: "interrupted",
      message: "stopped by SIGTERM",
      exitCode: 143,
    };
    const [stop] = given(JOB, launched(JOB))
      .when(
        observe(
          stoppedWith(143, interrupted, {
            stopCode: "SpotInterruption",
            stoppedReason: "Your Spot Task was interrupted.",
          }),
        ),
      )
      .events();
    expect(stop).toMatchObject({
      failure: { kind: "infrastructure", description: expect.stringMatching(/^SpotInterruption: /) },
      workerOutcome: { code: "interrupted", message: "stopped by SIGTERM" },
    });
  });

  it("records the cost of a successful attempt", () => {
    const succeeded: WorkerOutcomeReport = {
      code: "succeeded",
      message: "analysed 7.0 s of 320x240 h264: 4 scenes",
      exitCode: 0,
      peakMemoryMb: 160,
      cpuSeconds: 1.4,
    };
    const [stop, done] = given(JOB, launched(JOB))
      .when(observe(stoppedWith(0, succeeded)))
      .events();
    expect(stop).toMatchObject({ workerOutcome: { code: "succeeded", peakMemoryMb: 160, cpuSeconds: 1.4 } });
    expect(stop).not.toHaveProperty("failure");
    expect(done).toMatchObject({ type: "JobSucceeded" });
  });
});

describe("tracking a task's events with an outcome reader", () => {
  const context = { clusterArn: CLUSTER_ARN, workerContainerName: CONTAINER };
  const log = { info: () => undefined, warn: () => undefined };
  const retryQueue = { sendRetry: async () => undefined };

  async function track(events: Array<Record<string, unknown>>, outcome: WorkerOutcomeReport | undefined) {
    const store = new MemoryJobStore();
    // Launching: the events name the task, whose ARN RunTask has not answered yet.
    const history = submitted(JOB);
    await store.append(JOB, 0, history, foldEvents(JOB, history));
    const reads: Array<[string, number]> = [];
    const outcomeReader: WorkerOutcomeReader = {
      read: async (jobId, attempt) => {
        reads.push([jobId, attempt]);
        return outcome;
      },
    };
    const deps = { store, retryQueue, policy: TEST_POLICY, context, clock: () => at, log, outcomeReader };
    for (const event of events) await trackTaskEvent(deps, event);
    return { stored: await store.get(JOB), reads };
  }

  it("reads the stopped attempt's outcome and stores the worker's reason in the history", async () => {
    const { stored, reads } = await track(
      [
        ecsEvent({ jobId: JOB, attempt: 1, lastStatus: "RUNNING", version: 2 }),
        ecsEvent({ jobId: JOB, attempt: 1, lastStatus: "STOPPED", version: 5, exitCode: 65 }),
      ],
      TRUNCATED,
    );
    expect(reads).toEqual([[JOB, 1]]); // not for RUNNING
    const stop = stored?.events.find((e) => e.type === "TaskStopped");
    expect(stop).toMatchObject({ workerOutcome: recorded });
    expect(stored?.state).toMatchObject({
      status: "FAILED",
      reason: "input is not a processable video: truncated: the moov atom is missing",
    });
  });

  it("records the stop as before when the worker left nothing", async () => {
    const { stored } = await track(
      [ecsEvent({ jobId: JOB, attempt: 1, lastStatus: "STOPPED", version: 5, exitCode: 65 })],
      undefined,
    );
    expect(stored?.events.find((e) => e.type === "TaskStopped")).not.toHaveProperty("workerOutcome");
    expect(stored?.state.reason).toBe(
      "worker exited with non-retryable code 65 (input is not a processable video)",
    );
  });
});
