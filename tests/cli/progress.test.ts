// A RUNNING job says where its worker is: the step its log last started (contracts/progress-schema.ts),
// in `show` and, as it changes, in `watch`. Local mode's log files and a real local DynamoDB.

import { mkdtempSync, writeFileSync } from "node:fs";
import { appendFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeProgress, progressOf } from "../../cli/progress";
import { parseLogLine } from "../../cli/worker-logs";
import { writeLocalEndpoints } from "../../config/local-endpoints";
import { DynamoDbJobStore } from "../../jobs/adapters/aws/dynamodb-store";
import { type LocalDynamoDb, startLocalDynamoDb } from "../support/dynamodb";
import { JobDriver, taskArnFor, video } from "../support/histories";
import { jobs, NOW } from "./support/run";

const taskIdOf = (arn: string) => arn.slice(arn.lastIndexOf("/") + 1);
const line = (time: string, fields: Record<string, unknown>) =>
  `${JSON.stringify({ time, level: "info", jobId: "runs", attempt: 1, ...fields })}\n`;
const started = (step: string, stepNumber: number, time = "2026-11-26T11:59:40.000Z") =>
  line(time, { msg: "step started", step, stepNumber, steps: 5 });
const ended = (step: string, time = "2026-11-26T11:59:41.000Z") =>
  line(time, { msg: "step", step, status: "ok", durationMs: 1000 });

let db: LocalDynamoDb;
let store: DynamoDbJobStore;
let endpoints: string;
let logFile: string;

beforeAll(async () => {
  db = await startLocalDynamoDb();
  const table = await db.createTable("progress");
  store = new DynamoDbJobStore(db.client, { tableName: table, retentionDays: 0 });
  const state = mkdtempSync(join(tmpdir(), "jobs-progress-"));
  await mkdir(join(state, "logs"));
  endpoints = join(state, "endpoints.json");
  writeLocalEndpoints(endpoints, {
    region: "us-east-1",
    endpoints: {
      dynamodb: db.endpoint,
      s3: "http://127.0.0.1:1",
      sqs: "http://127.0.0.1:1",
      ecs: "http://127.0.0.1:1",
    },
    tableName: table,
    queueUrl: "http://127.0.0.1:1/000000000000/jobs",
    clusterArn: "arn:aws:ecs:us-east-1:000000000000:cluster/local",
    bucket: "uploads",
  });
  logFile = join(state, "logs", `${taskIdOf(taskArnFor("runs", 1))}.log`);
});
afterAll(async () => db?.stop());

describe("a running job's progress", () => {
  it("is the step its log last started, or the last one done between steps", () => {
    const read = (text: string) =>
      progressOf(
        text
          .split("\n")
          .filter(Boolean)
          .map((l) => parseLogLine(l)),
      );
    expect(read("")).toBeUndefined();
    expect(read(started("tools", 1) + ended("tools") + started("fetch", 2))).toMatchObject({
      step: "fetch",
      stepNumber: 2,
      steps: 5,
      done: false,
    });
    expect(read(started("probe", 3) + ended("probe"))).toMatchObject({ step: "probe", done: true });
    const now = new Date("2026-11-26T11:59:52.000Z");
    expect(describeProgress(read(started("analyse", 4)), now)).toBe("step 4 of 5, analyse, started 12s ago");
    expect(describeProgress(undefined, now)).toBe("starting (no step logged yet)");
  });

  it("show prints it for a RUNNING job, and --json carries it", async () => {
    const job = new JobDriver(store, "runs", new Date(NOW.getTime() - 60_000));
    await job.submit(0, video("runs"));
    await job.launched(2, 1);
    await job.running(3, 1);
    writeFileSync(
      logFile,
      started("tools", 1) + ended("tools") + started("analyse", 4, "2026-11-26T11:59:50.000Z"),
    );
    const env = { JOBS_LOCAL_ENDPOINTS: endpoints };
    const shown = await jobs(["--local", "show", "runs"], { env });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/progress +step 4 of 5, analyse, started 10s ago/);
    const json = (await jobs(["--local", "show", "runs", "--json"], { env })).json<{ progress: unknown }>();
    expect(json.progress).toMatchObject({ progress: { step: "analyse", stepNumber: 4, done: false } });

    // watch prints it each time the step changes, then the end.
    let sleeps = 0;
    const watched = await jobs(["--local", "watch", "runs", "--interval", "1"], {
      env,
      sleep: async () => {
        sleeps++;
        if (sleeps === 1)
          await appendFile(logFile, ended("analyse") + started("upload", 5, "2026-11-26T11:59:58.000Z"));
        if (sleeps === 2) await job.stopped(3, 1, { exitCode: 0 }, 30);
      },
    });
    expect(watched.code).toBe(0);
    const progress = watched.stdout.split("\n").filter((l) => l.includes("progress:"));
    expect(progress).toEqual([
      "  progress: step 4 of 5, analyse, started 10s ago",
      "  progress: step 5 of 5, upload, started 2s ago",
    ]);
  });
});
