// Why this is tested: as first written, slots.ts promises "Holding is keyed by job id, so taking or giving back twice (at-least-once
// delivery, a crash and a redelivery) counts once: the pool cannot drift", and "two takers of one job meet in
// the same shard". With shards that is false: a job whose own shard was full took a slot of the next shard;
// once its own shard has room, a second acquire for the same job (a duplicated submit or retry message read
// before either delivery wrote, a second starter) takes a SECOND slot there and answers alreadyHeld: false.
// One release then leaves the job holding a slot after its launch ended (a leak until the sweeper's repair),
// and holders() (a Map) counts the job once, so the RunningTasks gauge and repair's inUse undercount.
// Both pools (dynamodb-slots.ts acquire, memory-capacity.ts acquire) behave so.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoDbSlotPool } from "../../jobs/adapters/aws/dynamodb-slots";
import { MemorySlotPool } from "../../jobs/adapters/memory/memory-capacity";
import type { SlotPool } from "../../jobs/capacity/slots";
import { capacityTableOf, type LocalDynamoDb, startLocalDynamoDb } from "../support/dynamodb";

const NOW = "2026-11-30T01:00:00.000Z";
let db: LocalDynamoDb;
beforeAll(async () => {
  db = await startLocalDynamoDb();
});
afterAll(async () => db?.stop());

describe.each([
  ["in memory", async (cap: number): Promise<SlotPool> => new MemorySlotPool(cap)],
  [
    "on DynamoDB",
    async (cap: number): Promise<SlotPool> =>
      new DynamoDbSlotPool(db.client, capacityTableOf(await db.createTable("slots")), cap),
  ],
])("the slot pool %s with two shards", (_, pool) => {
  it("counts a job once when it takes its slot twice, and one release frees it", async () => {
    const slots = await pool(50); // two shards of 25
    const job = "job-x";
    const [home] = slots.shards.probeOrder(job);
    // Fill the job's own shard with others.
    const others: string[] = [];
    for (let i = 0; others.length < 25; i++) {
      const id = `other-${i}`;
      if (slots.shards.probeOrder(id)[0] !== home) continue;
      expect((await slots.acquire(id, NOW)).acquired).toBe(true);
      others.push(id);
    }
    expect(await slots.acquire(job, NOW)).toMatchObject({ acquired: true, alreadyHeld: false }); // the other shard
    await slots.release(others[0] as string); // its own shard has room again

    const again = await slots.acquire(job, NOW); // a duplicate delivery's taker
    expect(again).toEqual({ acquired: true, alreadyHeld: true });
    await slots.release(job); // the change that ends its launch gives the slot back, once
    expect((await slots.holders()).has(job)).toBe(false);
  });
});
