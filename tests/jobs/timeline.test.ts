// Durations derived from histories made by the job model (success, retries, tasks that never started,
// a task still running), and the statistics over them.

import { describe, expect, it } from "vitest";
import { MemoryJobStore } from "../../jobs/adapters/memory/memory-store";
import { distribution, jobStats, percentile } from "../../jobs/insights/stats";
import { jobTimeline, span } from "../../jobs/insights/timeline";
import { type Scenario, seed } from "../support/histories";

const T0 = new Date("2026-11-26T10:00:00.000Z");
const s = (seconds: number) => seconds * 1000;

async function history(scenario: Scenario) {
  const store = new MemoryJobStore();
  await seed(store, "job", scenario, T0);
  const stored = await store.get("job");
  if (stored === undefined) throw new Error("not seeded");
  return stored;
}

describe("jobTimeline", () => {
  it("gives each attempt its size and capacity, and why a retry moved it", () => {
    const at = T0.toISOString();
    const size = (memoryMib: number) => ({ cpu: 1024, memoryMib });
    const timeline = jobTimeline([
      {
        type: "JobSubmitted",
        at,
        jobId: "job",
        input: { videoUrl: "s3://b/k.mp4" },
        source: { kind: "cli" },
      },
      {
        type: "TaskLaunchRequested",
        at,
        attempt: 1,
        clientToken: "job.1",
        size: size(2048),
        capacity: "FARGATE_SPOT",
      },
      {
        type: "RetryScheduled",
        at,
        nextAttempt: 2,
        delaySeconds: 0,
        reason: "SpotInterruption",
        countsAsAttempt: false,
        manual: false,
        capacity: "FARGATE",
      },
      {
        type: "TaskLaunchRequested",
        at,
        attempt: 2,
        clientToken: "job.2",
        size: size(2048),
        capacity: "FARGATE",
      },
      {
        type: "RetryScheduled",
        at,
        nextAttempt: 3,
        delaySeconds: 0,
        reason: "OutOfMemory",
        countsAsAttempt: true,
        manual: false,
        size: size(4096),
      },
      {
        type: "TaskLaunchRequested",
        at,
        attempt: 3,
        clientToken: "job.3",
        size: size(4096),
        capacity: "FARGATE",
      },
      {
        type: "RetryScheduled",
        at,
        nextAttempt: 4,
        delaySeconds: 0,
        reason: "exit 1",
        countsAsAttempt: true,
        manual: false,
      },
      {
        type: "TaskLaunchRequested",
        at,
        attempt: 4,
        clientToken: "job.4",
        size: size(4096),
        capacity: "FARGATE",
      },
    ]);
    expect(
      timeline.attempts.map(({ attempt, size, capacity, placementChange }) => ({
        attempt,
        size,
        capacity,
        placementChange,
      })),
    ).toEqual([
      { attempt: 1, size: size(2048), capacity: "FARGATE_SPOT", placementChange: undefined },
      { attempt: 2, size: size(2048), capacity: "FARGATE", placementChange: "after Spot let attempt 1 down" },
      {
        attempt: 3,
        size: size(4096),
        capacity: "FARGATE",
        placementChange: "bigger: attempt 2 ran out of memory",
      },
      { attempt: 4, size: size(4096), capacity: "FARGATE", placementChange: undefined },
    ]);
  });

  it("splits a successful job's time into queued, provisioning, image pull, running and total", async () => {
    const { events } = await history("success");
    const timeline = jobTimeline(events);
    // Task created at +3 s, pulled +11..+19 s, started +21 s, ran 60 s; success recorded at +85 s.
    expect(timeline.durations).toEqual({
      queued: s(3),
      provisioning: s(8),
      imagePull: s(8),
      running: s(60),
      total: s(85),
    });
    expect(timeline.attempts).toHaveLength(1);
    expect(timeline.attempts[0]).toMatchObject({ attempt: 1, exitCode: 0, ran: true, stopped: true });
  });

  it("sums the attempts of a retried job and keeps each attempt's outcome", async () => {
    const { events } = await history("retried-then-succeeded");
    const timeline = jobTimeline(events);
    expect(timeline.attempts.map((a) => [a.attempt, a.exitCode, a.durations.running])).toEqual([
      [1, 1, s(30)],
      [2, 0, s(45)],
    ]);
    expect(timeline.attempts[0]?.failure?.kind).toBe("exit-code");
    expect(timeline.durations.running).toBe(s(75));
    expect(timeline.durations.queued).toBe(s(3));
  });

  it("gives tasks that failed to start no running time, and their provisioning up to the stop", async () => {
    const { events } = await history("failed-to-start");
    const timeline = jobTimeline(events);
    expect(timeline.attempts.map((a) => [a.ran, a.stopped, a.stopCode, a.failure?.kind])).toEqual([
      [false, true, "TaskFailedToStart", "infrastructure"],
      [false, true, "TaskFailedToStart", "infrastructure"],
      [false, true, "TaskFailedToStart", "infrastructure"],
    ]);
    expect(timeline.durations.running).toBeUndefined();
    expect(timeline.finishedAt).toBeDefined();
  });

  it("measures what is still going on only when given the time", async () => {
    const { events } = await history("running");
    expect(jobTimeline(events).durations.running).toBeUndefined();
    expect(jobTimeline(events).durations.total).toBeUndefined();
    const now = new Date(T0.getTime() + s(300)).toISOString();
    const timeline = jobTimeline(events, now);
    expect(timeline.durations.running).toBe(s(300 - 21));
    expect(timeline.durations.total).toBe(s(300));
  });

  it("a rejected message took no time and has no attempts", async () => {
    const { events } = await history("rejected");
    expect(jobTimeline(events)).toMatchObject({ attempts: [], durations: { total: 0 } });
  });

  it("never reports a negative span between two clocks", () => {
    expect(span("2026-11-26T10:00:01Z", "2026-11-26T10:00:00Z")).toBe(0);
    expect(span(undefined, "2026-11-26T10:00:00Z")).toBeUndefined();
  });
});

