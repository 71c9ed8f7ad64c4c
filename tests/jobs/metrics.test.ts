// The pipeline's metrics read from appended events (jobs/model/metrics.ts), and the store decorator that emits
// them after each successful append (jobs/store/metered-store.ts).

import { describe, expect, it } from "vitest";
import { MemoryJobStore } from "../../jobs/adapters/memory/memory-store";
import { ConcurrencyConflictError } from "../../jobs/model/errors";
import type { JobEvent, JobEventType } from "../../jobs/model/events";
import {
  JOB_METRICS,
  LAUNCH_FAILURE_CODES,
  launchFailureCode,
  type MetricPoint,
  metricsOfEvents,
  runningTaskPoints,
} from "../../jobs/model/metrics";
import { foldEvents } from "../../jobs/model/state";
import { meteredStore } from "../../jobs/store/metered-store";
import { changeJob } from "../../jobs/store/store";
import { launched, submitted, T0, taskArn } from "../support/factories";

const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();
const after = foldEvents("j", submitted("j"));
const count = (name: MetricPoint["name"], dimensions?: Record<string, string>): MetricPoint => ({
  name,
  value: 1,
  unit: "Count",
  ...(dimensions === undefined ? {} : { dimensions }),
});

// One example of every event type with the points it measures: a new event type does not compile here
// until it is given its metrics (or none).
const EXAMPLES: { readonly [T in JobEventType]: readonly [Extract<JobEvent, { type: T }>, MetricPoint[]] } = {
  JobSubmitted: [submitted("j")[0] as Extract<JobEvent, { type: "JobSubmitted" }>, [count("JobsSubmitted")]],
  JobRejected: [
    { type: "JobRejected", at: T0, jobId: "j", reason: "not JSON", rawInput: "x", truncated: false },
    [count("JobsRejected")],
  ],
  TaskLaunchRequested: [{ type: "TaskLaunchRequested", at: T0, attempt: 1, clientToken: "j.1" }, []],
  TaskLaunched: [{ type: "TaskLaunched", at: T0, attempt: 1, taskArn: taskArn(1) }, []],
  JobWaiting: [
    { type: "JobWaiting", at: T0, attempt: 1, reason: "all 5 running-task slots are taken" },
    [count("JobsWaiting")],
  ],
  TaskLaunchFailed: [
    { type: "TaskLaunchFailed", at: T0, attempt: 1, reason: "RESOURCE:MEMORY", retryable: true },
    [count("LaunchFailures", { Reason: "Capacity" })],
  ],
  TaskRunning: [
    {
      type: "TaskRunning",
      at: at(50),
      attempt: 1,
      taskArn: taskArn(1),
      ecsVersion: 2,
      timings: { startedAt: at(42) },
    },
    [{ name: "QueueWaitSeconds", value: 42, unit: "Seconds" }],
  ],
  TaskStopped: [
    {
      type: "TaskStopped",
      at: at(200),
      attempt: 1,
      taskArn: taskArn(1),
      ecsVersion: 5,
      exitCode: 0,
      timings: { startedAt: at(42), stoppedAt: at(162.5) },
    },
    [{ name: "RunTimeSeconds", value: 120.5, unit: "Seconds" }],
  ],
  TaskStopRequested: [
    { type: "TaskStopRequested", at: T0, attempt: 1, taskArn: taskArn(1), deadline: "run", reason: "r" },
    [count("SweeperActions", { Action: "stop" }), count("StuckJobsFound")],
  ],
  TaskLost: [
    { type: "TaskLost", at: T0, attempt: 1, reason: "gone" },
    [count("SweeperActions", { Action: "lost" }), count("StuckJobsFound")],
  ],
  LaunchResumed: [
    { type: "LaunchResumed", at: T0, attempt: 1, reason: "no answer" },
    [count("SweeperActions", { Action: "resume" }), count("StuckJobsFound")],
  ],
  RetryResent: [
    { type: "RetryResent", at: T0, attempt: 2, reason: "overdue" },
    [count("SweeperActions", { Action: "resend" }), count("StuckJobsFound")],
  ],
  JobSucceeded: [{ type: "JobSucceeded", at: T0, attempt: 1 }, [count("JobsSucceeded")]],
  RetryScheduled: [
    {
      type: "RetryScheduled",
      at: T0,
      nextAttempt: 2,
      delaySeconds: 30,
      reason: "r",
      countsAsAttempt: true,
      manual: false,
    },
    [],
  ],
  JobFailed: [{ type: "JobFailed", at: T0, reason: "r" }, [count("JobsFailed")]],
  JobTimedOut: [{ type: "JobTimedOut", at: T0, reason: "r" }, [count("JobsTimedOut")]],
  JobCancelled: [{ type: "JobCancelled", at: T0, reason: "r" }, [count("JobsCancelled")]],
};

