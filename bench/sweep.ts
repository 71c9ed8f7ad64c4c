// Benchmark: what one sweeper run costs per 1,000 active jobs (issue "No job stuck, none lost").
// 1,000 jobs on a real local DynamoDB (dynalite) in the shape a busy stack has them: most RUNNING and quiet
// (the sweeper asks ECS about them), some RUNNING recently, some LAUNCHING with no answer, some RETRYING
// past their due time, some LAUNCHED past the launch deadline. ECS is a counting fake that knows every task
// as RUNNING. Two runs: the first acts on everything overdue, the second is the steady state (only the
// quiet running jobs are described again). Reported: DynamoDB queries, reads, writes and the read/write
// units DynamoDB reports, ECS calls by operation, SQS sends, and the wall time of each run.

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDbJobStore } from "../jobs/adapters/aws/dynamodb-store";
import { memoryCapacity } from "../jobs/adapters/memory/memory-capacity";
import type { Deadlines } from "../jobs/model";
import { DEFAULT_RETRY_POLICY, jobDecider } from "../jobs/model";
import type { DescribedTask, LaunchResult, Log, RetryQueue, TaskControl, TaskLauncher } from "../jobs/store";
import { changeJob } from "../jobs/store";
import { sweep } from "../jobs/workflows";
import { startLocalDynamoDb, TEST_CREDENTIALS } from "../tests/support/dynamodb";
import { type BenchSize, requireChecks } from "./bench-size";

export const name = "sweep";

const T0 = Date.parse("2026-11-29T08:00:00.000Z");
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
const DEADLINES: Deadlines = { launchSeconds: 900, runSeconds: 3600, quietSeconds: 300 };
type Mix = Record<
  "runningQuiet" | "runningFresh" | "launchingQuiet" | "retryingOverdue" | "launchedLate",
  number
>;
const MIXES: Record<BenchSize, Mix> = {
  full: { runningQuiet: 700, runningFresh: 100, launchingQuiet: 100, retryingOverdue: 50, launchedLate: 50 },
  small: { runningQuiet: 14, runningFresh: 2, launchingQuiet: 2, retryingOverdue: 1, launchedLate: 1 },
};
const NOW = 1000; // seconds after T0, when the sweeps run
const quiet: Log = { info() {}, warn() {} };

interface Counts {
  queries: number;
  gets: number;
  updates: number;
  readUnits: number;
  writeUnits: number;
  describeTasks: number;
  listTasks: number;
  stopTask: number;
  runTask: number;
  sqsSends: number;
}

export async function run(size: BenchSize = "full"): Promise<void> {
  const mix = MIXES[size];
  const db = await startLocalDynamoDb();
  const counts = zero();
  const client = new DynamoDBClient({
    endpoint: db.endpoint,
    region: "us-east-1",
    credentials: TEST_CREDENTIALS,
  });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = "TOTAL";
      const result = await next(args);
      const output = result.output as { ConsumedCapacity?: { CapacityUnits?: number } };
      const units = output.ConsumedCapacity?.CapacityUnits ?? 0;
      if (context.commandName === "QueryCommand") {
        counts.queries++;
        counts.readUnits += units;
      } else if (context.commandName === "GetCommand" || context.commandName === "GetItemCommand") {
        counts.gets++;
        counts.readUnits += units;
      } else if (context.commandName === "UpdateCommand" || context.commandName === "UpdateItemCommand") {
        counts.updates++;
        counts.writeUnits += units;
      }
      return result;
    },
    { step: "initialize" },
  );
  try {
    const store = new DynamoDbJobStore(client, {
      tableName: await db.createTable("sweep"),
      retentionDays: 0,
    });
    await seed(store, mix);
    const ecs = countingEcs(counts);
    const retryQueue: RetryQueue = {
      async sendRetry() {
        counts.sqsSends++;
      },
    };
    const deps = {
      store,
      tasks: ecs,
      launcher: ecs,
      retryQueue,
      target: { containerName: "worker", outputBucket: "b", outputPrefix: "outputs/" },
      policy: DEFAULT_RETRY_POLICY,
      deadlines: DEADLINES,
      log: quiet,
      capacity: memoryCapacity(),
      maxJobs: 1000,
    };
    const total = Object.values(mix).reduce((a, b) => a + b, 0);
    console.log(`${total} active jobs: ${JSON.stringify(mix)}; sweeps at +${NOW} s`);
    const checks: Array<{ name: string; ok: boolean; value: string }> = [];
    for (const [label, seconds] of [
      ["first run (acts on everything overdue)", NOW],
      ["steady run, 2 min later", NOW + 120],
    ] as const) {
      Object.assign(counts, zero());
      const started = performance.now();
      const report = await sweep({ ...deps, clock: () => at(seconds) });
      const ms = performance.now() - started;
      checks.push(
        { name: `${label}: no job's handling failed`, ok: report.errors === 0, value: String(report.errors) },
        { name: `${label}: every active job examined`, ok: report.complete, value: String(report.examined) },
      );
      console.log(
        `\n${label}: ${ms.toFixed(0)} ms; examined ${report.examined}; actions ${JSON.stringify(report.actions)}`,
      );
      console.log(
        `  DynamoDB: ${counts.queries} queries, ${counts.gets} reads, ${counts.updates} writes; ` +
          `${counts.readUnits.toFixed(1)} read units, ${counts.writeUnits.toFixed(1)} write units (table, as reported)`,
      );
      console.log(
        `  ECS: ${counts.describeTasks} DescribeTasks, ${counts.listTasks} ListTasks, ${counts.stopTask} StopTask, ` +
          `${counts.runTask} RunTask; SQS: ${counts.sqsSends} sends`,
      );
    }
    requireChecks(name, checks);
  } finally {
    client.destroy();
    await db.stop();
  }
}

