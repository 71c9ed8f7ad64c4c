// `show` and `stats` with the cost recorded per attempt (tasks of 1 vCPU, 2 GiB, x86 On-Demand in
// us-east-1: $0.04937 per hour = $0.04937/3600 per second, one-minute minimum), against a real local
// DynamoDB seeded through the job model.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeLocalEndpoints } from "../../config/local-endpoints";
import { DynamoDbJobStore } from "../../jobs/adapters/aws/dynamodb-store";
import { type LocalDynamoDb, startLocalDynamoDb } from "../support/dynamodb";
import { type Scenario, seed } from "../support/histories";
import { dynamoEnv, jobs, NOW } from "./support/run";

const hoursAgo = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000);
const SEEDED: Array<[string, Scenario, Date]> = [
  ["job-ok", "success", hoursAgo(1)], // pull -> stop 73 s: 0.04937 x 73 / 3600 = 0.001001114
  ["job-retried", "retried-then-succeeded", hoursAgo(2)], // 43 s and 58 s: 60 s each, 0.000822833 x 2
  ["job-oom", "out-of-memory", hoursAgo(3)], // 3 x 33 s: 3 x 0.000822833
  ["job-pull", "failed-to-start", hoursAgo(4)], // never pulled: 3 x $0
  ["job-corrupt", "bad-input", hoursAgo(5)], // 17 s: 0.000822833
  ["job-running", "running", hoursAgo(0.05)], // not stopped: no cost yet
];

let db: LocalDynamoDb;
let env: Record<string, string>;
/** The same table as local mode's (`--local`), whose costs are estimates. */
let localEnv: Record<string, string>;

beforeAll(async () => {
  db = await startLocalDynamoDb();
  const table = await db.createTable("cli-cost");
  const store = new DynamoDbJobStore(db.client, { tableName: table, retentionDays: 0 });
  for (const [jobId, scenario, at] of SEEDED) await seed(store, jobId, scenario, at);
  env = dynamoEnv(db.endpoint, table);
  const endpoints = join(mkdtempSync(join(tmpdir(), "jobs-cli-cost-")), "endpoints.json");
  writeLocalEndpoints(endpoints, {
    region: "us-east-1",
    endpoints: {
      dynamodb: db.endpoint,
      s3: "http://127.0.0.1:1",
      sqs: "http://127.0.0.1:2",
      ecs: "http://127.0.0.1:3",
    },
    tableName: table,
    queueUrl: "http://127.0.0.1:2/000000000000/jobs",
    clusterArn: "arn:aws:ecs:us-east-1:000000000000:cluster/local",
    bucket: "local-uploads",
  });
  localEnv = { JOBS_LOCAL_ENDPOINTS: endpoints };
});
afterAll(async () => {
  await db?.stop();
});

describe("jobs show: cost", () => {
  it("prints each attempt's cost with what it was billed for, and the total", async () => {
    const result = await jobs(["show", "job-retried"], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("\nCost\n");
    expect(result.stdout).toContain("  attempt 1: $0.000823  60 s x 1 vCPU, 2 GB, X86_64, FARGATE\n");
    expect(result.stdout).toContain("  attempt 2: $0.000823  60 s");
    expect(result.stdout).toContain("  total: $0.001646 Fargate compute (us-east-1 prices of 2026-11-29)");
  });

  it("gives the attempts' costs and the prices used in JSON", async () => {
    const result = await jobs(["show", "job-ok", "--json"], { env });
    const body = result.json<{
      cost: { totalUsd: number; estimate: boolean; attempts: Array<{ attempt: number; cost: unknown }> };
    }>();
    expect(body.cost.totalUsd).toBe(0.001001114);
    expect(body.cost.estimate).toBe(false);
    expect(body.cost.attempts[0]).toMatchObject({
      attempt: 1,
      cost: { billedSeconds: 73, prices: { vcpuHour: 0.04048, gbHour: 0.004445, region: "us-east-1" } },
    });
  });

  it("prints no cost section for a job with no stopped task yet", async () => {
    const result = await jobs(["show", "job-running"], { env });
    expect(result.stdout).not.toContain("\nCost");
  });
});

describe("jobs stats: cost", () => {
  it("prints the total, the cost per successful job and the share spent on failed attempts", async () => {
    const result = await jobs(["stats"], { env });
    expect(result.code).toBe(0);
    const out = result.stdout;
    // 0.001001114 + 0.001645666 + 0.002468499 + 0 + 0.000822833
    expect(out).toContain("total         $0.005938 over 10 attempt(s)");
    expect(out).toContain("per success   $0.002969 (all attempts over 2 succeeded job(s))");
    // retried #1, 3 OOM, 3 failed to start ($0), bad input: 0.004114165 of 0.005938112
    expect(out).toContain("failed        $0.004114 (69.3% spent on attempts that failed)");
    expect(out).toContain("Other services per job (estimate from measured call counts, not recorded)");
    expect(out).toMatch(/DynamoDB\s+\$0\.0000104\s+4 writes \(16 WRU\), 3 consistent reads/);
    expect(out).toMatch(/Lambda\s+\$\S+-\$\S+\s+2\.14-7 invocations/);
  });

  it("gives the same in JSON", async () => {
    const body = (await jobs(["stats", "--json"], { env })).json<{
      cost: { totalUsd: number; perSucceededJobUsd: number; failedShare: number; servicesPerJob: unknown[] };
    }>();
    expect(body.cost.totalUsd).toBe(0.005938112);
    expect(body.cost.perSucceededJobUsd).toBe(0.002969056);
    expect(body.cost.failedShare).toBeCloseTo(0.004114165 / 0.005938112, 6);
    expect(body.cost.servicesPerJob).toHaveLength(4);
  });
});

describe("local mode's cost", () => {
  // The local ECS reports each task's own size (an attempt retried bigger is priced bigger): only the timings
  // are local, and the label says no more than that.
  it("is labelled an estimate from local timings in show and stats", async () => {
    const shown = await jobs(["--local", "show", "job-retried"], { env: localEnv });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain("\nCost (estimate: local timings)\n");
    const stats = await jobs(["--local", "stats"], { env: localEnv });
    expect(stats.code).toBe(0);
    expect(stats.stdout).toContain("\nFargate compute (estimate: local timings)\n");
  });
});
