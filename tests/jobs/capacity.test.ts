// The cap on running tasks and the launch rate: the slot pool and the GCRA bucket, each against a real local
// DynamoDB (dynalite) and in memory with the same answers; admission; and waiting jobs started in order.

import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoDbLaunchRate } from "../../jobs/adapters/aws/dynamodb-launch-rate";
import { DynamoDbSlotPool } from "../../jobs/adapters/aws/dynamodb-slots";
import { MemorySlotPool, memoryCapacity } from "../../jobs/adapters/memory/memory-capacity";
import { MemoryJobStore } from "../../jobs/adapters/memory/memory-store";
import { admit, type Capacity } from "../../jobs/capacity/admission";
import {
  FARGATE_LAUNCH_LIMITS,
  gcraReserve,
  type LaunchRate,
  type LaunchRateLimits,
  MemoryLaunchRate,
} from "../../jobs/capacity/launch-rate";
import {
  endsLaunch,
  holdsSlot,
  repairSlots,
  type SlotPool,
  slotReleasingStore,
} from "../../jobs/capacity/slots";
import { foldEvents } from "../../jobs/model/state";
import type { LaunchRequest, TaskLauncher } from "../../jobs/store/ports";
import type { JobStore } from "../../jobs/store/store";
import { dispatchMessage } from "../../jobs/workflows/dispatch";
import { startWaitingJobs } from "../../jobs/workflows/start-waiting";
import { capacityTableOf, type LocalDynamoDb, startLocalDynamoDb } from "../support/dynamodb";
import { CONTAINER, TEST_POLICY } from "../support/factories";

let db: LocalDynamoDb;
beforeAll(async () => {
  db = await startLocalDynamoDb();
});
afterAll(async () => db?.stop());

const NOW = "2026-11-30T01:00:00.000Z";
const T0 = Date.parse(NOW);
const silent = { info: () => {}, warn: () => {} };

async function dynamoSlots(cap: number): Promise<DynamoDbSlotPool> {
  return new DynamoDbSlotPool(db.client, capacityTableOf(await db.createTable("slots")), cap);
}

async function dynamoRate(limits: LaunchRateLimits): Promise<DynamoDbLaunchRate> {
  return new DynamoDbLaunchRate(db.client, capacityTableOf(await db.createTable("rate")), limits);
}

describe.each([
  ["in memory", async (cap: number): Promise<SlotPool> => new MemorySlotPool(cap)],
  ["on DynamoDB", dynamoSlots],
])("the slot pool %s", (_, pool) => {
  it("never hands out more slots than the cap, however many ask at once", async () => {
    const slots = await pool(5);
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => slots.acquire(`job-${i}`, NOW)));
    expect(answers.filter((a) => a.acquired)).toHaveLength(5);
    expect((await slots.holders()).size).toBe(5);
  });

  it("keeps a large cap in shards and fills every slot of every shard, never more", async () => {
    const slots = await pool(60);
    expect(slots.shards.caps).toEqual([20, 20, 20]);
    const ids = Array.from({ length: 200 }, (_, i) => `job-${i}`);
    const answers = await Promise.all(ids.map((id) => slots.acquire(id, NOW)));
    expect(answers.filter((a) => a.acquired)).toHaveLength(60);
    expect((await slots.holders()).size).toBe(60);
    // A job whose own shard is full takes a slot of another: after 59 releases, any job gets the one left.
    const held = [...(await slots.holders()).keys()];
    for (const id of held.slice(1)) await slots.release(id);
    const late = ids.filter((id) => !held.includes(id));
    expect(
      (await Promise.all(late.map((id) => slots.acquire(id, NOW)))).filter((a) => a.acquired),
    ).toHaveLength(59);
  });

  it("counts a job once, however often it takes or gives back its slot", async () => {
    const slots = await pool(2);
    expect(await slots.acquire("a", NOW)).toMatchObject({ acquired: true, alreadyHeld: false });
    expect(await slots.acquire("a", "2026-11-30T02:00:00.000Z")).toEqual({
      acquired: true,
      alreadyHeld: true,
    });
    expect(await slots.acquire("b", NOW)).toMatchObject({ acquired: true, alreadyHeld: false });
    expect(await slots.acquire("c", NOW)).toEqual({ acquired: false, alreadyHeld: false });
    expect(await slots.acquire("a", NOW)).toEqual({ acquired: true, alreadyHeld: true }); // a holder keeps its slot
    await slots.release("a");
    await slots.release("a");
    expect((await slots.holders()).size).toBe(1);
    expect(await slots.acquire("c", NOW)).toMatchObject({ acquired: true, alreadyHeld: false });
    expect([...(await slots.holders())]).toEqual([
      ["b", NOW],
      ["c", NOW],
    ]);
  });

  it("restores a slot over the cap (the task runs whatever the cap says)", async () => {
    const slots = await pool(1);
    await slots.acquire("a", NOW);
    await slots.restore("b", NOW);
    expect((await slots.holders()).size).toBe(2);
    expect((await slots.acquire("c", NOW)).acquired).toBe(false);
  });
});

