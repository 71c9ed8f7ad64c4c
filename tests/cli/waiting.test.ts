// The CLI shows jobs waiting for a running-task slot with their place in line (oldest first: the order
// they start in): `show` says it in words, `list` beside the status. Against a real local DynamoDB.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoDbJobStore } from "../../jobs/adapters/aws/dynamodb-store";
import { jobDecider } from "../../jobs/model/decide";
import { DEFAULT_RETRY_POLICY } from "../../jobs/model/retry-policy";
import { changeJob } from "../../jobs/store/store";
import { type LocalDynamoDb, startLocalDynamoDb } from "../support/dynamodb";
import { dynamoEnv, jobs, NOW } from "./support/run";

let db: LocalDynamoDb;
let env: Record<string, string>;
const WAITING = ["first-in", "second-in", "third-in"];

beforeAll(async () => {
  db = await startLocalDynamoDb();
  const table = await db.createTable("waiting");
  const store = new DynamoDbJobStore(db.client, { tableName: table, retentionDays: 0 });
  for (const [i, jobId] of WAITING.entries()) {
    const now = new Date(NOW.getTime() - (10 - i) * 60_000).toISOString();
    await changeJob(store, jobId, (state) =>
      jobDecider(DEFAULT_RETRY_POLICY)(state, {
        type: "Submit",
        now,
        jobId,
        input: { videoUrl: `s3://uploads/${jobId}.mp4` },
        source: { kind: "message" },
        mustWait: "all 2 running-task slots are taken (the stack's maxRunningTasks)",
      }),
    );
  }
  env = dynamoEnv(db.endpoint, table);
});
afterAll(async () => db?.stop());

describe("waiting jobs in the CLI", () => {
  it("show gives a waiting job's place in line and why it waits", async () => {
    const second = await jobs(["show", "second-in"], { env });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/WAITING/);
    expect(second.stdout).toMatch(/in line +2nd of 3 waiting for a running-task slot, oldest first/);
    expect(second.stdout).toMatch(/reason +all 2 running-task slots are taken/);
    expect((await jobs(["show", "first-in"], { env })).stdout).toMatch(/1st of 3 waiting .*: starts next/);
    const json = (await jobs(["show", "third-in", "--json"], { env })).json<{ inLine: unknown }>();
    expect(json.inLine).toEqual({ place: 3, waiting: 3, more: false });
  });

  it("list shows each waiting job's place beside its status", async () => {
    const result = await jobs(["list", "--status", "waiting"], { env: { ...env, COLUMNS: "160" } });
    expect(result.code).toBe(0);
    const rows = result.stdout.split("\n").filter((line) => line.includes("-in "));
    expect(rows.map((row) => row.match(/WAITING #\d/)?.[0])).toEqual([
      "WAITING #3",
      "WAITING #2",
      "WAITING #1",
    ]);
  });
});
