// Specifications of `evolve`, the fold of one event into a job's state: given a history, when an event is
// applied, then exactly this state. Each expected state is written out whole, so a field changed by
// mistake fails as surely as a field not changed.

import { describe, it } from "vitest";
import type {
  JobEvent,
  JobSubmitted,
  RetryScheduled,
  TaskLaunched,
  TaskLaunchRequested,
  TaskRunning,
  TaskStopped,
} from "../../jobs/model/events";
import { INPUT, T0, taskArn } from "../support/factories";
import { givenHistory } from "../support/specification";

const JOB = "job-e";
const T1 = "2026-11-26T10:05:00.000Z";

const submittedEvent: JobSubmitted = {
  type: "JobSubmitted",
  at: T0,
  jobId: JOB,
  input: INPUT,
  source: { kind: "message" },
};
const requested = (attempt: number, at = T0): TaskLaunchRequested => ({
  type: "TaskLaunchRequested",
  at,
  attempt,
  clientToken: `${JOB}.${attempt}`,
});
const launchedEvent = (attempt: number, at = T0): TaskLaunched => ({
  type: "TaskLaunched",
  at,
  attempt,
  taskArn: taskArn(attempt),
});
const runningEvent = (attempt: number, at = T0): TaskRunning => ({
  type: "TaskRunning",
  at,
  attempt,
  taskArn: taskArn(attempt),
  ecsVersion: 2,
  timings: {},
});
const stoppedEvent = (attempt: number, exitCode: number, at = T0): TaskStopped => ({
  type: "TaskStopped",
  at,
  attempt,
  taskArn: taskArn(attempt),
  ecsVersion: 5,
  stopCode: "EssentialContainerExited",
  exitCode,
  timings: {},
});
const retryScheduled = (
  nextAttempt: number,
  kind: { countsAsAttempt: boolean; manual: boolean },
  at = T0,
): RetryScheduled => ({
  type: "RetryScheduled",
  at,
  nextAttempt,
  delaySeconds: 10,
  reason: "worker exited with code 1",
  ...kind,
});
const COUNTED = { countsAsAttempt: true, manual: false };
const INFRA = { countsAsAttempt: false, manual: false };
const MANUAL = { countsAsAttempt: true, manual: true };

/** The state every history below starts from once attempt 1 was requested. */
const launching = {
  jobId: JOB,
  status: "LAUNCHING",
  attempt: 1,
  attemptsUsed: 0,
  infraRetries: 0,
  input: INPUT,
  source: { kind: "message" },
  submittedAt: T0,
  updatedAt: T0,
  launchRequestedAt: T0,
} as const;
const T1_DUE = "2026-11-26T10:05:10.000Z"; // T1 + the retry's 10 s
const ranAndFailed: JobEvent[] = [
  submittedEvent,
  requested(1),
  launchedEvent(1),
  runningEvent(1),
  stoppedEvent(1, 1),
];

describe("evolve: submission", () => {
  it("a new job becomes SUBMITTED with its input, source and submission time", () => {
    givenHistory(JOB, [])
      .whenEvent({ ...submittedEvent, at: T1 })
      .then({
        jobId: JOB,
        status: "SUBMITTED",
        attempt: 0,
        attemptsUsed: 0,
        infraRetries: 0,
        input: INPUT,
        source: { kind: "message" },
        submittedAt: T1,
        updatedAt: T1,
      });
  });

  it("a second submission keeps the first submission time", () => {
    givenHistory(JOB, [submittedEvent])
      .whenEvent({ ...submittedEvent, at: T1 })
      .then({
        jobId: JOB,
        status: "SUBMITTED",
        attempt: 0,
        attemptsUsed: 0,
        infraRetries: 0,
        input: INPUT,
        source: { kind: "message" },
        submittedAt: T0,
        updatedAt: T1,
      });
  });

  it("a rejected message is a job finished as REJECTED, with the reason", () => {
    givenHistory(JOB, [])
      .whenEvent({
        type: "JobRejected",
        at: T1,
        jobId: JOB,
        reason: "not JSON",
        rawInput: "{",
        truncated: false,
      })
      .then({
        jobId: JOB,
        status: "REJECTED",
        attempt: 0,
        attemptsUsed: 0,
        infraRetries: 0,
        reason: "not JSON",
        submittedAt: T1,
        finishedAt: T1,
        updatedAt: T1,
      });
  });
});

