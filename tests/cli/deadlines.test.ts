// The CLI shows deadlines: `show` says when a job will be timed out (or its launch retried, or its retry
// sent), with the stack's deadlines or a job's own timeoutSeconds; `list --overdue` lists the stuck jobs
// the sweeper acts on. Against a real local DynamoDB, jobs driven through the job model.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoDbJobStore } from "../../jobs/adapters/aws/dynamodb-store";
import type { JobState } from "../../jobs/model/state";
import { type LocalDynamoDb, startLocalDynamoDb } from "../support/dynamodb";
import { JobDriver, video } from "../support/histories";
import { dynamoEnv, jobs, NOW } from "./support/run";

const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);
let db: LocalDynamoDb;
let env: Record<string, string>;

beforeAll(async () => {
  db = await startLocalDynamoDb();
  const table = await db.createTable("deadlines");
  const store = new DynamoDbJobStore(db.client, { tableName: table, retentionDays: 0 });
  const drive = async (jobId: string, started: Date, input = video(jobId)) => {
    const job = new JobDriver(store, jobId, started);
    await job.submit(0, input);
    await job.launched(2, 1);
    return job;
  };
  await (await drive("runs-briefly", minutesAgo(10))).running(3, 1); // started ~9m 39s ago
  await (await drive("runs-too-long", minutesAgo(90))).running(3, 1);
  await (
    await drive("own-timeout", minutesAgo(10), { ...video("own-timeout"), timeoutSeconds: 300 })
  ).running(3, 1);
  await drive("stuck-launch", minutesAgo(20)); // LAUNCHED, never RUNNING
  const retrying = await drive("retry-lost", minutesAgo(30));
  await retrying.running(3, 1);
  await retrying.stopped(3, 1, { exitCode: 1 }, 10); // retry due 10 s later; its message never came
  env = dynamoEnv(db.endpoint, table);
});
afterAll(async () => db?.stop());

describe("deadlines in the CLI", () => {
  it("show says when a running job will be timed out, by the stack's deadline or its own", async () => {
    const running = await jobs(["show", "runs-briefly"], { env });
    expect(running.stdout).toMatch(/deadline +timed out at [\d-]+ [\d:]+Z \(in 50m \d+s; 1 h run deadline\)/);
    const own = await jobs(["show", "own-timeout"], { env });
    expect(own.stdout).toMatch(
      /deadline +timed out at [\d-]+ [\d:]+Z \(overdue by 4m \d+s: the sweeper acts on it; 5 min run deadline\)/,
    );
  });

  it("show uses the stack's deadlines as the handlers get them", async () => {
    const result = await jobs(["show", "runs-briefly"], { env: { ...env, JOB_TIMEOUT_SECONDS: "7200" } });
    expect(result.stdout).toMatch(/in 1h 50m[^;]*; 2 h run deadline/);
  });

  it("show says when a launch will be retried and when a retry is due", async () => {
    expect((await jobs(["show", "stuck-launch"], { env })).stdout).toMatch(
      /deadline +launch retried at [\d-]+ [\d:]+Z unless it runs by then \(overdue by 5m \d+s: the sweeper acts on it; 15 min launch deadline\)/,
    );
    expect((await jobs(["show", "retry-lost"], { env })).stdout).toMatch(
      /deadline +retry due [\d-]+ [\d:]+Z \(overdue by/,
    );
  });

  it("list --overdue lists the stuck jobs the sweeper acts on, and only those", async () => {
    const result = await jobs(["list", "--overdue", "--json"], { env });
    expect(result.code).toBe(0);
    const listed = result
      .json<{ jobs: JobState[] }>()
      .jobs.map((job) => job.jobId)
      .sort();
    expect(listed).toEqual(["own-timeout", "retry-lost", "runs-too-long", "stuck-launch"]);
  });

  it("list --overdue says what it looked for, and refuses finished statuses", async () => {
    const none = await jobs(["list", "--overdue", "--status", "LAUNCHING"], { env });
    expect(none.stdout).toContain("no jobs overdue (past a deadline or a retry's due time) in LAUNCHING");
    const finished = await jobs(["list", "--overdue", "--status", "SUCCEEDED"], { env });
    expect(finished.code).toBe(2);
    expect(finished.stderr).toContain("--overdue lists active jobs only; SUCCEEDED is not active");
  });
});
