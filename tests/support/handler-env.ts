// Environment for running the real Lambda handlers in tests: the variables the Pulumi program sets, with
// DynamoDB pointed at a local one through the SDK's standard AWS_ENDPOINT_URL_DYNAMODB.

import type { Context, SQSEvent, SQSRecord } from "aws-lambda";
import { capacityTableOf } from "./dynamodb";
import { CLUSTER_ARN, CONTAINER } from "./factories";

export const QUEUE_URL = "https://sqs.us-west-2.amazonaws.com/111122223333/video-jobs-queue";
export const OUTCOMES_DLQ_URL = "https://sqs.us-west-2.amazonaws.com/111122223333/video-jobs-outcomes-dlq";
export const TASK_DEFINITION_ARN = "arn:aws:ecs:us-west-2:111122223333:task-definition/video-jobs-worker:7";

export function handlerEnvironment(endpoint: string, tableName: string): Record<string, string> {
  return {
    AWS_REGION: "us-west-2",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    POWERTOOLS_LOG_LEVEL: "SILENT",
    // No Embedded Metric Format on the tests' stdout; tests of the metrics turn it back on.
    POWERTOOLS_METRICS_DISABLED: "true",
    JOBS_TABLE: tableName,
    JOBS_QUEUE_URL: QUEUE_URL,
    CLUSTER_ARN,
    TASK_DEFINITION_ARN,
    WORKER_CONTAINER_NAME: CONTAINER,
    SUBNET_IDS: "subnet-aaa,subnet-bbb",
    SECURITY_GROUP_IDS: "sg-123",
    ASSIGN_PUBLIC_IP: "DISABLED",
    OUTPUT_BUCKET: "outputs-bucket",
    OUTPUT_PREFIX: "outputs/",
    MAX_ATTEMPTS: "3",
    RETRY_BASE_DELAY_SECONDS: "30",
    RETRY_MAX_DELAY_SECONDS: "900",
    NON_RETRYABLE_EXIT_CODES: "64-78",
    MAX_INFRA_RETRIES: "2",
    JOB_RETENTION_DAYS: "90",
    LAUNCH_TIMEOUT_SECONDS: "900",
    JOB_TIMEOUT_SECONDS: "3600",
    SWEEP_QUIET_SECONDS: "300",
    SWEEP_MAX_JOBS: "1000",
    WORKER_CPU_ARCHITECTURE: "ARM64",
    WORKER_CPU: "1024",
    WORKER_MEMORY_MB: "2048",
    MAX_WORKER_MEMORY_MB: "8192",
    CAPACITY: "on-demand",
    FARGATE_PRICES: "",
    JOBS_EVENT_BUS_NAME: "video-jobs-test-jobs",
    OUTCOMES_DEAD_LETTER_QUEUE_URL: OUTCOMES_DLQ_URL,
    // The capacity table LocalDynamoDb.createTable makes beside each jobs table; a cap no test reaches
    // unless it means to.
    WORKER_PARAMS: "reference",
    CAPACITY_TABLE: capacityTableOf(tableName),
    MAX_RUNNING_TASKS: "1000",
    LAUNCH_RATE_PER_SECOND: "1000",
    LAUNCH_BURST: "1000",
    METRICS_NAMESPACE: "VideoJobs",
    METRICS_SERVICE: "video-jobs-test",
    INPUT_SUFFIXES: JSON.stringify([".mp4", ".mov", ".mkv", ".webm"]),
  };
}

/** An SQS record as Lambda delivers it (shape of the AWS Lambda developer guide's SQS example event). */
export function sqsRecord(body: string, messageId: string, receiveCount = 1): SQSRecord {
  return {
    messageId,
    receiptHandle: `AQEB${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: "1545082649183",
      SenderId: "AIDAIENQZJOLO23YVJ4VO",
      ApproximateFirstReceiveTimestamp: "1545082649185",
    },
    messageAttributes: {},
    md5OfBody: "e4e68fb7bd0e697a0ae8f1bb342846b3",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-west-2:111122223333:video-jobs-queue",
    awsRegion: "us-west-2",
  };
}

export const sqsEvent = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

export const lambdaContext = {
  functionName: "dispatcher",
  awsRequestId: "c6af9ac6-7b61-11e6-9a41-93e812345678",
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;
