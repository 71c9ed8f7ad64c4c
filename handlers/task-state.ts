// Lambda entry point: the EventBridge rule's target for "ECS Task State Change" events of the worker's
// cluster. An error propagates so that EventBridge retries the event (then sends it to the rule's DLQ);
// a duplicate delivery is harmless (trackTaskEvent in jobs/). A stopped task's outcome file (what the worker
// said about its attempt) is read from the output prefix and recorded with the stop. A stopped task frees
// its running-task slot: waiting jobs are started into it. What the changes measured is published once
// per invocation.

import type { EventBridgeEvent } from "aws-lambda";
import { EcsTaskLauncher } from "../jobs/adapters/aws/ecs-task-launcher";
import { S3WorkerOutcomeReader } from "../jobs/adapters/aws/s3-worker-outcome-reader";
import { SqsRetryQueue } from "../jobs/adapters/aws/sqs-retry-queue";
import { systemClock } from "../jobs/store";
import { type TrackOutcome, trackTaskEventAndStartWaiting } from "../jobs/workflows";
import { launcherContext, logger, publishingMetrics, s3Client } from "./clients";
import { readFunctionConfig } from "./environment";

/** Reads exactly the variables this function is given (config/handler-variables.ts). */
const context = launcherContext(() => readFunctionConfig("task-state"));

export const handler = publishingMetrics(
  async (event: EventBridgeEvent<string, unknown>): Promise<TrackOutcome> => {
    const { config, store, capacity, ecs, sqs } = context();
    return trackTaskEventAndStartWaiting(
      {
        store,
        capacity,
        launcher: new EcsTaskLauncher(ecs, config),
        target: config.target,
        retryQueue: new SqsRetryQueue(sqs, config.queueUrl),
        policy: config.policy,
        context: {
          clusterArn: config.clusterArn,
          workerContainerName: config.target.containerName,
          cost: config.cost,
        },
        clock: systemClock,
        log: logger,
        outcomeReader: new S3WorkerOutcomeReader(s3Client(), config.target, logger),
      },
      event,
    );
  },
);
