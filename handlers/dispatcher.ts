// Lambda entry point: the jobs queue's consumer. Each SQS record is one message (dispatchMessage in jobs/);
// a record that fails — a deferred launch, an unexpected error — is reported in `batchItemFailures` so SQS
// delivers it again, without failing the other records of the batch. The jobs' metrics are published once
// per invocation.

import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { EcsTaskLauncher } from "../jobs/adapters/aws/ecs-task-launcher";
import { SqsRetryQueue } from "../jobs/adapters/aws/sqs-retry-queue";
import { systemClock } from "../jobs/store";
import { dispatchMessage } from "../jobs/workflows";
import { launcherContext, logger, publishingMetrics } from "./clients";
import { readFunctionConfig } from "./environment";

/** Reads exactly the variables this function is given (config/handler-variables.ts). */
const context = launcherContext(() => readFunctionConfig("dispatcher"));

const processor = new BatchProcessor(EventType.SQS);

async function recordHandler(record: SQSRecord): Promise<void> {
  const { config, store, capacity, ecs, sqs, metrics } = context();
  // Records are processed in parallel: each log line carries its own record's id (no shared logger keys).
  const withMessage = (context: Record<string, unknown>) => ({ messageId: record.messageId, ...context });
  await dispatchMessage(
    {
      store,
      capacity,
      launcher: new EcsTaskLauncher(ecs, config),
      retryQueue: new SqsRetryQueue(sqs, config.queueUrl),
      workerParams: config.workerParams,
      videoSuffixes: config.inputSuffixes,
      metrics,
      target: config.target,
      policy: config.policy,
      clock: systemClock,
      log: {
        info: (message, context) => logger.info(message, withMessage(context)),
        warn: (message, context) => logger.warn(message, withMessage(context)),
      },
    },
    record.body,
    record.messageId,
  );
}

export const handler = publishingMetrics(
  async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false }),
);
