// What the slot pool on DynamoDB asks of DynamoDB: a take reads every shard's count and the job's entry in
// one BatchGetItem and then updates only a shard it read as free; a pool read as full is refused after that
// one read (not a failed update per shard), and a give-back is that read and one update. Counted on the client.

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

function countingClient(): { client: DynamoDBClient; requests: string[] } {
  const requests: string[] = [];
  const client = new DynamoDBClient({
    endpoint: db.endpoint,
    region: "us-east-1",
    credentials: TEST_CREDENTIALS,
  });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      requests.push(String(context.commandName));
      return next(args);
    },
    { step: "initialize", name: "countRequests" },
  );
  return { client, requests };
}

it("takes a free slot in two requests and refuses on a full pool of 4 shards in one", {
  timeout: 60_000,
}, async () => {
  const { client, requests } = countingClient();
  const slots = new DynamoDbSlotPool(client, capacityTableOf(await db.createTable("requests")), 100);
  expect(slots.shards.caps).toHaveLength(4);
  for (let i = 0; i < 100; i++) expect((await slots.acquire(`job-${i}`, NOW)).acquired).toBe(true);
  requests.length = 0;
  expect(await slots.acquire("job-late", NOW)).toEqual({ acquired: false, alreadyHeld: false });
  expect(requests).toEqual(["BatchGetItemCommand"]);

  requests.length = 0;
  await slots.release("job-7");
  expect(requests).toEqual(["BatchGetItemCommand", "UpdateItemCommand"]);
  requests.length = 0;
  expect(await slots.acquire("job-late", NOW)).toMatchObject({ acquired: true, alreadyHeld: false });
  expect(requests).toEqual(["BatchGetItemCommand", "UpdateItemCommand"]);
  requests.length = 0;
  expect(await slots.acquire("job-late", NOW)).toEqual({ acquired: true, alreadyHeld: true });
  expect(requests).toEqual(["BatchGetItemCommand"]);
  expect((await slots.holders()).size).toBe(100);
  client.destroy();
});

it("puts right a shard's count that disagrees with its holders when the holders are read", async () => {
  const { client } = countingClient();
  const table = capacityTableOf(await db.createTable("recount"));
  const slots = new DynamoDbSlotPool(client, table, 2);
  expect((await slots.acquire("a", NOW)).acquired).toBe(true);
  // A shard written before the count existed (or a count gone wrong): it says full, one slot is free.
  const { UpdateItemCommand } = await import("@aws-sdk/client-dynamodb");
  await client.send(
    new UpdateItemCommand({
      TableName: table,
      Key: { name: { S: "running-tasks#0" } },
      UpdateExpression: "SET taken = :n",
      ExpressionAttributeValues: { ":n": { N: "2" } },
    }),
  );
  expect((await slots.acquire("b", NOW)).acquired).toBe(false);
  expect([...(await slots.holders()).keys()]).toEqual(["a"]);
  expect((await slots.acquire("b", NOW)).acquired).toBe(true);
  expect((await slots.acquire("c", NOW)).acquired).toBe(false);
  client.destroy();
});
