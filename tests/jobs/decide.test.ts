import { describe, expect, it } from "vitest";
import { jobDecider } from "../../jobs/model/decide";
import { InvalidTransitionError, JobIdConflictError, JobNotFoundError } from "../../jobs/model/errors";
import type { JobEvent } from "../../jobs/model/events";
import { foldEvents } from "../../jobs/model/state";
import {
  INPUT,
  launched,
  running,
  stopped,
  submitted,
  T0,
  TEST_POLICY,
  TEST_SIZE,
  taskArn,
} from "../support/factories";
import { given } from "../support/specification";

const JOB = "job-1";
const at = T0;
const submit = {
  type: "Submit",
  now: at,
  jobId: JOB,
  input: INPUT,
  source: { kind: "message" },
  messageId: "m-1",
} as const;
const observe = (observation: ReturnType<typeof running>) =>
  ({ type: "ObserveTask", now: at, observation }) as const;
const retried = (attempt: number, reason = "worker exited with code 1"): JobEvent[] => [
  {
    type: "RetryScheduled",
    at,
    nextAttempt: attempt,
    delaySeconds: 10,
    reason,
    countsAsAttempt: true,
    manual: false,
  },
  { type: "TaskLaunchRequested", at, attempt, clientToken: `${JOB}.${attempt}` },
  { type: "TaskLaunched", at, attempt, taskArn: taskArn(attempt) },
];

describe("submitting", () => {
  it("records the job and the launch of attempt 1 in one decision", () => {
    given(JOB, []).when(submit).then(submitted(JOB));
  });

  it("decides nothing for the same submission while launching (the caller resumes RunTask)", () => {
    given(JOB, submitted(JOB)).when(submit).thenNothing();
    given(JOB, launched(JOB)).when(submit).thenNothing();
  });

  it("ignores a stale submission once a retry is scheduled", () => {
    given(JOB, [
      ...launched(JOB),
      {
        type: "RetryScheduled",
        at,
        nextAttempt: 2,
        delaySeconds: 10,
        reason: "x",
        countsAsAttempt: true,
        manual: false,
      },
    ])
      .when(submit)
      .thenNothing();
  });

  it("knows the same input whatever order the store gives its keys back in (DynamoDB maps keep none)", () => {
    const input = {
      videoUrl: "s3://b/k.mp4",
      videoId: "v",
      params: { b: 1, a: { y: 2, x: [1, { d: 1, c: 2 }] } },
    };
    const reordered = {
      params: { a: { x: [1, { c: 2, d: 1 }], y: 2 }, b: 1 },
      videoId: "v",
      videoUrl: "s3://b/k.mp4",
    };
    const history: JobEvent[] = [
      { type: "JobSubmitted", at, jobId: JOB, input: reordered, source: { kind: "message" } },
      { type: "TaskLaunchRequested", at, attempt: 1, clientToken: "job-1.1" },
    ];
    given(JOB, history)
      .when({ ...submit, input })
      .thenNothing();
    given(JOB, history)
      .when({ ...submit, input: { ...input, params: { b: 2 } } })
      .thenThrows(JobIdConflictError);
  });

  it("refuses a job id reused for another input", () => {
    given(JOB, submitted(JOB))
      .when({ ...submit, input: { videoUrl: "https://example.com/other.mp4" } })
      .thenThrows(JobIdConflictError, /different input/);
  });
});

describe("rejecting", () => {
  const reject = {
    type: "Reject",
    now: at,
    jobId: "rej-1",
    reason: "not JSON",
    rawInput: "{",
    truncated: false,
  } as const;
  it("records a rejection once", () => {
    given("rej-1", [])
      .when(reject)
      .then([
        { type: "JobRejected", at, jobId: "rej-1", reason: "not JSON", rawInput: "{", truncated: false },
      ]);
    given("rej-1", [
      { type: "JobRejected", at, jobId: "rej-1", reason: "not JSON", rawInput: "{", truncated: false },
    ])
      .when(reject)
      .thenNothing();
  });
});