function zero(): Counts {
  return {
    queries: 0,
    gets: 0,
    updates: 0,
    readUnits: 0,
    writeUnits: 0,
    describeTasks: 0,
    listTasks: 0,
    stopTask: 0,
    runTask: 0,
    sqsSends: 0,
  };
}

/** Jobs as the dispatcher and task-state handler leave them, at chosen times. */
async function seed(store: DynamoDbJobStore, mix: Mix): Promise<void> {
  const decide = jobDecider(DEFAULT_RETRY_POLICY);
  let n = 0;
  const make = async (kind: keyof Mix, start: number) => {
    const jobId = `${kind}-${n++}`;
    const apply = (seconds: number, command: Record<string, unknown>) =>
      changeJob(store, jobId, (state) => decide(state, { ...command, now: at(seconds) } as never));
    await apply(start, {
      type: "Submit",
      jobId,
      input: { videoUrl: `s3://uploads/${jobId}.mp4` },
      source: { kind: "message" },
    });
    if (kind === "launchingQuiet") return;
    await apply(start + 1, { type: "RecordLaunch", attempt: 1, taskArn: arnOf(jobId, 1) });
    if (kind === "launchedLate") return;
    const observe = (seconds: number, observation: Record<string, unknown>) =>
      apply(seconds, {
        type: "ObserveTask",
        observation: { taskArn: arnOf(jobId, 1), attempt: 1, timings: {}, ...observation },
      });
    await observe(start + 20, { lastStatus: "RUNNING", ecsVersion: 3 });
    if (kind === "retryingOverdue")
      await observe(start + 40, { lastStatus: "STOPPED", ecsVersion: 6, exitCode: 1 });
  };
  for (const [kind, count] of Object.entries(mix) as Array<[keyof Mix, number]>) {
    const start = kind === "runningFresh" ? NOW - 100 : 0;
    for (let i = 0; i < count; i++) await make(kind, start);
  }
}

function arnOf(jobId: string, attempt: number): string {
  return `arn:aws:ecs:us-east-1:111122223333:task/video-jobs/${jobId}-${attempt}`;
}

/** An ECS that knows every task as RUNNING (since T0 + 20 s), counting the calls the sweeper makes. */
function countingEcs(counts: Counts): TaskControl & TaskLauncher {
  const described = (taskArn: string): DescribedTask => {
    const match = /task\/video-jobs\/(.+)-(\d+)$/.exec(taskArn);
    return {
      jobId: match?.[1] ?? "",
      observation: {
        taskArn,
        attempt: Number(match?.[2]),
        lastStatus: "RUNNING",
        ecsVersion: 3,
        timings: {},
      },
    };
  };
  return {
    async describe(taskArns) {
      counts.describeTasks += Math.ceil(taskArns.length / 100);
      return { tasks: taskArns.map(described), missing: [] };
    },
    async findByJob() {
      counts.listTasks += 2; // RUNNING and STOPPED
      return [];
    },
    async stop() {
      counts.stopTask++;
      return true;
    },
    async launch(request): Promise<LaunchResult> {
      counts.runTask++;
      return { launched: true, taskArn: arnOf(request.jobId, request.attempt) };
    },
  };
}
