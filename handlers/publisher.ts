// Lambda entry point: the jobs table's DynamoDB stream. Each batch is published in shard order
// (publishStreamRecords in jobs/): the first record that could not be published is reported in
// `batchItemFailures`, so Lambda retries from it and never re-sends the records before it.

import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from "aws-lambda";
import { EventBridgeOutcomePublisher } from "../jobs/adapters/aws/eventbridge-publisher";
import { SqsPoisonRecords } from "../jobs/adapters/aws/sqs-poison-records";
import { publishStreamRecords } from "../jobs/workflows";
import { logger } from "./clients";
import { type FunctionConfig, readFunctionConfig } from "./environment";

const eventBridge = new EventBridgeClient({});
const sqs = new SQSClient({});
let config: FunctionConfig<"publisher"> | undefined;

export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  // Exactly the variables this function is given (config/handler-variables.ts), read on first use.
  config ??= readFunctionConfig("publisher");
  return publishStreamRecords(
    {
      publisher: new EventBridgeOutcomePublisher(eventBridge, config.outcomes.eventBusName),
      poison: new SqsPoisonRecords(sqs, config.outcomes.deadLetterQueueUrl),
      target: config.target,
      log: logger,
    },
    event.Records,
  );
};