describe("evolve: launches", () => {
  it("a launch request starts the attempt", () => {
    givenHistory(JOB, [submittedEvent])
      .whenEvent(requested(1, T1))
      .then({ ...launching, launchRequestedAt: T1, updatedAt: T1 });
  });

  it("a launch request forgets the previous attempt's task, keeping the budget and the reason", () => {
    givenHistory(JOB, [...ranAndFailed, retryScheduled(2, COUNTED)])
      .whenEvent(requested(2, T1))
      .then({
        ...launching,
        status: "LAUNCHING",
        attempt: 2,
        attemptsUsed: 1,
        retryAttempt: 2,
        reason: "worker exited with code 1",
        launchRequestedAt: T1,
        updatedAt: T1,
      });
  });

  it("RunTask's answer for the current attempt records the task: LAUNCHED", () => {
    givenHistory(JOB, [submittedEvent, requested(1)])
      .whenEvent(launchedEvent(1, T1))
      .then({ ...launching, status: "LAUNCHED", taskArn: taskArn(1), updatedAt: T1 });
  });

  it("RunTask's late answer for an earlier attempt changes nothing", () => {
    givenHistory(JOB, [...ranAndFailed, retryScheduled(2, COUNTED), requested(2)])
      .whenEvent(launchedEvent(1, T1))
      .thenUnchanged();
  });

  it("RunTask's answer after ECS already reported the task running does not move it back", () => {
    givenHistory(JOB, [submittedEvent, requested(1), runningEvent(1)])
      .whenEvent(launchedEvent(1, T1))
      .then({
        ...launching,
        status: "RUNNING",
        taskArn: taskArn(1),
        lastEcsVersion: 2,
        runningAt: T0,
        updatedAt: T1,
      });
  });

  it("a failed launch records its reason only; the decision that follows says what happens", () => {
    givenHistory(JOB, [submittedEvent, requested(1)])
      .whenEvent({ type: "TaskLaunchFailed", at: T1, attempt: 1, reason: "RESOURCE:MEMORY", retryable: true })
      .then({ ...launching, reason: "RESOURCE:MEMORY", updatedAt: T1 });
  });
});

describe("evolve: the task's own reports", () => {
  it("RUNNING records the task and its ECS version", () => {
    givenHistory(JOB, [submittedEvent, requested(1), launchedEvent(1)])
      .whenEvent(runningEvent(1, T1))
      .then({
        ...launching,
        status: "RUNNING",
        taskArn: taskArn(1),
        lastEcsVersion: 2,
        runningAt: T1,
        updatedAt: T1,
      });
  });

  it("a task that runs after its launch was recorded as failed takes the job back from RETRYING", () => {
    const failedLaunch: JobEvent = {
      type: "TaskLaunchFailed",
      at: T0,
      attempt: 1,
      reason: "timeout",
      retryable: true,
    };
    givenHistory(JOB, [submittedEvent, requested(1), failedLaunch, retryScheduled(2, INFRA)])
      .whenEvent(runningEvent(1, T1))
      .then({
        ...launching,
        status: "RUNNING",
        infraRetries: 1,
        reason: "worker exited with code 1",
        taskArn: taskArn(1),
        lastEcsVersion: 2,
        runningAt: T1,
        updatedAt: T1,
      });
  });

  it("STOPPED records exit and stop codes but leaves the status to the decision", () => {
    givenHistory(JOB, [submittedEvent, requested(1), launchedEvent(1), runningEvent(1)])
      .whenEvent(stoppedEvent(1, 1, T1))
      .then({
        ...launching,
        status: "RUNNING",
        taskArn: taskArn(1),
        lastEcsVersion: 5,
        exitCode: 1,
        stopCode: "EssentialContainerExited",
        updatedAt: T1,
      });
  });

  it("a cancelled job's task may still report: it stays CANCELLED", () => {
    const cancelled: JobEvent = { type: "JobCancelled", at: T0, reason: "by user" };
    givenHistory(JOB, [submittedEvent, requested(1), launchedEvent(1), cancelled])
      .whenEvent(runningEvent(1, T1))
      .then({
        ...launching,
        status: "CANCELLED",
        taskArn: taskArn(1),
        lastEcsVersion: 2,
        runningAt: T1,
        reason: "by user",
        finishedAt: T0,
        updatedAt: T1,
      });
  });
});