describe("the launch rate (GCRA)", () => {
  const limits = { ratePerSecond: 20, burst: 100 };

  it("lets a burst through at once, then one call every 1/rate s, and refuses what it would not reach within the wait", async () => {
    for (const rate of [new MemoryLaunchRate(limits), await dynamoRate(limits)]) {
      const times: number[] = [];
      for (let i = 0; i < 120; i++) times.push((await rate.reserve(T0, 1000)) ?? -1);
      expect(times.slice(0, 100)).toEqual(Array(100).fill(T0));
      expect(times.slice(100, 120)).toEqual(Array.from({ length: 20 }, (_, i) => T0 + (i + 1) * 50));
      expect(await rate.reserve(T0, 1000)).toBeUndefined(); // 1050 ms away
      expect(await rate.reserve(T0 + 60_000, 0)).toBe(T0 + 60_000); // refilled
    }
  });

  it("paces every launcher after a throttle: nothing before then, and no burst after", async () => {
    for (const rate of [new MemoryLaunchRate(limits), await dynamoRate(limits)]) {
      await rate.slowDown(T0 + 1000);
      expect(await rate.reserve(T0, 500)).toBeUndefined();
      expect(await rate.reserve(T0, 2000)).toBe(T0 + 1000);
      expect(await rate.reserve(T0, 2000)).toBe(T0 + 1050);
    }
  });

  it("shares one bucket among concurrent launchers on DynamoDB (no reservation twice)", async () => {
    const rate = await dynamoRate({ ratePerSecond: 10, burst: 1 });
    const times = await Promise.all(Array.from({ length: 30 }, () => rate.reserve(T0, 10_000)));
    expect(new Set(times).size).toBe(30);
    expect([...times].sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(
      Array.from({ length: 30 }, (_, i) => T0 + i * 100),
    );
  });

  it("never allows more than burst + rate x window calls in any window", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 400 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 120 }),
        (gaps, ratePerSecond, burst) => {
          const limits = { ratePerSecond, burst };
          let tat: number | undefined;
          let now = T0;
          const calls: number[] = [];
          for (const gap of gaps) {
            now += gap;
            const reservation = gcraReserve(tat, now, limits, 5_000);
            if (reservation === undefined) continue;
            tat = reservation.tat;
            calls.push(reservation.at);
          }
          calls.sort((a, b) => a - b);
          for (let i = 0; i < calls.length; i++) {
            for (let j = i; j < calls.length; j++) {
              const window = (calls[j] as number) - (calls[i] as number);
              expect(j - i + 1).toBeLessThanOrEqual(burst + Math.floor((window * ratePerSecond) / 1000) + 1);
            }
          }
        },
      ),
      { numRuns: 200, seed: 11 },
    );
  });
});

/** A launcher whose tasks run until the test stops them. */
class HeldTasks implements TaskLauncher {
  readonly running = new Set<string>();
  readonly order: string[] = [];
  maxRunning = 0;