describe("launch outcome", () => {
  it("records the task of the attempt once", () => {
    const record = { type: "RecordLaunch", now: at, attempt: 1, taskArn: taskArn(1) } as const;
    given(JOB, submitted(JOB))
      .when(record)
      .then([{ type: "TaskLaunched", at, attempt: 1, taskArn: taskArn(1) }]);
    given(JOB, launched(JOB)).when(record).thenNothing();
  });

  it("records a task that ECS reported running before RunTask answered, without changing the status", () => {
    const history = [
      ...submitted(JOB),
      ...jobDecider(TEST_POLICY)(foldEvents(JOB, submitted(JOB)), observe(running())),
    ];
    const events = given(JOB, history)
      .when({ type: "RecordLaunch", now: at, attempt: 1, taskArn: taskArn(1) })
      .events();
    expect(events).toEqual([]);
    expect(foldEvents(JOB, history).status).toBe("RUNNING");
  });

  it("schedules a retry, not using an attempt, for a retryable launch failure; fails the job on a permanent one", () => {
    const failure = (retryable: boolean) =>
      ({ type: "RecordLaunchFailure", now: at, attempt: 1, failure: { reason: "boom", retryable } }) as const;
    given(JOB, submitted(JOB))
      .when(failure(true))
      .then([
        { type: "TaskLaunchFailed", at, attempt: 1, reason: "boom", retryable: true },
        {
          type: "RetryScheduled",
          at,
          nextAttempt: 2,
          delaySeconds: 10,
          reason: "launch failed: boom",
          countsAsAttempt: false,
          manual: false,
        },
      ]);
    given(JOB, submitted(JOB))
      .when(failure(false))
      .then([
        { type: "TaskLaunchFailed", at, attempt: 1, reason: "boom", retryable: false },
        { type: "JobFailed", at, reason: "task could not be launched: boom" },
      ]);
  });

  it("fails the job once launch failures exceed the infrastructure bound", () => {
    const failed = (attempt: number): JobEvent[] => [
      { type: "TaskLaunchFailed", at, attempt, reason: "RESOURCE:CPU", retryable: true },
      {
        type: "RetryScheduled",
        at,
        nextAttempt: attempt + 1,
        delaySeconds: 10,
        reason: "x",
        countsAsAttempt: false,
        manual: false,
      },
      { type: "TaskLaunchRequested", at, attempt: attempt + 1, clientToken: `job-1.${attempt + 1}` },
    ];
    const history: JobEvent[] = [...submitted(JOB), ...failed(1), ...failed(2)];
    const third = {
      type: "RecordLaunchFailure",
      now: at,
      attempt: 3,
      failure: { reason: "RESOURCE:CPU", retryable: true },
    } as const;
    const events = given(JOB, history).when(third).events();
    expect(events.map((e) => e.type)).toEqual(["TaskLaunchFailed", "JobFailed"]);
    expect(events[1]).toMatchObject({
      reason: "gave up after 2 infrastructure retries; last: launch failed: RESOURCE:CPU",
    });
  });

  it("gives the job back to a task that a launch recorded as failed did start (a duplicate's RunTask got through)", () => {
    const history: JobEvent[] = [
      ...submitted(JOB),
      {
        type: "TaskLaunchFailed",
        at,
        attempt: 1,
        reason: "ThrottlingException: Rate exceeded",
        retryable: true,
      },
      {
        type: "RetryScheduled",
        at,
        nextAttempt: 2,
        delaySeconds: 10,
        reason: "x",
        countsAsAttempt: false,
        manual: false,
      },
    ];
    const launchedAnyway = given(JOB, history)
      .when({ type: "RecordLaunch", now: at, attempt: 1, taskArn: taskArn(1) })
      .events();
    expect(launchedAnyway).toEqual([{ type: "TaskLaunched", at, attempt: 1, taskArn: taskArn(1) }]);
    const state = foldEvents(JOB, [...history, ...launchedAnyway]);
    expect(state).toMatchObject({ status: "LAUNCHED", attempt: 1 });
    expect(state.retryAttempt).toBeUndefined();
    given(JOB, [...history, ...launchedAnyway])
      .when({ type: "LaunchRetry", now: at, attempt: 2 })
      .thenNothing();
    // and when the task's own events come first:
    const ran = given(JOB, history)
      .when(observe(stopped(1, { exitCode: 0 })))
      .events();
    expect(ran.map((e) => e.type)).toEqual(["TaskStopped", "JobSucceeded"]);
  });
});

