// `jobs stats --sizes` against a real local DynamoDB seeded through the job model: succeeded jobs whose worker
// reported its peak memory and CPU time, run at 1 vCPU / 2 GiB in us-east-1, and the size recommended from
// them (hand-computed below), as people see it at 80 columns and in JSON.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoDbJobStore } from "../../jobs/adapters/aws/dynamodb-store";
import { type LocalDynamoDb, startLocalDynamoDb } from "../support/dynamodb";
import { seed } from "../support/histories";
import { seedMeasuredJob } from "../support/measured-jobs";
import { dynamoEnv, jobs, NOW } from "./support/run";

const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);
const ONE_VCPU_2GB = { cpuUnits: 1024, memoryMib: 2048 };

let db: LocalDynamoDb;
let env: Record<string, string>;
/** A second table with too few measured jobs, and sizes not recorded (launched before launches had sizes). */
let fewEnv: Record<string, string>;

beforeAll(async () => {
  db = await startLocalDynamoDb();
  const table = await db.createTable("cli-sizes");
  const store = new DynamoDbJobStore(db.client, { tableName: table, retentionDays: 0 });
  // 19 jobs at 400 MiB and 0.2 vCPU (20 CPU-seconds over 100 s running), one at 1200 MiB and 0.6 vCPU:
  // the p95 (nearest rank ceil(0.95 x 20) = 19) is 400 MiB and 0.2 vCPU.
  for (let i = 0; i < 19; i++) {
    await seedMeasuredJob(store, `job-${i}`, minutesAgo(10 + i), {
      peakMemoryMb: 400,
      cpuSeconds: 20,
      ranFor: 100,
      size: ONE_VCPU_2GB,
    });
  }
  await seedMeasuredJob(store, "job-big", minutesAgo(40), {
    peakMemoryMb: 1200,
    cpuSeconds: 60,
    ranFor: 100,
    size: ONE_VCPU_2GB,
  });
  // A worker that reported nothing, and jobs that did not succeed: not measured / not looked at.
  await seedMeasuredJob(store, "job-old-worker", minutesAgo(50), { size: ONE_VCPU_2GB });
  await seed(store, "job-oom", "out-of-memory", minutesAgo(60));
  env = dynamoEnv(db.endpoint, table);

  const few = await db.createTable("cli-sizes-few");
  const fewStore = new DynamoDbJobStore(db.client, { tableName: few, retentionDays: 0 });
  for (let i = 0; i < 3; i++) {
    await seedMeasuredJob(fewStore, `few-${i}`, minutesAgo(10 + i), {
      peakMemoryMb: 250 + i * 50,
      recorded: "nothing",
    });
  }
  fewEnv = dynamoEnv(db.endpoint, few);
});
afterAll(async () => {
  await db?.stop();
});

describe("jobs stats --sizes", () => {
  it("recommends the size at 80 columns, with the saving and the jobs that would run out of memory", async () => {
    const result = await jobs(["stats", "--sizes"], { env });
    expect(result.code).toBe(0);
    // p95 (rank 19 of 20) 400 MiB x 1.25 = 500 MiB; 0.2 vCPU x 1.25 = 0.25: 0.25 vCPU with 512 MiB.
    // 1 x 0.04048 + 2 x 0.004445 = $0.04937/h -> 0.25 x 0.04048 + 0.5 x 0.004445 = $0.0123425/h: 75% less.
    expect(result.stdout).toMatchInlineSnapshot(`
      "Sizes from the jobs submitted 2026-11-25 12:00:00Z .. 2026-11-26 12:00:00Z
        measured      20 of 21 succeeded job(s) (1 recorded no peak memory)
        peak memory   p50 400 MiB   p95 400 MiB   max 1200 MiB
        vCPUs used    p50 0.20   p95 0.20   max 0.60   (20 job(s))
        current       1 vCPU, 2048 MiB, X86_64
        recommended   0.25 vCPU, 512 MiB
                      p95 peak 400 MiB + 25% = 500 MiB; p95 0.20 vCPU + 25% = 0.25
        saving        $0.037028 per job-hour, 75.0% of the current size
                      $0.049370/h -> $0.012343/h: us-east-1 On-Demand, 2026-11-29
        would OOM     1 of 20 measured job(s) peaked above 512 MiB
        stack config: workerCpu 256, workerMemoryMb 512
      "
    `);
    for (const line of result.stdout.split("\n")) expect(line.length).toBeLessThanOrEqual(80);
  });

  it("gives the same in JSON, with the rules it applied", async () => {
    const body = (await jobs(["stats", "--sizes", "--json"], { env })).json<{
      sizes: Record<string, unknown> & { saving: { percent: number; perJobHourUsd: number } };
    }>();
    expect(body.sizes).toMatchObject({
      measured: 20,
      unmeasured: 1,
      current: { cpu: 1024, memoryMib: 2048 },
      currentFrom: "history",
      recommended: { cpu: 256, memoryMib: 512 },
      wouldRunOutOfMemory: 1,
      region: "us-east-1",
      rules: { percentile: 95, memoryHeadroom: 0.25, cpuHeadroom: 0.25, minMeasuredJobs: 10 },
    });
    expect(body.sizes.saving.percent).toBeCloseTo(75, 6);
    expect(body.sizes.saving.perJobHourUsd).toBeCloseTo(0.0370275, 9);
  });

  it("with too few measured jobs shows what was measured and recommends nothing (exit 0)", async () => {
    const result = await jobs(["stats", "--sizes", "--cpu", "512", "--memory", "1024"], { env: fewEnv });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("  measured      3 of 3 succeeded job(s)\n");
    expect(result.stdout).toContain("  peak memory   p50 300 MiB   p95 350 MiB   max 350 MiB\n");
    expect(result.stdout).toContain("  vCPUs used    - (no job gave its CPU time)\n");
    expect(result.stdout).toContain("  current       0.5 vCPU, 1024 MiB, X86_64 (--cpu/--memory)\n");
    expect(result.stdout).toContain(
      "  recommended   none yet: 3 measured job(s); a recommendation needs at least 10\n",
    );
  });

  it("says the size is unknown when the history records none and no --cpu/--memory is given", async () => {
    const result = await jobs(["stats", "--sizes"], { env: fewEnv });
    expect(result.stdout).toContain(
      "  current       unknown: the history records no size (give --cpu and --memory)\n",
    );
  });

  it("refuses --cpu without --memory, and a size Fargate does not offer", async () => {
    const alone = await jobs(["stats", "--sizes", "--cpu", "1024"], { env });
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain("--cpu and --memory go together");
    const invalid = await jobs(["stats", "--sizes", "--cpu", "256", "--memory", "4096"], { env });
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain("--cpu/--memory: memory 4096 MiB is not valid with cpu 256");
  });

  it("refuses --cpu/--memory without --sizes: the statistics read no size", async () => {
    const result = await jobs(["stats", "--cpu", "1024", "--memory", "2048"], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--cpu goes with --sizes");
    const memory = await jobs(["stats", "--memory", "2048"], { env });
    expect(memory.code).toBe(2);
    expect(memory.stderr).toContain("--memory goes with --sizes");
  });

  it("documents the rules in --help", async () => {
    const result = await jobs(["stats", "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("--sizes");
    expect(result.stdout).toContain("p95 of peak memory plus\n25%");
  });
});