  async launch(request: LaunchRequest) {
    this.running.add(request.jobId);
    this.order.push(request.jobId);
    this.maxRunning = Math.max(this.maxRunning, this.running.size);
    return {
      launched: true as const,
      taskArn: `arn:aws:ecs:us-west-2:111122223333:task/c/${request.clientToken}`,
    };
  }

  async stop() {
    return true;
  }
}

function deps(store: JobStore, launcher: TaskLauncher, capacity: Capacity, clock = () => NOW) {
  return {
    store: slotReleasingStore(store, capacity.slots),
    capacity,
    launcher,
    retryQueue: { sendRetry: async () => {} },
    target: { containerName: CONTAINER, outputBucket: "outputs", outputPrefix: "outputs/" },
    policy: TEST_POLICY,
    clock,
    log: silent,
  };
}

describe("admission and the line", () => {
  it("launches as many jobs as the cap allows; the rest wait, are never failed, and start oldest first", async () => {
    const store = new MemoryJobStore();
    const tasks = new HeldTasks();
    const capacity = memoryCapacity({ cap: 3, sleep: async () => {} });
    let tick = 0;
    // Each decision a millisecond later, so the line's order is the order of arrival.
    const d = deps(store, tasks, capacity, () => new Date(T0 + tick++).toISOString());
    const ids = Array.from({ length: 10 }, (_, i) => `job-${i}`);
    for (const jobId of ids)
      await dispatchMessage(
        d,
        JSON.stringify({ videoUrl: `s3://uploads/${jobId}.mp4`, jobId }),
        `m-${jobId}`,
      );
    expect(tasks.order).toEqual(["job-0", "job-1", "job-2"]);
    const waiting = await store.listByStatus("WAITING", { limit: 20, oldestFirst: true });
    expect(waiting.jobs.map((j) => j.jobId)).toEqual(ids.slice(3));
    expect(waiting.jobs[0]?.reason).toBe("no running-task slot is free (the stack's maxRunningTasks: 3)");

    // Tasks end one at a time (what the task-state handler records); each start takes the oldest waiting.
    for (let round = 0; round < 7; round++) {
      const finished = tasks.order[round] as string;
      tasks.running.delete(finished);
      const stored = await store.get(finished);
      const events = [
        { type: "JobCancelled" as const, at: new Date(T0 + tick++).toISOString(), reason: "done" },
      ];
      await d.store.append(
        finished,
        stored?.version ?? 0,
        events,
        foldEvents(finished, [...(stored?.events ?? []), ...events]),
      );
      await startWaitingJobs(d);
    }
    expect(tasks.order).toEqual(ids);
    expect(tasks.maxRunning).toBe(3);
    for (const jobId of ids) expect((await store.get(jobId))?.state.status).not.toBe("FAILED");
  });

  it("puts a new arrival behind jobs already waiting, even when a slot is free", async () => {
    const store = new MemoryJobStore();
    const capacity = memoryCapacity({ cap: 5 });
    const d = deps(store, new HeldTasks(), capacity);
    await dispatchMessage(d, JSON.stringify({ videoUrl: "s3://uploads/a.mp4", jobId: "older" }), "m1");
    // "older" is launching; make it wait as a throttle would, freeing its slot.
    await capacity.slots.release("older");
    const stored = await store.get("older");
    const waitEvent = {
      type: "JobWaiting" as const,
      at: NOW,
      attempt: 1,
      reason: "launch throttled: Rate exceeded",
      throttled: true,
    };
    await store.append(
      "older",
      stored?.version ?? 0,
      [waitEvent],
      foldEvents("older", [...(stored?.events ?? []), waitEvent]),
    );
    expect(await admit(d, "newer", { behindWaiting: true })).toEqual({
      kind: "line",
      reason: "older jobs are waiting for a slot",
    });
    expect((await capacity.slots.holders()).has("newer")).toBe(false);
  });

  it("gives the slot back when the launch turn is further than a launcher waits", async () => {
    const slots = new MemorySlotPool(10);
    const launchRate: LaunchRate = { reserve: async () => undefined, slowDown: async () => {} };
    const capacity = { slots, launchRate, sleep: async () => {}, maxLaunchWaitMs: 20_000 };
    expect(
      await admit({ store: new MemoryJobStore(), capacity, clock: () => NOW }, "j", { behindWaiting: false }),
    ).toEqual({ kind: "rate", reason: "RunTask's rate allows no launch within 20 s" });
    expect((await slots.holders()).size).toBe(0);
  });

  it("waits for its turn at the rate before it launches", async () => {
    const slept: number[] = [];
    const capacity = memoryCapacity({
      cap: 10,
      limits: { ratePerSecond: 2, burst: 1 },
      sleep: async (ms) => {
        slept.push(ms);
      },
    });
    const d = { store: new MemoryJobStore(), capacity, clock: () => NOW };
    const taken = { kind: "admitted", slot: { alreadyHeld: false } };
    expect(await admit(d, "a", { behindWaiting: false })).toMatchObject(taken);
    expect(await admit(d, "b", { behindWaiting: false })).toMatchObject(taken);
    expect(await admit(d, "b", { behindWaiting: false })).toMatchObject({
      kind: "admitted",
      slot: { alreadyHeld: true },
    });
    expect(slept).toEqual([500, 1000]);
  });
});

