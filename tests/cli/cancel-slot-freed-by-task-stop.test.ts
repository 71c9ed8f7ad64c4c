// Why this is tested: as first written, `jobs cancel` runs on the operator's machine, which knows no
// capacity table: the cancelled job's slot stays held while its task stops, and the task's STOPPED,
// recorded by the task-state handler's store, gives it back (so the cap counts the task until it is gone).

import { ECSClient, StopTaskCommand } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DynamoDbSlotPool } from "../../jobs/adapters/aws/dynamodb-slots";
import { DynamoDbJobStore } from "../../jobs/adapters/aws/dynamodb-store";
import { slotReleasingStore } from "../../jobs/capacity/slots";
import { applyObservation } from "../../jobs/workflows/track-task";
import { capacityTableOf, type LocalDynamoDb, startLocalDynamoDb } from "../support/dynamodb";
import { TEST_POLICY } from "../support/factories";
import { CLUSTER, seed } from "../support/histories";
import { silent } from "../support/scripted-launcher";
import { dynamoEnv, jobs, NOW } from "./support/run";

const ecs = mockClient(ECSClient);
let db: LocalDynamoDb;
beforeAll(async () => {
  db = await startLocalDynamoDb();
});
afterAll(async () => {
  ecs.restore();
  await db?.stop();
});

it("a job cancelled by jobs cancel gives its slot back when its task's STOPPED is recorded", async () => {
  const table = await db.createTable("cancel");
  const store = new DynamoDbJobStore(db.client, { tableName: table, retentionDays: 30 });
  const slots = new DynamoDbSlotPool(db.client, capacityTableOf(table), 10);
  await seed(store, "c-running", "running", new Date(NOW.getTime() - 600_000));
  await slots.acquire("c-running", new Date(NOW.getTime() - 600_000).toISOString());
  ecs.on(StopTaskCommand).resolves({ task: { lastStatus: "RUNNING", desiredStatus: "STOPPED" } });

  const env = {
    ...dynamoEnv(db.endpoint, table),
    CLUSTER_ARN: `arn:aws:ecs:us-east-1:111122223333:cluster/${CLUSTER}`,
    CAPACITY_TABLE: capacityTableOf(table),
  };
  const result = await jobs(["cancel", "c-running"], { env });
  expect(result.code).toBe(0);
  expect((await store.get("c-running"))?.state.status).toBe("CANCELLED");
  expect((await slots.holders()).has("c-running")).toBe(true); // its task is still stopping
  const handlers = slotReleasingStore(store, slots);
  const observation = {
    taskArn: (await store.get("c-running"))?.state.taskArn as string,
    attempt: 1,
    lastStatus: "STOPPED",
    ecsVersion: 9,
    stopCode: "UserInitiated",
    exitCode: 143,
    timings: {},
  } as const;
  await applyObservation(
    {
      store: handlers,
      retryQueue: { sendRetry: async () => {} },
      policy: TEST_POLICY,
      clock: () => NOW.toISOString(),
      log: silent,
    },
    "c-running",
    observation,
  );
  expect((await slots.holders()).has("c-running")).toBe(false);
});