describe("task state changes", () => {
  it("records RUNNING, and ignores a duplicate or an older version", () => {
    const events = given(JOB, launched(JOB))
      .when(observe(running(1, 3)))
      .events();
    expect(events).toEqual([
      { type: "TaskRunning", at, attempt: 1, taskArn: taskArn(1), ecsVersion: 3, timings: {} },
    ]);
    const after = [...launched(JOB), ...events];
    given(JOB, after)
      .when(observe(running(1, 3)))
      .thenNothing();
    given(JOB, after)
      .when(observe(running(1, 2)))
      .thenNothing();
  });

  it("succeeds on exit 0", () => {
    const events = given(JOB, launched(JOB))
      .when(observe(stopped(1, { exitCode: 0 })))
      .events();
    expect(events.map((e) => e.type)).toEqual(["TaskStopped", "JobSucceeded"]);
    expect(events[0]).toMatchObject({ exitCode: 0, stopCode: "EssentialContainerExited" });
    expect(events[0]).not.toHaveProperty("failure");
  });

  it("fails at once on a non-retryable exit code, naming it", () => {
    const events = given(JOB, launched(JOB))
      .when(observe(stopped(1, { exitCode: 65 })))
      .events();
    expect(events[1]).toEqual({
      type: "JobFailed",
      at,
      reason: "worker exited with non-retryable code 65 (input is not a processable video)",
    });
  });

  it("retries other exit codes with exponential backoff, then fails after maxAttempts", () => {
    const first = given(JOB, launched(JOB))
      .when(observe(stopped(1, { exitCode: 1 })))
      .events();
    expect(first[1]).toMatchObject({
      type: "RetryScheduled",
      nextAttempt: 2,
      delaySeconds: 10,
      countsAsAttempt: true,
    });
    const second = given(JOB, [...launched(JOB), ...first, ...retried(2).slice(1)])
      .when(observe(stopped(2, { exitCode: 1 })))
      .events();
    expect(second[1]).toMatchObject({ type: "RetryScheduled", nextAttempt: 3, delaySeconds: 20 });
    const third = given(JOB, [
      ...launched(JOB),
      ...first,
      ...retried(2).slice(1),
      ...second,
      ...retried(3).slice(1),
    ])
      .when(observe(stopped(3, { exitCode: 1 })))
      .events();
    expect(third[1]).toMatchObject({
      type: "JobFailed",
      reason: "failed after 3 attempts; last: worker exited with code 1",
    });
  });

  it("names an out-of-memory kill as such (exit 137 or OutOfMemoryError)", () => {
    for (const stop of [
      { exitCode: 137 },
      { containerReason: "OutOfMemoryError: Container killed due to memory usage" },
    ]) {
      const [stoppedEvent, retry] = given(JOB, launched(JOB))
        .when(observe(stopped(1, stop)))
        .events();
      expect(stoppedEvent).toMatchObject({ failure: { kind: "out-of-memory" } });
      expect(retry).toMatchObject({ type: "RetryScheduled", reason: expect.stringMatching(/^OutOfMemory/) });
    }
  });

  it("retries infrastructure failures without using an attempt", () => {
    const stop = stopped(1, {
      stopCode: "TaskFailedToStart",
      stoppedReason: "CannotPullContainerError: pull image manifest has been retried 5 time(s)",
    });
    const events = given(JOB, launched(JOB)).when(observe(stop)).events();
    expect(events[0]).not.toHaveProperty("exitCode");
    expect(events[1]).toMatchObject({ type: "RetryScheduled", nextAttempt: 2, countsAsAttempt: false });
    const state = foldEvents(JOB, [...launched(JOB), ...events]);
    expect(state).toMatchObject({ status: "RETRYING", attemptsUsed: 0, infraRetries: 1, retryAttempt: 2 });
  });

  it("uses the attempt of the recorded task ARN when the event does not name it", () => {
    const { attempt: _omit, ...unnamed } = stopped(1, { exitCode: 0 });
    expect(
      given(JOB, launched(JOB))
        .when(observe(unnamed))
        .events()
        .map((e) => e.type),
    ).toEqual(["TaskStopped", "JobSucceeded"]);
    given(JOB, launched(JOB))
      .when(observe({ ...unnamed, taskArn: taskArn(9) }))
      .thenNothing();
  });

  it("ignores events of an earlier attempt's task", () => {
    const history = [
      ...launched(JOB),
      ...jobDecider(TEST_POLICY)(foldEvents(JOB, launched(JOB)), observe(stopped(1, { exitCode: 1 }))),
      ...retried(2).slice(1),
    ];
    given(JOB, history)
      .when(observe(stopped(1, { exitCode: 1 }, 9)))
      .thenNothing();
  });

  it("records the stop of a cancelled job's task without deciding anything else", () => {
    const history: JobEvent[] = [...launched(JOB), { type: "JobCancelled", at, reason: "by user" }];
    const events = given(JOB, history)
      .when(observe(stopped(1, { exitCode: 143, stopCode: "UserInitiated" })))
      .events();
    expect(events.map((e) => e.type)).toEqual(["TaskStopped"]);
    expect(foldEvents(JOB, [...history, ...events]).status).toBe("CANCELLED");
  });
});