describe("giving slots back", () => {
  it("a change that ends a launch gives the slot back; others do not", () => {
    const launching = foldEvents("j", [
      {
        type: "JobSubmitted",
        at: NOW,
        jobId: "j",
        input: { videoUrl: "s3://uploads/j.mp4" },
        source: { kind: "message" },
      },
      { type: "TaskLaunchRequested", at: NOW, attempt: 1, clientToken: "j.1" },
    ]);
    expect(holdsSlot(launching)).toBe(true);
    expect(endsLaunch([{ type: "TaskLaunched", at: NOW, attempt: 1, taskArn: "t" }], launching)).toBe(false);
    const failed = { ...launching, status: "FAILED" as const };
    expect(endsLaunch([{ type: "JobFailed", at: NOW, reason: "x" }], failed)).toBe(true);
    const waiting = { ...launching, status: "WAITING" as const };
    expect(endsLaunch([{ type: "JobWaiting", at: NOW, attempt: 1, reason: "x" }], waiting)).toBe(false);
    expect(
      endsLaunch([{ type: "JobWaiting", at: NOW, attempt: 1, reason: "x", throttled: true }], waiting),
    ).toBe(true);
  });

  it("the sweeper's repair releases slots of jobs no longer in flight and restores those of jobs in flight", async () => {
    const store = new MemoryJobStore();
    const slots = new MemorySlotPool(10);
    const old = "2026-11-30T00:00:00.000Z";
    const submittedEvents = (jobId: string) => [
      {
        type: "JobSubmitted" as const,
        at: old,
        jobId,
        input: { videoUrl: `s3://uploads/${jobId}.mp4` },
        source: { kind: "message" as const },
      },
      { type: "TaskLaunchRequested" as const, at: old, attempt: 1, clientToken: `${jobId}.1` },
    ];
    const put = async (jobId: string, extra: Parameters<typeof foldEvents>[1] = []) => {
      const events = [...submittedEvents(jobId), ...extra];
      await store.append(jobId, 0, events, foldEvents(jobId, events));
    };
    await put("in-flight-held");
    await slots.acquire("in-flight-held", old);
    await put("in-flight-lost"); // its slot write was lost
    await put("ended-leaked", [{ type: "JobFailed", at: old, reason: "x" }]);
    await slots.acquire("ended-leaked", old);
    await slots.acquire("just-taken", NOW); // a launch about to be recorded: left alone
    const repair = await repairSlots({ store, slots, clock: () => NOW, log: silent });
    expect(repair).toEqual({ released: ["ended-leaked"], restored: ["in-flight-lost"], inUse: 3 });
    expect([...(await slots.holders()).keys()].sort()).toEqual([
      "in-flight-held",
      "in-flight-lost",
      "just-taken",
    ]);
  });
});

describe("the launch limits ECS documents", () => {
  it("are the defaults", () => {
    expect(FARGATE_LAUNCH_LIMITS).toEqual({ ratePerSecond: 20, burst: 100 });
  });
});
