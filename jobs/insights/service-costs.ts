// Per-job estimates of what the pipeline's own services cost besides Fargate compute: Lambda, DynamoDB,
// SQS and EventBridge, from the call counts `npm run bench lifecycle` measured for one job with one
// attempt (bench/lifecycle.ts) and dated us-east-1 list prices. Estimates, shown apart from compute: they
// are not recorded per job, and the free tiers are ignored.

/** Calls per job, measured (one attempt, no retry) or bounded where batching decides. */
export const MEASURED_CALLS_PER_JOB = {
  /** UpdateItem: submit + launch request, launched, RUNNING, STOPPED + outcome. */
  dynamodbWrites: 4,
  /** Write request units those 4 writes consume, table and both indexes (INCLUDE projection). */
  dynamodbWriteUnits: 16,
  /** Consistent GetItem reads (up to 4 KB each: 1 read request unit). */
  dynamodbReadUnits: 3,
  /** Task-state invocations: RUNNING and STOPPED (the rule filters the rest). */
  taskStateInvocations: 2,
  /** Dispatcher invocations: one batch of 1-10 messages. */
  dispatcherInvocations: { low: 0.1, high: 1 },
  /** SQS: the job message sent, then received and deleted in batches of 1-10 by the event source. */
  sqsRequests: { low: 1.2, high: 3 },
  /** Outcome events put on the bus: one per recorded event (submitted, launch requested, launched, running, stopped, outcome). */
  outcomeEvents: 6,
  /** Publisher invocations: the job's 4 stream records in batches of 1-100. */
  publisherInvocations: { low: 0.04, high: 4 },
} as const;

// Read 2026-11-29, us-east-1 list prices: Lambda $0.20 per million requests and $0.0000133334 per GB-second
// on arm64 (aws.amazon.com/lambda/pricing); DynamoDB on-demand $0.625 per million write request units and
// $0.125 per million read request units since the November 2024 reduction (aws.amazon.com/dynamodb/pricing/
// on-demand, as quoted by airbyte.com's DynamoDB pricing guide); SQS standard $0.40 per million requests
// (aws.amazon.com/sqs/pricing); EventBridge custom events $1.00 per million (aws.amazon.com/eventbridge/pricing).
export const SERVICE_PRICES = {
  asOf: "2026-11-29",
  lambdaRequest: 0.2 / 1e6,
  lambdaArmGbSecond: 0.0000133334,
  dynamodbWriteUnit: 0.625 / 1e6,
  dynamodbReadUnit: 0.125 / 1e6,
  sqsRequest: 0.4 / 1e6,
  eventBridgeEvent: 1 / 1e6,
} as const;

export interface ServiceCostLine {
  readonly service: "Lambda" | "DynamoDB" | "SQS" | "EventBridge";
  /** What is counted, e.g. "2.14-7 invocations x 0.2 s x 0.5 GB". */
  readonly basis: string;
  readonly lowUsd: number;
  readonly highUsd: number;
}

export interface LambdaSizing {
  readonly memoryMb: number;
  /** Assumed duration of one invocation (not measured: it depends on the region's latencies). */
  readonly secondsPerInvocation: number;
}

export const DEFAULT_LAMBDA_SIZING: LambdaSizing = { memoryMb: 512, secondsPerInvocation: 0.2 };

/** Per-job estimate, low to high, of the services around the worker. */
export function serviceCostsPerJob(sizing: LambdaSizing = DEFAULT_LAMBDA_SIZING): ServiceCostLine[] {
  const c = MEASURED_CALLS_PER_JOB;
  const p = SERVICE_PRICES;
  const invocations = {
    low: c.taskStateInvocations + c.dispatcherInvocations.low + c.publisherInvocations.low,
    high: c.taskStateInvocations + c.dispatcherInvocations.high + c.publisherInvocations.high,
  };
  const perInvocation =
    p.lambdaRequest + (sizing.memoryMb / 1024) * sizing.secondsPerInvocation * p.lambdaArmGbSecond;
  const dynamodb = c.dynamodbWriteUnits * p.dynamodbWriteUnit + c.dynamodbReadUnits * p.dynamodbReadUnit;
  return [
    {
      service: "Lambda",
      basis: `${invocations.low}-${invocations.high} invocations x ${sizing.secondsPerInvocation} s (assumed) x ${sizing.memoryMb} MB arm64`,
      lowUsd: invocations.low * perInvocation,
      highUsd: invocations.high * perInvocation,
    },
    {
      service: "DynamoDB",
      basis: `${c.dynamodbWrites} writes (${c.dynamodbWriteUnits} WRU), ${c.dynamodbReadUnits} consistent reads (RRU), on-demand`,
      lowUsd: dynamodb,
      highUsd: dynamodb,
    },
    {
      service: "SQS",
      basis: `${c.sqsRequests.low}-${c.sqsRequests.high} requests (send, batched receive and delete)`,
      lowUsd: c.sqsRequests.low * p.sqsRequest,
      highUsd: c.sqsRequests.high * p.sqsRequest,
    },
    {
      service: "EventBridge",
      basis: `${c.outcomeEvents} outcome events on the jobs bus`,
      lowUsd: c.outcomeEvents * p.eventBridgeEvent,
      highUsd: c.outcomeEvents * p.eventBridgeEvent,
    },
  ];
}