describe("retry messages", () => {
  const history = (): JobEvent[] => [
    ...launched(JOB),
    {
      type: "RetryScheduled",
      at,
      nextAttempt: 2,
      delaySeconds: 10,
      reason: "x",
      countsAsAttempt: true,
      manual: false,
    },
  ];
  it("launch the awaited attempt only", () => {
    given(JOB, history())
      .when({ type: "LaunchRetry", now: at, attempt: 2 })
      .then([
        {
          type: "TaskLaunchRequested",
          at,
          attempt: 2,
          clientToken: "job-1.2",
          size: TEST_SIZE,
          capacity: "FARGATE",
        },
      ]);
    given(JOB, history()).when({ type: "LaunchRetry", now: at, attempt: 3 }).thenNothing();
    given(JOB, [...history(), ...retried(2).slice(1)])
      .when({ type: "LaunchRetry", now: at, attempt: 2 })
      .thenNothing();
  });
  it("for an unknown job is an error", () => {
    given(JOB, []).when({ type: "LaunchRetry", now: at, attempt: 2 }).thenThrows(JobNotFoundError);
  });
});

describe("cancel, time out, retry by hand", () => {
  const failed: JobEvent[] = [...launched(JOB), { type: "JobFailed", at, reason: "bad" }];
  it("cancels an active job, refuses a finished one", () => {
    given(JOB, launched(JOB))
      .when({ type: "Cancel", now: at, reason: "by user" })
      .then([{ type: "JobCancelled", at, reason: "by user" }]);
    given(JOB, failed)
      .when({ type: "Cancel", now: at, reason: "by user" })
      .thenThrows(InvalidTransitionError, /it is FAILED/);
    given(JOB, []).when({ type: "Cancel", now: at, reason: "x" }).thenThrows(JobNotFoundError);
  });
  it("times out an active job only", () => {
    given(JOB, launched(JOB))
      .when({ type: "TimeOut", now: at, reason: "over 1h" })
      .then([{ type: "JobTimedOut", at, reason: "over 1h" }]);
    given(JOB, failed).when({ type: "TimeOut", now: at, reason: "over 1h" }).thenNothing();
  });
  it("retries a failed job with a fresh budget, keeping its history", () => {
    const events = given(JOB, failed)
      .when({ type: "ManualRetry", now: at, reason: "retried by hand" })
      .events();
    expect(events).toEqual([
      {
        type: "RetryScheduled",
        at,
        nextAttempt: 2,
        delaySeconds: 0,
        reason: "retried by hand",
        countsAsAttempt: false,
        manual: true,
      },
    ]);
    const state = foldEvents(JOB, [...failed, ...events]);
    expect(state).toMatchObject({ status: "RETRYING", attemptsUsed: 0, retryAttempt: 2 });
    expect(state.finishedAt).toBeUndefined();
  });
  it("refuses to retry a job that has not ended in failure", () => {
    given(JOB, launched(JOB))
      .when({ type: "ManualRetry", now: at, reason: "x" })
      .thenThrows(InvalidTransitionError, /only FAILED, TIMED_OUT, CANCELLED/);
  });
});
