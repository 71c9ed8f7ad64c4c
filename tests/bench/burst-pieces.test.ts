// The pieces the burst benchmark stands on: the virtual clock (timers wake in time order, run stops at its
// limit, a stall is an error), the floor (the burst: 2,000 tasks, cap 500, 130 s lifetimes, 100 burst
// and 20/s — four waves, the last launch at 410 s) and the histories' checks (tasks alive at once, read from
// ECS's timings; a second task of a job; a job never ended; a waiting job overtaken by a later one).

import { describe, expect, it } from "vitest";
import { checkHistories } from "../../bench/burst-checks";
import { launchFloor } from "../../bench/launch-floor";
import { VirtualClock } from "../../bench/virtual-clock";
import type { JobEvent } from "../../jobs/model/events";
import { foldEvents } from "../../jobs/model/state";
import type { StoredJob } from "../../jobs/store/store";

describe("the virtual clock", () => {
  it("wakes sleepers in time order, moving time only when nothing else can run", async () => {
    const clock = new VirtualClock(0);
    const woke: string[] = [];
    const sleeper = async (label: string, ms: number) => {
      await clock.sleep(ms);
      woke.push(`${label}@${clock.now()}`);
      await Promise.resolve(); // work after waking runs before time moves again
      woke.push(`${label} done@${clock.now()}`);
    };
    void sleeper("b", 30);
    void sleeper("a", 10);
    void sleeper("c", 30);
    expect(await clock.run(() => woke.length === 6, 1000)).toBe(true);
    expect(woke).toEqual(["a@10", "a done@10", "b@30", "c@30", "b done@30", "c done@30"]);
  });

  it("stops at its limit, and calls a stall an error", async () => {
    const clock = new VirtualClock(0);
    void clock.sleep(5000);
    expect(await clock.run(() => false, 1000)).toBe(false);
    await expect(new VirtualClock(0).run(() => false, 1000)).rejects.toThrow(/stalled at 0 ms/);
  });
});

describe("the floor", () => {
  it("launches the issue's burst in four waves, the last at 410 s", () => {
    const launches = launchFloor({
      tasks: 2000,
      limits: { ratePerSecond: 20, burst: 100 },
      maxRunningTasks: 500,
      taskLifetimeMs: 130_000,
    });
    // The burst at once, then 20/s up to the cap; each later wave as the first stops, the bucket full again.
    expect([launches[99], launches[100], launches[499]]).toEqual([0, 50, 20_000]);
    expect([launches[500], launches[599], launches[600], launches[999]]).toEqual([
      130_000, 130_000, 130_050, 150_000,
    ]);
    expect(launches.at(-1)).toBe(410_000);
  });

  it("is the token bucket alone when the cap does not bind", () => {
    const launches = launchFloor({
      tasks: 300,
      limits: { ratePerSecond: 20, burst: 100 },
      maxRunningTasks: 1000,
      taskLifetimeMs: 130_000,
    });
    expect(launches.at(-1)).toBe(10_000);
  });
});

describe("the histories' checks", () => {
  const T = Date.parse("2026-11-30T00:00:00.000Z");
  const at = (s: number) => new Date(T + s * 1000).toISOString();
  const job = (jobId: string, events: JobEvent[]): StoredJob => ({
    state: foldEvents(jobId, events),
    events,
    version: events.length,
  });
  const life = (jobId: string, taskArn: string, from: number, to: number | undefined): JobEvent[] => [
    {
      type: "JobSubmitted",
      at: at(0),
      jobId,
      input: { videoUrl: "s3://b/k.mp4" },
      source: { kind: "message" },
    },
    { type: "TaskLaunchRequested", at: at(from), attempt: 1, clientToken: `${jobId}.1` },
    { type: "TaskLaunched", at: at(from + 0.1), attempt: 1, taskArn },
    ...(to === undefined
      ? []
      : ([
          {
            type: "TaskStopped",
            at: at(to + 1),
            attempt: 1,
            taskArn,
            ecsVersion: 5,
            exitCode: 0,
            timings: { createdAt: at(from), stoppedAt: at(to) },
          },
          { type: "JobSucceeded", at: at(to + 1), attempt: 1 },
        ] satisfies JobEvent[])),
  ];

  it("counts tasks alive at once from ECS's timings; a stop and a start at one moment do not overlap", () => {
    const stored = new Map([
      ["a", job("a", life("a", "t-a", 0, 10))],
      ["b", job("b", life("b", "t-b", 10, 20))],
      ["c", job("c", life("c", "t-c", 5, 15))],
    ]);
    const report = checkHistories(["a", "b", "c"], stored, T + 60_000);
    expect(report).toMatchObject({ succeeded: 3, lost: 0, failed: 0, launchedTwice: 0, maxRunning: 2 });
    expect(report.launchesMs).toEqual([T, T + 5000, T + 10_000]);
  });

  it("counts waiting jobs started after a job that joined the line later", () => {
    const waited = (jobId: string, joined: number, started: number): JobEvent[] => {
      const [submitted, requested, ...rest] = life(jobId, `t-${jobId}`, started, started + 10);
      return [
        submitted as JobEvent,
        { type: "JobWaiting", at: at(joined), attempt: 1, reason: "all slots are taken" },
        requested as JobEvent,
        ...rest,
      ];
    };
    const stored = new Map([
      ["x", job("x", waited("x", 1, 5))],
      ["y", job("y", waited("y", 2, 3))],
      ["z", job("z", waited("z", 2, 4))],
      ["w", job("w", life("w", "t-w", 0, 10))],
    ]);
    const report = checkHistories(["x", "y", "z", "w"], stored, T + 60_000);
    // x joined first but started after y and z; y and z joined together, so neither overtook the other.
    expect(report).toMatchObject({ waited: 3, overtaken: 1 });
  });

  it("finds a job never ended, a job with two tasks, and counts an unstopped task as alive", () => {
    const twice = [
      ...life("d", "t-d1", 0, undefined),
      { type: "TaskLaunched", at: at(1), attempt: 1, taskArn: "t-d2" },
    ];
    const stored = new Map([
      ["d", job("d", twice as JobEvent[])],
      ["e", job("e", life("e", "t-e", 0, 10))],
    ]);
    const report = checkHistories(["d", "e", "missing"], stored, T + 60_000);
    expect(report).toMatchObject({ succeeded: 1, lost: 2, launchedTwice: 1, maxRunning: 3 });
  });
});
