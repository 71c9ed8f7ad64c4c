// Why this is tested: as first written, dynamodb-slots.ts acquire reads "holds no slot in any shard" and then probes; two takers of one
// job (a duplicated message, a second starter) that both read "none" can still land in two shards (the
// job's own shard full for the first, freed before the second). Both answer alreadyHeld: false, so the
// duplicate gives its slot back as "taken by this caller", and release() removes the job's entry in EVERY
// shard: the launching job is left holding no slot, and one more job can launch past the cap. Reachable
// with cap > 25 (SLOTS_PER_SHARD) through two concurrent starters of one WAITING job (start-waiting.ts:51,
// "started by another caller": release) or a rate refusal of a duplicate delivery (admission.ts:60).

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DynamoDbSlotPool } from "../../jobs/adapters/aws/dynamodb-slots";
import {
  capacityTableOf,
  type LocalDynamoDb,
  startLocalDynamoDb,
  TEST_CREDENTIALS,
} from "../support/dynamodb";

const NOW = "2026-11-30T01:00:00.000Z";
let db: LocalDynamoDb;
beforeAll(async () => {
  db = await startLocalDynamoDb();
});
afterAll(async () => db?.stop());

it("a duplicate taker that gives its slot back leaves the launching taker's slot held", async () => {
  const table = capacityTableOf(await db.createTable("dup"));
  const launcher = new DynamoDbSlotPool(db.client, table, 50); // two shards of 25
  // The duplicate's client pauses after its pre-read (BatchGetItem) until the gate opens.
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  let read: () => void = () => {};
  const hasRead = new Promise<void>((resolve) => {
    read = resolve;
  });
  const pausing = new DynamoDBClient({
    endpoint: db.endpoint,
    region: "us-east-1",
    credentials: TEST_CREDENTIALS,
  });
  pausing.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === "BatchGetItemCommand") {
        read();
        await gate;
      }
      return result;
    },
    { step: "initialize", name: "review2-pause-after-read" },
  );
  const duplicate = new DynamoDbSlotPool(pausing, table, 50);

  const job = "job-x";
  const [home] = launcher.shards.probeOrder(job);
  const others: string[] = [];
  for (let i = 0; others.length < 25; i++) {
    const id = `other-${i}`;
    if (launcher.shards.probeOrder(id)[0] !== home) continue;
    expect((await launcher.acquire(id, NOW)).acquired).toBe(true);
    others.push(id);
  }

  const second = duplicate.acquire(job, NOW); // reads "none", then waits
  await hasRead;
  const first = await launcher.acquire(job, NOW); // home full: takes the other shard
  expect(first).toMatchObject({ acquired: true, alreadyHeld: false });
  await launcher.release(others[0] as string); // an unrelated job ends: the home shard has room
  open();
  const answer = await second;
  // The duplicate took a slot itself (alreadyHeld: false) and the job was started by the other taker: it
  // gives back the one slot it took, as start-waiting.ts does.
  if (answer.acquired && !answer.alreadyHeld) await duplicate.giveBack(job, answer);

  // The launching job still holds a slot: without it, the cap no longer counts its task.
  expect((await launcher.holders()).has(job)).toBe(true);
  pausing.destroy();
});
