// The AWS clients and the job store the handlers share, created once per Lambda container. Endpoints come
// from the SDK's standard variables (AWS_ENDPOINT_URL_<SERVICE>), so local mode needs no branch here.

import { Logger } from "@aws-lambda-powertools/logger";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ECSClient } from "@aws-sdk/client-ecs";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDbLaunchRate } from "../jobs/adapters/aws/dynamodb-launch-rate";
import { DynamoDbSlotPool } from "../jobs/adapters/aws/dynamodb-slots";
import { DynamoDbJobStore } from "../jobs/adapters/aws/dynamodb-store";
import type { Capacity } from "../jobs/capacity";
import { MAX_LAUNCH_WAIT_MS, slotReleasingStore } from "../jobs/capacity";
import type { Metrics } from "../jobs/model";
import type { JobStore } from "../jobs/store";
import { meteredSlotPool, meteredStore, realSleep } from "../jobs/store";
import type { HandlerConfig } from "./environment";
import { EmbeddedMetrics, type PublishingMetrics } from "./metrics";

/** What a launching function's context is built from: the store's, the capacity's and the metrics' parts. */
export type LauncherConfig = Pick<HandlerConfig, "tableName" | "retentionDays" | "capacity" | "metrics">;

export interface HandlerContext<C extends LauncherConfig> {
  readonly config: C;
  /**
   * The jobs table: a change that ends a launch gives its running-task slot back (slots.ts), and every
   * change emits its metrics.
   */
  readonly store: JobStore;
  readonly capacity: Capacity;
  readonly ecs: ECSClient;
  readonly sqs: SQSClient;
  /** The handlers' Metrics port, for counts that are no job change (an ignored upload). */
  readonly metrics: Metrics;
}

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "video-jobs" });

let metrics: PublishingMetrics | undefined;

/**
 * The handlers' Metrics port: Embedded Metric Format unless local mode set a sink of its own (the sink is
 * looked up per point, so one set after the first invocation still takes effect).
 */
function handlerMetrics(settings: LauncherConfig["metrics"]): Metrics {
  return {
    add: (point) => {
      metrics ??= new EmbeddedMetrics(settings);
      metrics.add(point);
    },
  };
}

/**
 * A launching function's context: `read` (its own configuration, readFunctionConfig) runs and the clients
 * are created on first use, once per container (a bad environment fails the invocation).
 */
export function launcherContext<C extends LauncherConfig>(read: () => C): () => HandlerContext<C> {
  let context: HandlerContext<C> | undefined;
  return () => {
    context ??= createContext(read());
    return context;
  };
}

function createContext<C extends LauncherConfig>(config: C): HandlerContext<C> {
  const dynamodb = new DynamoDBClient({});
  const metered = handlerMetrics(config.metrics);
  const slots = meteredSlotPool(
    new DynamoDbSlotPool(dynamodb, config.capacity.tableName, config.capacity.maxRunningTasks),
    metered,
  );
  const table = new DynamoDbJobStore(dynamodb, {
    tableName: config.tableName,
    retentionDays: config.retentionDays,
  });
  return {
    config,
    store: meteredStore(slotReleasingStore(table, slots), metered),
    capacity: {
      slots,
      launchRate: new DynamoDbLaunchRate(dynamodb, config.capacity.tableName, config.capacity.launchRate),
      sleep: realSleep,
      maxLaunchWaitMs: MAX_LAUNCH_WAIT_MS,
    },
    // Adaptive retry: the client also slows its own request rate when ECS throttles it.
    ecs: new ECSClient({ retryMode: "adaptive" }),
    sqs: new SQSClient({}),
    metrics: metered,
  };
}

/** Local mode prints the metrics as lines instead of writing Embedded Metric Format. */
export function useMetrics(sink: PublishingMetrics): void {
  metrics = sink;
}

/** A handler that publishes what it measured once per invocation, when it returns or throws. */
export function publishingMetrics<Args extends unknown[], Result>(
  handler: (...args: Args) => Promise<Result>,
): (...args: Args) => Promise<Result> {
  return async (...args) => {
    try {
      return await handler(...args);
    } finally {
      metrics?.publish();
    }
  };
}

let s3: S3Client | undefined;

/**
 * The S3 client of the task-state handler (workers' outcome files), apart from `handlerContext` so that the
 * dispatcher's bundle leaves the S3 SDK out. A local S3 on an IP address (local mode's s3rver on 127.0.0.1)
 * gets path-style requests from the SDK by itself: nothing here is local-mode specific.
 */
export function s3Client(): S3Client {
  s3 ??= new S3Client({});
  return s3;
}
