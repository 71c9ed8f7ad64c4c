// Benchmark: what one job costs and how fast one dispatcher process goes.
//  1. Per job lifecycle (submit -> launch -> RUNNING -> STOPPED, one attempt): DynamoDB reads and writes, the
//     write units they consume (table: reported by the local DynamoDB from item sizes; indexes: computed from
//     the projected entry sizes, for the INCLUDE projection used and for ALL as the alternative), ECS calls,
//     SQS sends and Lambda invocations.
//  2. Dispatcher throughput: SQS batches of 10 through the real handler, one process, dynalite, ECS mocked,
//     the cap in force at its largest (MAX_RUNNING_TASKS_LIMIT): no task stops here, so every job of the run
//     must find a slot, and each takes one through the real slot pool and launch rate.

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ECSClient, RunTaskCommand } from "@aws-sdk/client-ecs";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import type { Context, SQSEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { DynamoDbJobStore } from "../jobs/aws/dynamodb-store";
import { dispatchMessage } from "../jobs/dispatch";
import { memoryCapacity } from "../jobs/memory-capacity";
import type { Log, TaskLauncher } from "../jobs/ports";
import { DEFAULT_RETRY_POLICY } from "../jobs/retry-policy";
import { MAX_RUNNING_TASKS_LIMIT } from "../jobs/slots";
import {
  indexProjectedAttributes,
  JOBS_TABLE_KEY,
  STATUS_INDEX,
  SUBMITTED_INDEX,
} from "../jobs/table-schema";
import { trackTaskEvent } from "../jobs/track-task";
import { startLocalDynamoDb, TEST_CREDENTIALS } from "../tests/support/dynamodb";
import { CLUSTER_ARN, CONTAINER, ecsEvent } from "../tests/support/factories";
import { handlerEnvironment, sqsRecord } from "../tests/support/handler-env";
import type { BenchSize } from "./bench-size";

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
    await lifecycleCost(db.endpoint, await db.createTable("bench"), jobs);
    await dispatcherThroughput(db.endpoint, await db.createTable("throughput"), throughputJobs);
  } finally {
    await db.stop();
  }
}

interface Counters {
  reads: number;
  writes: number;
  readUnits: number;
  tableWriteUnits: number;
}

async function lifecycleCost(endpoint: string, tableName: string, jobs: number): Promise<void> {
  const counters: Counters = { reads: 0, writes: 0, readUnits: 0, tableWriteUnits: 0 };
  const client = new DynamoDBClient({ endpoint, region: "us-east-1", credentials: TEST_CREDENTIALS });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { ReturnConsumedCapacity?: string };
      input.ReturnConsumedCapacity = "TOTAL";
      const result = await next(args);
      const units =
        (result.output as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity
          ?.CapacityUnits ?? 0;
      if (context.commandName === "GetItemCommand") {
        counters.reads++;
        counters.readUnits += units;
      } else if (context.commandName === "UpdateItemCommand") {
        counters.writes++;
        counters.tableWriteUnits += units;
      }
      return result;
    },
    { step: "initialize", name: "countCapacity" },
  );
  const store = new DynamoDbJobStore(client, { tableName, retentionDays: 90 });
  const reader = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint, region: "us-east-1", credentials: TEST_CREDENTIALS }),
  );
  const snapshots: Array<Record<string, unknown> | undefined> = [];
  const snapshot = async (jobId: string) =>
    snapshots.push(
      (await reader.send(new GetCommand({ TableName: tableName, Key: { [JOBS_TABLE_KEY]: jobId } }))).Item,
    );

  let ecsCalls = 0;
  let sqsSends = 0;
  const launcher: TaskLauncher = {
    async stop() {
      return true;
    },
    async launch(request) {
      ecsCalls++;
      return {
        launched: true,
        taskArn: `arn:aws:ecs:us-west-2:111122223333:task/FargateCluster/task-${request.jobId}-1`,
      };
    },
  };
  const indexUnits = { include: 0, all: 0 };
  for (let i = 0; i < jobs; i++) {
    const jobId = `bench-${i}`;
    snapshots.length = 0;
    await snapshot(jobId);
    const retryQueue = {
      async sendRetry() {
        sqsSends++;
      },
    };
    const deps = {
      store,
      capacity: memoryCapacity(),
      launcher,
      retryQueue,
      target: { containerName: CONTAINER, outputBucket: "outputs", outputPrefix: "outputs/" },
      policy: DEFAULT_RETRY_POLICY,
      clock: () => new Date().toISOString(),
      log: quiet,
    };
    // Each step is followed by a snapshot of the item (not counted) to price the index writes it caused.
    const body = JSON.stringify({ videoUrl: `s3://uploads/videos/clip-${i}.mp4`, jobId });
    const beforeWrites = counters.writes;
    await dispatchMessage({ ...deps, store: snapshottingStore(store, jobId, snapshot) }, body, `m-${i}`);
    const trackDeps = {
      store: snapshottingStore(store, jobId, snapshot),
      retryQueue,
      policy: DEFAULT_RETRY_POLICY,
      context: { clusterArn: CLUSTER_ARN, workerContainerName: CONTAINER },
      clock: () => new Date().toISOString(),
      log: quiet,
    };
    await trackTaskEvent(trackDeps, ecsEvent({ jobId, attempt: 1, lastStatus: "RUNNING", version: 4 }));
    await trackTaskEvent(
      trackDeps,
      ecsEvent({ jobId, attempt: 1, lastStatus: "STOPPED", version: 6, exitCode: 0 }),
    );
    if (counters.writes - beforeWrites !== snapshots.length - 1)
      throw new Error("snapshots out of step with writes");
    for (let s = 1; s < snapshots.length; s++) {
      indexUnits.include += indexWriteUnits(snapshots[s - 1], snapshots[s], "include");
      indexUnits.all += indexWriteUnits(snapshots[s - 1], snapshots[s], "all");
    }
  }
  const lastItem = snapshots.at(-1) ?? {};
  const per = (n: number) => (n / jobs).toFixed(2);
  console.log(`per job lifecycle (submit, launch, RUNNING, STOPPED exit 0), mean of ${jobs} jobs:`);
  console.log(`  DynamoDB writes (UpdateItem)          ${per(counters.writes)}`);
  console.log(
    `  DynamoDB reads (GetItem, consistent)  ${per(counters.reads)}   read units ${per(counters.readUnits)}`,
  );
  console.log(`  write units, table                    ${per(counters.tableWriteUnits)}`);
  console.log(
    `  write units, 2 indexes (INCLUDE state) ${per(indexUnits.include)}   total ${per(counters.tableWriteUnits + indexUnits.include)}`,
  );
  console.log(
    `  write units, 2 indexes if ALL          ${per(indexUnits.all)}   total ${per(counters.tableWriteUnits + indexUnits.all)}`,
  );
  console.log(
    `  final item size                       ${itemSize(lastItem)} bytes (${(lastItem.events as unknown[]).length} events)`,
  );
  console.log(`  ECS calls (RunTask)                   ${per(ecsCalls)}`);
  console.log(`  SQS sends                             ${per(sqsSends)}`);
  console.log(
    `  Lambda invocations                    dispatcher ${1 / BATCH}-1 (batch of up to ${BATCH} messages), task-state 2 (RUNNING, STOPPED: the rule filters the rest)`,
  );
}

