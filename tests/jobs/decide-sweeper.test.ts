// Specifications of the decisions behind the sweeper and the edges of issue "No job stuck, none lost":
// deadlines (stop asked, then STOPPED or lost), lost tasks, resumed launches, resent retries, throttled
// launches, tasks the pipeline did not launch, and the bound on launches per job.

import { describe, expect, it } from "vitest";
import { MAX_LAUNCHES_PER_JOB, MAX_RETRY_RESENDS, MAX_THROTTLED_LAUNCHES } from "../../jobs/model/decide";
import { InvalidTransitionError } from "../../jobs/model/errors";
import type { JobEvent } from "../../jobs/model/events";
import { foldEvents } from "../../jobs/model/state";
import {
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

const JOB = "job-s";
const at = T0;
const runningJob: JobEvent[] = [
  ...launched(JOB),
  { type: "TaskRunning", at, attempt: 1, taskArn: taskArn(1), ecsVersion: 3, timings: { startedAt: at } },
];
const stopAsked = (deadline: "launch" | "run", base: JobEvent[] = runningJob): JobEvent[] => [
  ...base,
  {
    type: "TaskStopRequested",
    at,
    attempt: 1,
    taskArn: taskArn(1),
    deadline,
    reason: `${deadline} deadline`,
  },
];

describe("a deadline passes", () => {
  it("asks to stop the attempt's task once", () => {
    const request = {
      type: "RequestStop",
      now: at,
      attempt: 1,
      deadline: "run",
      reason: "too long",
    } as const;
    given(JOB, runningJob)
      .when(request)
      .then([
        {
          type: "TaskStopRequested",
          at,
          attempt: 1,
          taskArn: taskArn(1),
          deadline: "run",
          reason: "too long",
        },
      ]);
    given(JOB, stopAsked("run")).when(request).thenNothing();
    given(JOB, submitted(JOB)).when(request).thenNothing(); // no task known yet
    given(JOB, runningJob)
      .when({ ...request, attempt: 2 })
      .thenNothing();
  });

  it("times the job out when the stopped task reports, whatever its exit code, unless it succeeded", () => {
    given(JOB, stopAsked("run"))
      .when({
        type: "ObserveTask",
        now: at,
        observation: stopped(1, { exitCode: 143, stopCode: "UserInitiated" }, 6),
      })
      .then([
        expect.objectContaining({ type: "TaskStopped", exitCode: 143 }),
        { type: "JobTimedOut", at, reason: "run deadline" },
      ] as JobEvent[]);
    given(JOB, stopAsked("run"))
      .when({ type: "ObserveTask", now: at, observation: stopped(1, { exitCode: 0 }, 6) })
      .then([
        expect.objectContaining({ type: "TaskStopped" }),
        { type: "JobSucceeded", at, attempt: 1 },
      ] as JobEvent[]);
  });

  it("retries a launch stopped for its deadline as an infrastructure failure", () => {
    const events = given(JOB, stopAsked("launch", launched(JOB)))
      .when({ type: "ObserveTask", now: at, observation: stopped(1, { stopCode: "UserInitiated" }, 4) })
      .events();
    expect(events.at(-1)).toMatchObject({ type: "RetryScheduled", nextAttempt: 2, countsAsAttempt: false });
  });
});

describe("a lost task", () => {
  const lost = { type: "RecordTaskLost", now: at, attempt: 1, taskArn: taskArn(1), reason: "gone" } as const;

  it("is recorded and retried as an infrastructure failure, within its bound", () => {
    given(JOB, runningJob)
      .when(lost)
      .then([
        { type: "TaskLost", at, attempt: 1, taskArn: taskArn(1), reason: "gone" },
        {
          type: "RetryScheduled",
          at,
          nextAttempt: 2,
          delaySeconds: 10,
          reason: "task lost: gone",
          countsAsAttempt: false,
          manual: false,
        },
      ]);
    const events = given(JOB, runningJob, { ...TEST_POLICY, maxInfraRetries: 0 })
      .when(lost)
      .events();
    expect(events.at(-1)).toMatchObject({
      type: "JobFailed",
      reason: "gave up after 0 infrastructure retries; last: task lost: gone",
    });
  });

  it("ends the job TIMED_OUT when its stop was asked for the run deadline", () => {
    given(JOB, stopAsked("run"))
      .when(lost)
      .then([
        { type: "TaskLost", at, attempt: 1, taskArn: taskArn(1), reason: "gone" },
        { type: "JobTimedOut", at, reason: "run deadline" },
      ]);
  });

  it("changes nothing for another attempt, another task, or a finished job", () => {
    given(JOB, runningJob)
      .when({ ...lost, attempt: 2 })
      .thenNothing();
    given(JOB, runningJob)
      .when({ ...lost, taskArn: taskArn(9) })
      .thenNothing();
    given(JOB, [...runningJob, { type: "JobCancelled", at, reason: "x" }])
      .when(lost)
      .thenNothing();
  });

  it("of a launch that never started a task is lost too", () => {
    const events = given(JOB, submitted(JOB))
      .when({ type: "RecordTaskLost", now: at, attempt: 1, reason: "no task" })
      .events();
    expect(events.map((e) => e.type)).toEqual(["TaskLost", "RetryScheduled"]);
  });
});

describe("resumed launches and resent retries", () => {
  it("resumes only the launch in flight", () => {
    const resume = { type: "ResumeLaunch", now: at, attempt: 1, reason: "no answer" } as const;
    given(JOB, submitted(JOB))
      .when(resume)
      .then([{ type: "LaunchResumed", at, attempt: 1, reason: "no answer" }]);
    given(JOB, launched(JOB)).when(resume).thenNothing();
  });

  it("resends a retry at most once per interval", () => {
    const failed: JobEvent[] = [
      ...runningJob,
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
    const resend = {
      type: "ResendRetry",
      now: at,
      attempt: 2,
      reason: "overdue",
      notWithinSeconds: 300,
    } as const;
    given(JOB, failed)
      .when(resend)
      .then([{ type: "RetryResent", at, attempt: 2, reason: "overdue" }]);
    const resent: JobEvent[] = [...failed, { type: "RetryResent", at, attempt: 2, reason: "overdue" }];
    given(JOB, resent).when(resend).thenNothing();
    const later = new Date(Date.parse(at) + 301_000).toISOString();
    expect(
      given(JOB, resent)
        .when({ ...resend, now: later })
        .events(),
    ).toHaveLength(1);
    given(JOB, failed)
      .when({ ...resend, attempt: 3 })
      .thenNothing();
    // ... and gives up, saying why, rather than grow the history without bound.
    const resentOften = Array.from(
      { length: MAX_RETRY_RESENDS },
      (): JobEvent => ({
        type: "RetryResent",
        at,
        attempt: 2,
        reason: "overdue",
      }),
    );
    expect(
      given(JOB, [...failed, ...resentOften])
        .when({ ...resend, now: later })
        .events(),
    ).toEqual([
      {
        type: "JobFailed",
        at: later,
        reason: `the retry of attempt 2 was sent ${MAX_RETRY_RESENDS + 1} times and never launched (is the dispatcher consuming the jobs queue?)`,
      },
    ]);
  });
});

describe("throttled launches", () => {
  /** RunTask of attempt 1 refused for ECS's rate, as readLaunchFailure reads it. */
  const throttled = (reason = "InvalidParameterException: Rate exceeded") =>
    ({
      type: "RecordLaunchFailure",
      now: at,
      attempt: 1,
      failure: { reason, retryable: true, throttled: true },
    }) as const;

  it("put the job back in line, spending neither an attempt nor an infrastructure retry", () => {
    const events = given(JOB, submitted(JOB)).when(throttled()).events();
    expect(events).toEqual([
      {
        type: "JobWaiting",
        at,
        attempt: 1,
        reason: "launch throttled: InvalidParameterException: Rate exceeded",
        throttled: true,
      },
    ]);
    expect(foldEvents(JOB, [...submitted(JOB), ...events])).toMatchObject({
      status: "WAITING",
      attemptsUsed: 0,
      infraRetries: 0,
      throttledLaunches: 1,
      retryAttempt: 1,
      waitingSince: at,
    });
  });

  it("start again as the same attempt, with the same client token (an earlier call's task is found again)", () => {
    const refused = given(JOB, submitted(JOB)).when(throttled("ThrottlingException: Rate exceeded")).events();
    given(JOB, [...submitted(JOB), ...refused])
      .when({ type: "StartWaiting", now: at })
      .then([
        {
          type: "TaskLaunchRequested",
          at,
          attempt: 1,
          clientToken: `${JOB}.1`,
          size: TEST_SIZE,
          capacity: "FARGATE",
        },
      ]);
  });

  it("never use up the launches of a job; only hours of them in a row fail it, saying why", () => {
    let history: JobEvent[] = submitted(JOB);
    for (let i = 0; i < MAX_THROTTLED_LAUNCHES; i++) {
      const refused = given(JOB, history).when(throttled("Rate exceeded")).events();
      history = [
        ...history,
        ...refused,
        ...given(JOB, [...history, ...refused])
          .when({ type: "StartWaiting", now: at })
          .events(),
      ];
    }
    expect(foldEvents(JOB, history)).toMatchObject({
      status: "LAUNCHING",
      attempt: 1,
      throttledLaunches: MAX_THROTTLED_LAUNCHES,
    });
    const last = given(JOB, history).when(throttled("Rate exceeded")).events();
    expect(last.at(-1)).toMatchObject({
      type: "JobFailed",
      reason: expect.stringMatching(/^ECS throttled 301 launches/),
    });
  });
});

describe("tasks the pipeline did not launch", () => {
  it("never create a job", () => {
    given("nobody", [])
      .when({ type: "ObserveTask", now: at, observation: running(1) })
      .thenNothing();
    given("nobody", [])
      .when({ type: "ObserveTask", now: at, observation: running(0) })
      .thenNothing();
  });

  it("never change a job whose attempt has another task", () => {
    const byHand = { ...stopped(1, { exitCode: 1 }, 9), taskArn: taskArn(77) };
    given(JOB, runningJob).when({ type: "ObserveTask", now: at, observation: byHand }).thenNothing();
  });
});

describe("the bound on launches per job", () => {
  const atLimit = (events: JobEvent[]): JobEvent[] =>
    events.map((e) => ("attempt" in e ? { ...e, attempt: MAX_LAUNCHES_PER_JOB } : e));

  it("fails a job at the limit instead of retrying it again", () => {
    const events = given(JOB, atLimit(runningJob))
      .when({
        type: "ObserveTask",
        now: at,
        observation: { ...stopped(1, { exitCode: 1 }, 6), attempt: MAX_LAUNCHES_PER_JOB },
      })
      .events();
    expect(events.at(-1)).toMatchObject({
      type: "JobFailed",
      reason: `reached the limit of ${MAX_LAUNCHES_PER_JOB} launches for one job; last: worker exited with code 1`,
    });
  });

  it("refuses a retry by hand at the limit, saying why", () => {
    given(JOB, [...atLimit(runningJob), { type: "JobFailed", at, reason: "x" }])
      .when({ type: "ManualRetry", now: at, reason: "again" })
      .thenThrows(InvalidTransitionError, /the most one job may have/);
  });
});