describe("jobStats", () => {
  it("counts statuses, the success rate of jobs that ran to an outcome, launches and durations", async () => {
    const scenarios: Scenario[] = [
      "success",
      "retried-then-succeeded",
      "out-of-memory",
      "rejected",
      "cancelled",
    ];
    const histories = await Promise.all(scenarios.map(history));
    const stats = jobStats(histories);
    expect(stats.jobs).toBe(5);
    expect(stats.byStatus).toMatchObject({ SUCCEEDED: 2, FAILED: 1, REJECTED: 1, CANCELLED: 1, RUNNING: 0 });
    expect(stats.successRate).toBeCloseTo(2 / 3);
    expect(stats.attempts).toMatchObject({ count: 4, max: 3, histogram: { "1": 2, "2": 1, "3": 1 } });
    expect(stats.queueWait).toMatchObject({ count: 4, p50: s(3), p95: s(3) });
    // success 60 s, retried 30+45 s, OOM 3x20 s; the cancelled task never reported its stop.
    expect(stats.runTime).toMatchObject({ count: 3, p50: s(60), p95: s(75), max: s(75) });
    expect(stats.totalTime.count).toBe(4); // the rejection is not a job that took time
  });

  it("has no success rate when nothing finished", () => {
    expect(jobStats([]).successRate).toBeUndefined();
    expect(jobStats([]).queueWait).toEqual({ count: 0 });
  });
});

describe("percentile", () => {
  it("is the nearest rank: always one of the values", () => {
    const values = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(10);
    expect(percentile(values, 95)).toBe(19);
    expect(percentile(values, 100)).toBe(20);
    expect(percentile([7], 95)).toBe(7);
    expect(distribution([3, 1, 2])).toEqual({ count: 3, p50: 2, p95: 3, max: 3, mean: 2 });
    expect(() => percentile([], 50)).toThrow();
    expect(() => percentile([1], 0)).toThrow();
  });
});