describe("metricsOfEvents", () => {
  for (const [type, [event, points]] of Object.entries(EXAMPLES)) {
    it(`${type} measures ${points.map((p) => p.name).join(", ") || "nothing"}`, () => {
      expect(metricsOfEvents([event], after)).toEqual(points);
    });
  }

  it("measures every event of a change, in order, each metric with its declared unit", () => {
    const events = Object.values(EXAMPLES).map(([event]) => event);
    const points = metricsOfEvents(events, after);
    expect(points).toEqual(Object.values(EXAMPLES).flatMap(([, expected]) => expected));
    for (const point of points) expect(point.unit).toBe(JOB_METRICS[point.name].unit);
  });

  it("a throttled launch is a launch failure with reason Throttled, and a throttled launch", () => {
    const throttled: JobEvent = {
      type: "TaskLaunchFailed",
      at: T0,
      attempt: 1,
      reason: "ThrottlingException: Rate exceeded",
      retryable: true,
      throttled: true,
    };
    expect(metricsOfEvents([throttled], after)).toEqual([
      count("LaunchFailures", { Reason: "Throttled" }),
      count("ThrottledLaunches"),
    ]);
  });

  it("queue wait counts from the submission, and falls back to the event's time without startedAt", () => {
    const running: JobEvent = {
      type: "TaskRunning",
      at: at(7),
      attempt: 1,
      taskArn: taskArn(1),
      ecsVersion: 2,
      timings: {},
    };
    const late = foldEvents("j", submitted("j", at(-3)));
    expect(metricsOfEvents([running], late)).toEqual([
      { name: "QueueWaitSeconds", value: 10, unit: "Seconds" },
    ]);
  });

  it("a task stopped before it started has no run time", () => {
    const stopped: JobEvent = {
      type: "TaskStopped",
      at: T0,
      attempt: 1,
      taskArn: taskArn(1),
      ecsVersion: 3,
      stopCode: "TaskFailedToStart",
      timings: { stoppedAt: T0 },
    };
    expect(metricsOfEvents([stopped], after)).toEqual([]);
  });

  it("counts a throttled launch, recorded as JobWaiting, as a throttle and a launch failure too", () => {
    const throttled: JobEvent = {
      type: "JobWaiting",
      at: T0,
      attempt: 1,
      reason: "launch throttled",
      throttled: true,
    };
    expect(metricsOfEvents([throttled], after)).toEqual([
      count("JobsWaiting"),
      count("LaunchFailures", { Reason: "Throttled" }),
      count("ThrottledLaunches"),
    ]);
  });

  it("the capacity gauges carry slots in use and the cap", () => {
    expect(runningTaskPoints(37, 500)).toEqual([
      { name: "RunningTasks", value: 37, unit: "Count" },
      { name: "RunningTasksCap", value: 500, unit: "Count" },
    ]);
  });
});

describe("launchFailureCode", () => {
  const code = (reason: string, throttled?: boolean) =>
    launchFailureCode({ reason, ...(throttled === undefined ? {} : { throttled }) });

  it("reads ECS's wordings into a bounded code", () => {
    expect(code("InvalidParameterException: Rate exceeded", true)).toBe("Throttled");
    expect(code("RESOURCE:ENI")).toBe("Capacity");
    expect(code("Capacity is unavailable at this time")).toBe("Capacity");
    expect(code("AGENT")).toBe("Agent");
    expect(code("AccessDeniedException: User is not authorized to perform ecs:RunTask")).toBe("AccessDenied");
    expect(code("InvalidParameterException: No Fargate configuration exists")).toBe("InvalidRequest");
    expect(code("ClusterNotFoundException: Cluster not found.")).toBe("InvalidRequest");
    expect(code("RunTask returned neither a task nor a failure")).toBe("Other");
  });

  it("every code is a value the LaunchFailures breakdown declares", () => {
    expect(JOB_METRICS.LaunchFailures.breakdown.values).toEqual(LAUNCH_FAILURE_CODES);
  });
});

describe("meteredStore", () => {
  it("emits the points of the events appended, once the append is stored", async () => {
    const points: MetricPoint[] = [];
    const inner = new MemoryJobStore();
    const store = meteredStore(inner, {
      add: (point) => {
        points.push(point);
      },
    });
    await changeJob(store, "j", () => launched("j"));
    expect(points).toEqual([count("JobsSubmitted")]);
    expect((await inner.get("j"))?.events).toEqual(launched("j"));
    await changeJob(store, "j", () => [{ type: "JobCancelled", at: T0, reason: "r" }]);
    expect(points).toEqual([count("JobsSubmitted"), count("JobsCancelled")]);
  });

  it("emits nothing for an append that conflicts, and once for its retry", async () => {
    const points: MetricPoint[] = [];
    const inner = new MemoryJobStore();
    const store = meteredStore(inner, { add: (point) => void points.push(point) });
    await inner.append("j", 0, submitted("j"), foldEvents("j", submitted("j")));
    await expect(
      store.append("j", 0, [{ type: "JobFailed", at: T0, reason: "r" }], after),
    ).rejects.toBeInstanceOf(ConcurrencyConflictError);
    expect(points).toEqual([]);
    await changeJob(store, "j", () => [{ type: "JobFailed", at: T0, reason: "r" }], {
      known: { state: after, events: [], version: 0 },
    });
    expect(points).toEqual([count("JobsFailed")]);
  });

  it("reads pass through unchanged", async () => {
    const inner = new MemoryJobStore();
    await inner.append("j", 0, submitted("j"), foldEvents("j", submitted("j")));
    const store = meteredStore(inner, { add: () => {} });
    expect(await store.get("j")).toEqual(await inner.get("j"));
    expect(await store.listByStatus("LAUNCHING", { limit: 10 })).toEqual(
      await inner.listByStatus("LAUNCHING", { limit: 10 }),
    );
    const window = { from: at(-1), to: at(1) };
    expect(await store.listBySubmission(window, { limit: 10 })).toEqual(
      await inner.listBySubmission(window, { limit: 10 }),
    );
  });
});