describe("evolve: retries", () => {
  it("a retry after the worker failed uses an attempt", () => {
    givenHistory(JOB, ranAndFailed)
      .whenEvent(retryScheduled(2, COUNTED, T1))
      .then({
        ...launching,
        status: "RETRYING",
        attemptsUsed: 1,
        retryAttempt: 2,
        reason: "worker exited with code 1",
        taskArn: taskArn(1),
        lastEcsVersion: 5,
        exitCode: 1,
        stopCode: "EssentialContainerExited",
        retryDueAt: T1_DUE,
        updatedAt: T1,
      });
  });

  it("a retry after an infrastructure failure uses the infrastructure budget instead", () => {
    givenHistory(JOB, ranAndFailed)
      .whenEvent(retryScheduled(2, INFRA, T1))
      .then({
        ...launching,
        status: "RETRYING",
        infraRetries: 1,
        retryAttempt: 2,
        reason: "worker exited with code 1",
        taskArn: taskArn(1),
        lastEcsVersion: 5,
        exitCode: 1,
        stopCode: "EssentialContainerExited",
        retryDueAt: T1_DUE,
        updatedAt: T1,
      });
  });

  it("a manual retry reopens a failed job with a fresh budget", () => {
    givenHistory(JOB, [
      ...ranAndFailed,
      retryScheduled(2, COUNTED),
      retryScheduled(3, INFRA),
      { type: "JobFailed", at: T0, reason: "no attempts left" },
    ])
      .whenEvent(retryScheduled(4, MANUAL, T1))
      .then({
        ...launching,
        status: "RETRYING",
        attemptsUsed: 0,
        infraRetries: 0,
        retryAttempt: 4,
        reason: "worker exited with code 1",
        taskArn: taskArn(1),
        lastEcsVersion: 5,
        exitCode: 1,
        stopCode: "EssentialContainerExited",
        retryDueAt: T1_DUE,
        updatedAt: T1,
      });
  });

  it("a throttled launch's retry spends no budget and counts the throttles in a row", () => {
    givenHistory(JOB, [submittedEvent, requested(1)])
      .whenEvent({ ...retryScheduled(2, INFRA, T1), throttled: true })
      .then({
        ...launching,
        status: "RETRYING",
        retryAttempt: 2,
        throttledLaunches: 1,
        reason: "worker exited with code 1",
        retryDueAt: T1_DUE,
        updatedAt: T1,
      });
  });
});

describe("evolve: the sweeper's actions", () => {
  const running = [submittedEvent, requested(1), launchedEvent(1), runningEvent(1)];
  const runningState = {
    ...launching,
    status: "RUNNING",
    taskArn: taskArn(1),
    lastEcsVersion: 2,
    runningAt: T0,
  } as const;

  it("a stop asked for a deadline remembers which, and why", () => {
    givenHistory(JOB, running)
      .whenEvent({
        type: "TaskStopRequested",
        at: T1,
        attempt: 1,
        taskArn: taskArn(1),
        deadline: "run",
        reason: "too long",
      })
      .then({ ...runningState, stopRequested: "run", reason: "too long", updatedAt: T1 });
  });

  it("a lost task records why; the decision that follows says what happens", () => {
    givenHistory(JOB, running)
      .whenEvent({ type: "TaskLost", at: T1, attempt: 1, taskArn: taskArn(1), reason: "gone" })
      .then({ ...runningState, reason: "gone", updatedAt: T1 });
  });

  it("a resumed launch changes nothing but the time", () => {
    givenHistory(JOB, [submittedEvent, requested(1)])
      .whenEvent({ type: "LaunchResumed", at: T1, attempt: 1, reason: "no answer" })
      .thenUnchanged();
  });

  it("a resent retry remembers when", () => {
    givenHistory(JOB, [...ranAndFailed, retryScheduled(2, COUNTED)])
      .whenEvent({ type: "RetryResent", at: T1, attempt: 2, reason: "overdue" })
      .then({
        ...launching,
        status: "RETRYING",
        attemptsUsed: 1,
        retryAttempt: 2,
        reason: "worker exited with code 1",
        taskArn: taskArn(1),
        lastEcsVersion: 5,
        exitCode: 1,
        stopCode: "EssentialContainerExited",
        retryDueAt: "2026-11-26T10:00:10.000Z",
        retryResentAt: T1,
        retryResends: 1,
        updatedAt: T1,
      });
  });
});

describe("evolve: outcomes", () => {
  const afterStop = {
    ...launching,
    status: "RUNNING",
    taskArn: taskArn(1),
    lastEcsVersion: 5,
    exitCode: 1,
    stopCode: "EssentialContainerExited",
  } as const;

  it("success finishes the job and drops the reason of an earlier failure", () => {
    givenHistory(JOB, [
      ...ranAndFailed,
      { type: "TaskLaunchFailed", at: T0, attempt: 1, reason: "x", retryable: true },
    ])
      .whenEvent({ type: "JobSucceeded", at: T1, attempt: 1 })
      .then({ ...afterStop, status: "SUCCEEDED", finishedAt: T1, updatedAt: T1 });
  });

  for (const [type, status] of [
    ["JobFailed", "FAILED"],
    ["JobTimedOut", "TIMED_OUT"],
    ["JobCancelled", "CANCELLED"],
  ] as const) {
    it(`${type} finishes the job as ${status} with its reason`, () => {
      givenHistory(JOB, ranAndFailed)
        .whenEvent({ type, at: T1, reason: "because" })
        .then({ ...afterStop, status, reason: "because", finishedAt: T1, updatedAt: T1 });
    });
  }
});
