// Benchmark: what one job costs and how fast one dispatcher process goes.
//  1. Per job lifecycle (submit -> launch -> RUNNING -> STOPPED, one attempt), with the slot pool and the
//     launch rate on DynamoDB as the handlers run them: every DynamoDB request and the units it consumes, by
//     table, index and capacity item (dynamodb-meter.ts), ECS calls, SQS sends, EventBridge entries and
//     Lambda invocations.
//  2. Dispatcher throughput: SQS batches of 10 through the real handler, one process, dynalite, ECS mocked,
//     the cap in force: no task stops here, so the cap is the run's jobs (BENCH_THROUGHPUT_CAP: larger, up to
//     MAX_RUNNING_TASKS_LIMIT), and each job takes a slot through the real slot pool and launch rate.

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ECSClient, RunTaskCommand } from "@aws-sdk/client-ecs";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import type { Context, SQSEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { CONFIG_SCHEMA } from "../config/schema";
import { DynamoDbLaunchRate } from "../jobs/adapters/aws/dynamodb-launch-rate";
import { DynamoDbSlotPool } from "../jobs/adapters/aws/dynamodb-slots";
import { DynamoDbJobStore } from "../jobs/adapters/aws/dynamodb-store";
import type { Capacity } from "../jobs/capacity";
import {
  MAX_LAUNCH_WAIT_MS,
  MAX_RUNNING_TASKS_LIMIT,
  SLOTS_PER_SHARD,
  slotReleasingStore,
} from "../jobs/capacity";
import { DEFAULT_RETRY_POLICY } from "../jobs/model";
import { JOBS_TABLE_KEY, type Log, realSleep, type TaskLauncher } from "../jobs/store";
import { dispatchMessage, trackTaskEvent } from "../jobs/workflows";
import { capacityTableOf, startLocalDynamoDb, TEST_CREDENTIALS } from "../tests/support/dynamodb";
import { CLUSTER_ARN, CONTAINER, ecsEvent } from "../tests/support/factories";
import { handlerEnvironment, sqsRecord } from "../tests/support/handler-env";
import type { BenchSize } from "./bench-size";
import { itemSize, type MeteredPart, meterDynamoDb, type PartUsage } from "./dynamodb-meter";

export const name = "lifecycle";

const SIZES: Record<BenchSize, { readonly jobs: number; readonly throughputJobs: number }> = {
  full: { jobs: 200, throughputJobs: 2000 },
  small: { jobs: 5, throughputJobs: 50 },
};
const BATCH = 10;
const quiet: Log = { info() {}, warn() {} };

export async function run(size: BenchSize = "full"): Promise<void> {
  const { jobs, throughputJobs } = SIZES[size];
  const db = await startLocalDynamoDb();
  try {
    printLifecycle(await lifecycleCost(db.endpoint, await db.createTable("bench"), jobs));
    await dispatcherThroughput(db.endpoint, await db.createTable("throughput"), throughputJobs);
  } finally {
    await db.stop();
  }
}

/** What one job's lifecycle cost, per job, from `lifecycleCost`. */
export interface LifecycleCost {
  readonly jobs: number;
  readonly dynamoDb: ReadonlyMap<MeteredPart, PartUsage>;
  readonly runTaskCalls: number;
  readonly sqsSends: number;
  /** Job events, each one "Job State Change" entry on the jobs bus (PutEvents entries). */
  readonly eventBridgeEntries: number;
  /** Writes that appended events: each one stream record, one PutEvents call of the publisher. */
  readonly putEventsCalls: number;
  readonly finalItemBytes: number;
}

async function lifecycleCost(endpoint: string, tableName: string, jobs: number): Promise<LifecycleCost> {
  const client = new DynamoDBClient({ endpoint, region: "us-east-1", credentials: TEST_CREDENTIALS });
  const meter = meterDynamoDb(client, endpoint, tableName);
  const table = new DynamoDbJobStore(client, { tableName, retentionDays: 90 });
  // The capacity plane as the handlers run it: the stack's default cap and pacing, on DynamoDB.
  const capacity: Capacity = {
    slots: new DynamoDbSlotPool(client, capacityTableOf(tableName), CONFIG_SCHEMA.maxRunningTasks.default),
    launchRate: new DynamoDbLaunchRate(client, capacityTableOf(tableName), {
      ratePerSecond: CONFIG_SCHEMA.launchRatePerSecond.default,
      burst: CONFIG_SCHEMA.launchBurst.default,
    }),
    sleep: realSleep,
    maxLaunchWaitMs: MAX_LAUNCH_WAIT_MS,
  };
  const store = slotReleasingStore(table, capacity.slots);
  // The checks' reads of each job at its end, outside the meter.
  const unmetered = new DynamoDBClient({ endpoint, region: "us-east-1", credentials: TEST_CREDENTIALS });
  const reader = DynamoDBDocumentClient.from(unmetered);
  let runTaskCalls = 0;
  let sqsSends = 0;
  const launcher: TaskLauncher = {
    async stop() {
      return true;
    },
    async launch(request) {
      runTaskCalls++;
      return {
        launched: true,
        taskArn: `arn:aws:ecs:us-west-2:111122223333:task/FargateCluster/task-${request.jobId}-1`,
      };
    },
  };
  const retryQueue = {
    async sendRetry() {
      sqsSends++;
    },
  };
  const clock = () => new Date().toISOString();
  const deps = {
    store,
    capacity,
    launcher,
    retryQueue,
    target: { containerName: CONTAINER, outputBucket: "outputs", outputPrefix: "outputs/" },
    policy: DEFAULT_RETRY_POLICY,
    clock,
    log: quiet,
  };
  const trackDeps = {
    store,
    retryQueue,
    policy: DEFAULT_RETRY_POLICY,
    context: { clusterArn: CLUSTER_ARN, workerContainerName: CONTAINER },
    clock,
    log: quiet,
  };
  let eventBridgeEntries = 0;
  let putEventsCalls = 0;
  let finalItemBytes = 0;
  for (let i = 0; i < jobs; i++) {
    const jobId = `bench-${i}`;
    const body = JSON.stringify({ videoUrl: `s3://uploads/videos/clip-${i}.mp4`, jobId });
    await dispatchMessage(deps, body, `m-${i}`);
    await trackTaskEvent(trackDeps, ecsEvent({ jobId, attempt: 1, lastStatus: "RUNNING", version: 4 }));
    await trackTaskEvent(
      trackDeps,
      ecsEvent({ jobId, attempt: 1, lastStatus: "STOPPED", version: 6, exitCode: 0 }),
    );
    const { Item } = await reader.send(
      new GetCommand({ TableName: tableName, Key: { [JOBS_TABLE_KEY]: jobId }, ConsistentRead: true }),
    );
    if (Item?.status !== "SUCCEEDED") throw new Error(`${jobId} ended ${String(Item?.status)}`);
    eventBridgeEntries += (Item.events as unknown[]).length;
    finalItemBytes = itemSize(Item);
  }
  putEventsCalls = meter.parts.get("jobs table")?.byOperation.get("UpdateItem") ?? 0;
  const slotsAfter = new DynamoDbSlotPool(unmetered, capacityTableOf(tableName), capacity.slots.cap);
  if ((await slotsAfter.holders()).size !== 0) throw new Error("a slot was left held");
  client.destroy();
  return {
    jobs,
    dynamoDb: meter.parts,
    runTaskCalls,
    sqsSends,
    eventBridgeEntries,
    putEventsCalls,
    finalItemBytes,
  };
}

const PARTS: readonly MeteredPart[] = ["jobs table", "jobs indexes", "slots", "launch rate"];

function printLifecycle(cost: LifecycleCost): void {
  const per = (n: number) => (n / cost.jobs).toFixed(2);
  console.log(
    `per job lifecycle (submit, launch, RUNNING, STOPPED exit 0), mean of ${cost.jobs} jobs; ` +
      `cap ${CONFIG_SCHEMA.maxRunningTasks.default} (the stack's default), slots and launch rate on DynamoDB:`,
  );
  console.log("  DynamoDB          requests  read units  write units  requests by operation");
  const total = { requests: 0, readUnits: 0, writeUnits: 0 };
  for (const part of PARTS) {
    const u = cost.dynamoDb.get(part);
    if (u === undefined) continue;
    total.requests += u.requests;
    total.readUnits += u.readUnits;
    total.writeUnits += u.writeUnits;
    const ops = [...u.byOperation].map(([op, n]) => `${op} ${per(n)}`).join(", ");
    console.log(
      `  ${part.padEnd(16)}  ${per(u.requests).padStart(8)}  ${per(u.readUnits).padStart(10)}  ${per(u.writeUnits).padStart(11)}  ${ops}`,
    );
  }
  console.log(
    `  ${"all".padEnd(16)}  ${per(total.requests).padStart(8)}  ${per(total.readUnits).padStart(10)}  ${per(total.writeUnits).padStart(11)}`,
  );
  console.log(`  final item size                ${cost.finalItemBytes} bytes`);
  console.log(`  ECS RunTask calls              ${per(cost.runTaskCalls)}`);
  console.log(`  SQS sends                      ${per(cost.sqsSends)}`);
  console.log(
    `  EventBridge                    PutEvents calls ${per(cost.putEventsCalls)} (one per write), entries ${per(cost.eventBridgeEntries)} (one per job event); ECS's own task events on the default bus are free`,
  );
  console.log(
    `  Lambda invocations             dispatcher 1 (0.1 in a burst: batches of ${BATCH}), task-state 2 (RUNNING, STOPPED: the rule filters the rest), publisher ${per(cost.putEventsCalls)} (one per stream record when quiet; batches of up to 100 in a burst)`,
  );
}

async function dispatcherThroughput(
  endpoint: string,
  tableName: string,
  throughputJobs: number,
): Promise<void> {
  if (throughputJobs + BATCH > MAX_RUNNING_TASKS_LIMIT)
    throw new Error(
      `the throughput run launches more jobs than the largest cap (${MAX_RUNNING_TASKS_LIMIT})`,
    );
  // The smallest cap the run fits in (BENCH_THROUGHPUT_CAP: another, up to the largest there is).
  const cap = Number(process.env.BENCH_THROUGHPUT_CAP ?? throughputJobs + BATCH);
  if (!(cap >= throughputJobs + BATCH && cap <= MAX_RUNNING_TASKS_LIMIT))
    throw new Error(`BENCH_THROUGHPUT_CAP: ${throughputJobs + BATCH} to ${MAX_RUNNING_TASKS_LIMIT}`);
  Object.assign(process.env, handlerEnvironment(endpoint, tableName), { MAX_RUNNING_TASKS: String(cap) });
  const ecs = mockClient(ECSClient);
  let tasks = 0;
  ecs
    .on(RunTaskCommand)
    .callsFake(() => ({ tasks: [{ taskArn: `arn:aws:ecs:us-west-2:1:task/c/${++tasks}` }], failures: [] }));
  try {
    const { handler } = await import("../handlers/dispatcher.js");
    const context = { getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
    const batch = (start: number): SQSEvent => ({
      Records: Array.from({ length: BATCH }, (_, i) =>
        sqsRecord(
          JSON.stringify({ videoUrl: `s3://uploads/t-${start + i}.mp4`, jobId: `tp-${start + i}` }),
          `tp-m-${start + i}`,
        ),
      ),
    });
    await handler(batch(-BATCH), context); // warm-up: first-use configuration and connections
    const started = process.hrtime.bigint();
    const cpuBefore = process.cpuUsage();
    for (let start = 0; start < throughputJobs; start += BATCH) {
      const response = await handler(batch(start), context);
      if (response.batchItemFailures.length > 0) throw new Error("unexpected batch item failures");
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    console.log(
      `dispatcher throughput: ${throughputJobs} jobs in ${seconds.toFixed(2)} s = ${(throughputJobs / seconds).toFixed(0)} jobs/s`,
    );
    console.log(
      `  CPU time ${cpuSeconds.toFixed(2)} s = ${(throughputJobs / cpuSeconds).toFixed(0)} jobs per CPU-second (what one process would reach with a core to itself: the wall time counts other work on the machine)`,
    );
    console.log(
      `  (one process, batches of ${BATCH} through the real handler, dynalite in the same process, ECS mocked; cap ${cap}: ${Math.ceil(cap / SLOTS_PER_SHARD)} slot shards)`,
    );
    if (tasks !== throughputJobs + BATCH)
      throw new Error(`expected ${throughputJobs + BATCH} RunTask calls, saw ${tasks}`);
  } finally {
    ecs.restore();
  }
}