/** Wraps a store so every successful append is followed by a snapshot of the item. */
function snapshottingStore(
  store: DynamoDbJobStore,
  _jobId: string,
  snapshot: (jobId: string) => Promise<unknown>,
): DynamoDbJobStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === "append") {
        return async (...args: Parameters<DynamoDbJobStore["append"]>) => {
          await target.append(...args);
          await snapshot(args[0]);
        };
      }
      return Reflect.get(target, property, receiver);
    },
  });
}

/** Write units one change costs in the two indexes (DynamoDB: a key change is a delete plus a put). */
function indexWriteUnits(
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown> | undefined,
  projection: "include" | "all",
): number {
  let units = 0;
  for (const index of [STATUS_INDEX, SUBMITTED_INDEX]) {
    const entry = (item: Record<string, unknown> | undefined) => {
      if (!item || item[index.hashKey] === undefined || item[index.rangeKey] === undefined) return undefined;
      if (projection === "all") return item;
      const names = [JOBS_TABLE_KEY, index.hashKey, index.rangeKey, ...indexProjectedAttributes(index)];
      return Object.fromEntries(names.filter((n) => item[n] !== undefined).map((n) => [n, item[n]]));
    };
    const old = entry(before);
    const next = entry(after);
    const keyChanged =
      old &&
      next &&
      (old[index.hashKey] !== next[index.hashKey] || old[index.rangeKey] !== next[index.rangeKey]);
    if (old && (!next || keyChanged)) units += Math.ceil(itemSize(old) / 1024);
    if (next && JSON.stringify(next) !== JSON.stringify(old)) units += Math.ceil(itemSize(next) / 1024);
  }
  return units;
}

/** DynamoDB item size rules: names plus values; numbers ~1 byte per 2 digits + 1; lists/maps 3 + 1 per element. */
function itemSize(item: Record<string, unknown>): number {
  return Object.entries(item).reduce(
    (sum, [key, value]) => sum + Buffer.byteLength(key) + valueSize(value),
    0,
  );
}

function valueSize(value: unknown): number {
  if (typeof value === "string") return Buffer.byteLength(value);
  if (typeof value === "number")
    return Math.ceil(String(Math.abs(value)).replace(/[.-]/g, "").length / 2) + 1;
  if (typeof value === "boolean" || value === null) return 1;
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, v) => sum + 1 + valueSize(v), 0);
  if (typeof value === "object")
    return 3 + Object.keys(value).length + itemSize(value as Record<string, unknown>);
  return 0;
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
  Object.assign(process.env, handlerEnvironment(endpoint, tableName), {
    MAX_RUNNING_TASKS: String(MAX_RUNNING_TASKS_LIMIT),
  });
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
    for (let start = 0; start < throughputJobs; start += BATCH) {
      const response = await handler(batch(start), context);
      if (response.batchItemFailures.length > 0) throw new Error("unexpected batch item failures");
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(
      `dispatcher throughput: ${throughputJobs} jobs in ${seconds.toFixed(2)} s = ${(throughputJobs / seconds).toFixed(0)} jobs/s`,
    );
    console.log(
      `  (one process, batches of ${BATCH} through the real handler, dynalite in the same process, ECS mocked)`,
    );
    if (tasks !== throughputJobs + BATCH)
      throw new Error(`expected ${throughputJobs + BATCH} RunTask calls, saw ${tasks}`);
  } finally {
    ecs.restore();
  }
}
