// Lambda entry point: the jobs table's DynamoDB stream. Each batch is published in shard order
// (publishStreamRecords in jobs/): the first record that could not be published is reported in
// `batchItemFailures`, so Lambda retries from it and never re-sends the records before it.

import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from "aws-lambda";
import { EventBridgeOutcomePublisher } from "../jobs/aws/eventbridge-publisher";
import { SqsPoisonRecords } from "../jobs/aws/sqs-poison-records";
import { publishStreamRecords } from "../jobs/publish-outcomes";
import { handlerContext, logger } from "./clients";

const eventBridge = new EventBridgeClient({});

export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const { config, sqs } = handlerContext();
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
