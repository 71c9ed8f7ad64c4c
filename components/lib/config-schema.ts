// The project's configuration schema: every key the program reads, with its type, default and meaning.
// Pulumi.yaml declares the same keys (a test keeps the two identical), so the CLI documents and
// type-checks stack files while `config.ts` applies the defaults when the program runs anywhere else.

export type ConfigType = "string" | "integer" | "boolean" | "array";

export interface ConfigKeySpec {
  readonly type: ConfigType;
  readonly description: string;
  readonly default: string | number | boolean | readonly string[];
}

export const PROJECT_NAME = "video-jobs";

export const CONFIG_SCHEMA = {
  network: {
    type: "string",
    default: "default-vpc",
    description:
      "Where worker tasks run: default-vpc (the account's default VPC with a public IP; cheap), new-vpc (private subnets of a new VPC with NAT egress) or existing-vpc (existingVpcId/existingSubnetIds).",
  },
  vpcCidr: {
    type: "string",
    default: "10.0.0.0/16",
    description: "CIDR block of the new VPC (network: new-vpc).",
  },
  vpcAvailabilityZones: {
    type: "integer",
    default: 2,
    description: "Availability zones the new VPC spans, 2 to 6 (network: new-vpc).",
  },
  vpcNatGateways: {
    type: "string",
    default: "Single",
    description:
      "NAT gateways of the new VPC: Single (cheaper) or OnePerAz (zone-resilient) (network: new-vpc).",
  },
  existingVpcId: {
    type: "string",
    default: "",
    description: "VPC id of the existing subnets (network: existing-vpc).",
  },
  existingSubnetIds: {
    type: "array",
    default: [],
    description: "Private subnet ids with egress to AWS APIs, for the worker tasks (network: existing-vpc).",
  },
  deletionProtection: {
    type: "boolean",
    default: false,
    description:
      "Protect stateful resources: DynamoDB deletion protection, Pulumi `protect` on the table and bucket, no force-destroy.",
  },
  logRetentionDays: {
    type: "integer",
    default: 14,
    description:
      "Retention of the Lambda and worker log groups, in days (a CloudWatch Logs retention value).",
  },
  inputPrefix: {
    type: "string",
    default: "uploads/",
    description: "Key prefix of uploads that start a job; must not overlap outputPrefix.",
  },
  inputSuffixes: {
    type: "array",
    default: [".mp4", ".mov", ".mkv", ".webm"],
    description:
      "Key suffixes (case-sensitive) of uploads that start a job; one S3 notification filter each.",
  },
  outputPrefix: {
    type: "string",
    default: "outputs/",
    description:
      "Key prefix of worker outputs in the uploads bucket; a job writes under <outputPrefix><jobId>/.",
  },
  queueMaxReceiveCount: {
    type: "integer",
    default: 5,
    description: "Receives of a jobs-queue message before it moves to the dead-letter queue (at least 5).",
  },
  dispatcherTimeoutSeconds: {
    type: "integer",
    default: 60,
    description: "Dispatcher Lambda timeout; the jobs queue visibility timeout is six times this.",
  },
  dispatcherBatchSize: {
    type: "integer",
    default: 10,
    description:
      "Messages per dispatcher invocation (1-10000; above 10 needs dispatcherBatchWindowSeconds >= 1).",
  },
  dispatcherBatchWindowSeconds: {
    type: "integer",
    default: 0,
    description: "Seconds the event source waits to fill a batch (0-300).",
  },
  dispatcherMaxConcurrency: {
    type: "integer",
    default: 5,
    description:
      "Maximum concurrent dispatcher invocations from the queue (2-1000); bounds RunTask call rate.",
  },
  taskStateTimeoutSeconds: {
    type: "integer",
    default: 30,
    description: "Task-state Lambda timeout (1-900).",
  },
  lambdaMemoryMb: {
    type: "integer",
    default: 512,
    description: "Memory of the dispatcher and task-state Lambdas.",
  },
  logLevel: {
    type: "string",
    default: "INFO",
    description: "Handler log level (POWERTOOLS_LOG_LEVEL): DEBUG, INFO, WARN or ERROR.",
  },
  workerCpu: {
    type: "integer",
    default: 1024,
    description: "Worker task CPU units (a Fargate size: 256, 512, 1024, 2048, 4096, 8192, 16384).",
  },
  workerMemoryMb: {
    type: "integer",
    default: 2048,
    description: "Worker task memory in MiB; must be valid for workerCpu on Fargate.",
  },
  workerEphemeralStorageGib: {
    type: "integer",
    default: 21,
    description: "Worker task ephemeral storage in GiB (21-200) for the input and output files.",
  },
  workerArchitecture: {
    type: "string",
    default: "ARM64",
    description:
      "Worker CPU architecture: ARM64 (Graviton, cheaper) or X86_64; also the image build platform.",
  },
  workerStopTimeoutSeconds: {
    type: "integer",
    default: 30,
    description: "Seconds between SIGTERM and SIGKILL when a worker task is stopped (2-120).",
  },
  workerImage: {
    type: "string",
    default: "",
    description:
      "Prebuilt worker image pinned by digest (<repository>@sha256:<64 hex>); skips the build. Empty: build worker/ and push to ECR.",
  },
  maxAttempts: {
    type: "integer",
    default: 3,
    description: "Worker runs per job before it fails (MAX_ATTEMPTS).",
  },
  retryBaseDelaySeconds: {
    type: "integer",
    default: 30,
    description: "First retry delay; doubles per attempt (RETRY_BASE_DELAY_SECONDS).",
  },
  retryMaxDelaySeconds: {
    type: "integer",
    default: 900,
    description: "Retry delay cap, at most 900 (the SQS maximum delay) (RETRY_MAX_DELAY_SECONDS).",
  },
  nonRetryableExitCodes: {
    type: "string",
    default: "64-78",
    description:
      "Worker exit codes that fail a job without retry: codes or ranges, comma-separated (NON_RETRYABLE_EXIT_CODES).",
  },
  maxInfraRetries: {
    type: "integer",
    default: 5,
    description:
      "Infrastructure failures (task failed to start, capacity) retried per job (MAX_INFRA_RETRIES).",
  },
  jobRetentionDays: {
    type: "integer",
    default: 90,
    description:
      "Days a finished job's history is kept (DynamoDB TTL); 0 keeps it forever (JOB_RETENTION_DAYS).",
  },
  fargatePrices: {
    type: "string",
    default: "",
    description:
      'Fargate prices for this stack\'s region as JSON {"asOf","source","x86":{"vcpuHour","gbHour"},"arm":{...},"spotDiscount","storageGbHour"} (USD); empty: the dated table in jobs/fargate-prices.ts (FARGATE_PRICES).',
  },
} as const satisfies Record<string, ConfigKeySpec>;

export type ConfigKey = keyof typeof CONFIG_SCHEMA;

type ValueOf<S> = S extends { type: "integer" }
  ? number
  : S extends { type: "boolean" }
    ? boolean
    : S extends { type: "array" }
      ? string[]
      : string;

/** Every key with a value of its declared type: the result of the first, type-only, parsing stage. */
export type ConfigValues = { -readonly [K in ConfigKey]: ValueOf<(typeof CONFIG_SCHEMA)[K]> };

export const CONFIG_KEYS = Object.keys(CONFIG_SCHEMA) as ConfigKey[];
