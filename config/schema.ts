// The project's settings, each one entry: its type, default, meaning, rule, and the handler variable that
// carries it to the Lambdas (with which functions are given it). Pulumi.yaml's config block and
// docs/settings.md are generated from these entries (`npm run settings:generate`; a test keeps them equal),
// the handlers parse their variables with the readers given here (handlers/environment.ts), and
// parse.ts reads every entry and holds the rules that relate keys to each other. Defaults of the retry
// policy are the job model's own (jobs/model/retry-policy.ts DEFAULT_RETRY_POLICY).

import type { z } from "zod";
import { WORKER_PARAMS_RULES } from "../jobs/boundary";
import { MAX_RUNNING_TASKS_LIMIT } from "../jobs/capacity";
import {
  CAPACITY_MODES,
  CLIENT_TOKEN_VALID_SECONDS,
  DEFAULT_NON_RETRYABLE_EXIT_CODES,
  DEFAULT_RETRY_POLICY,
  FARGATE_MAX_MEMORY_MIB,
  MAX_TIMEOUT_SECONDS,
  MIN_DEADLINE_SECONDS,
  MIN_QUIET_SECONDS,
  SQS_MAX_DELAY_SECONDS,
} from "../jobs/model";
import {
  DEFAULT_STOP_TIMEOUT_SECONDS,
  FARGATE_CPU_ARCHITECTURES,
  FARGATE_EPHEMERAL_STORAGE_GIB,
  SPOT_STOP_TIMEOUT_SECONDS,
} from "./fargate";
import { ALL, DISPATCHER, type HandlerFunctionName, LAUNCHERS, PRICERS, SWEEPER } from "./handler-functions";
import {
  between,
  emailOrEmpty,
  exitCodes,
  fargatePrices,
  imageByDigestOrEmpty,
  keyPrefix,
  oneOf,
  oneOfNumbers,
  suffixes,
} from "./rules";
import {
  choice,
  exitCodeSet,
  keyPrefixOrEmpty,
  priceTable,
  suffixList,
  type VariableReader,
  wholeNumber,
} from "./variable-readers";

export type ConfigType = "string" | "integer" | "boolean" | "array";

/** One key as Pulumi.yaml declares it, and its rule: the default and the rule must fit the type. */
export type ConfigKeySpec =
  | KeySpecOf<"string", string>
  | KeySpecOf<"integer", number>
  | KeySpecOf<"boolean", boolean>
  | KeySpecOf<"array", readonly string[]>;

interface KeySpecOf<Type extends ConfigType, Value> {
  readonly type: Type;
  readonly description: string;
  readonly default: Value;
  /** The key's own rule over its typed value (a range, a choice); without one any value of the type. */
  readonly rule?: z.ZodType<Value, Value>;
  /** The handler variable that carries it to the Lambdas, if any, and which of them are given it. */
  readonly variable?: SettingVariable;
}

/** A setting as a handler environment variable (its value: the resolved setting, as text). */
export interface SettingVariable {
  readonly name: string;
  /** The functions given it: exactly those whose handler reads it. */
  readonly functions: readonly HandlerFunctionName[];
  /** How the handlers read it back (handlers/environment.ts); absent when a library reads it (readBy). */
  readonly read?: VariableReader;
  /** Who reads it when the handlers' own parser does not. */
  readonly readBy?: string;
  /** The variable holds the setting times this (minutes as seconds: 60). */
  readonly scale?: number;
}

export const PROJECT_NAME = "video-jobs";

export const NETWORK_MODES = ["default-vpc", "new-vpc", "existing-vpc"] as const;
export type NetworkMode = (typeof NETWORK_MODES)[number];

export const LOG_LEVELS = ["DEBUG", "INFO", "WARN", "ERROR"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export const CONFIG_SCHEMA = {
  network: {
    type: "string",
    default: "default-vpc",
    description:
      "Where worker tasks run: default-vpc (the account's default VPC with a public IP; cheap), new-vpc (private subnets of a new VPC with NAT egress) or existing-vpc (existingVpcId/existingSubnetIds).",
    rule: oneOf(NETWORK_MODES),
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
  vpcInterfaceEndpoints: {
    type: "boolean",
    default: false,
    description:
      "Interface VPC endpoints for ECR (api, dkr) and CloudWatch Logs in the new VPC, so workers start and log without NAT (network: new-vpc only). Each bills per hour per zone (about $0.01/h, $7.30/month, per endpoint per zone in us-east-1) plus per GB; NAT bills about $0.045/h per gateway plus $0.045/GB. S3 always goes through a free gateway endpoint.",
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
    rule: oneOfNumbers(LOG_RETENTION_DAYS),
  },
  inputPrefix: {
    type: "string",
    default: "uploads/",
    description: "Key prefix of uploads that start a job; must not overlap outputPrefix.",
    rule: keyPrefix(),
  },
  inputSuffixes: {
    type: "array",
    default: [".mp4", ".mov", ".mkv", ".webm"],
    description:
      "Key suffixes of uploads that start a job, matched in any case by the dispatcher (.MP4 is .mp4); any other upload under inputPrefix is ignored, logged and counted (UploadsIgnored).",
    rule: suffixes(),
    variable: { name: "INPUT_SUFFIXES", functions: DISPATCHER, read: suffixList() },
  },
  outputPrefix: {
    type: "string",
    default: "outputs/",
    description:
      "Key prefix of worker outputs in the uploads bucket; a job writes under <outputPrefix><jobId>/.",
    rule: keyPrefix(),
    variable: { name: "OUTPUT_PREFIX", functions: ALL, read: keyPrefixOrEmpty() },
  },
  queueMaxReceiveCount: {
    type: "integer",
    default: 5,
    description: "Receives of a jobs-queue message before it moves to the dead-letter queue (at least 5).",
    rule: between(5, 1000),
  },
  dispatcherTimeoutSeconds: {
    type: "integer",
    default: 60,
    description:
      "Dispatcher Lambda timeout (50-900: it may wait for launch turns); the jobs queue visibility timeout is six times this.",
    rule: between(1, 900),
  },
  dispatcherBatchSize: {
    type: "integer",
    default: 10,
    description:
      "Messages per dispatcher invocation (1-10000; above 10 needs dispatcherBatchWindowSeconds >= 1).",
    rule: between(1, 10000),
  },
  dispatcherBatchWindowSeconds: {
    type: "integer",
    default: 0,
    description: "Seconds the event source waits to fill a batch (0-300).",
    rule: between(0, 300),
  },
  dispatcherMaxConcurrency: {
    type: "integer",
    default: 5,
    description:
      "Maximum concurrent dispatcher invocations from the queue (2-1000); bounds RunTask call rate.",
    rule: between(2, 1000),
  },
  taskStateTimeoutSeconds: {
    type: "integer",
    default: 60,
    description:
      "Task-state Lambda timeout (50-900: it starts waiting jobs, which may wait for launch turns); the outcome publisher's too.",
    rule: between(1, 900),
  },
  lambdaMemoryMb: {
    type: "integer",
    default: 512,
    description: "Memory of the dispatcher and task-state Lambdas.",
    rule: between(128, 10240),
  },
  logLevel: {
    type: "string",
    default: "INFO",
    description: "Handler log level (POWERTOOLS_LOG_LEVEL): DEBUG, INFO, WARN or ERROR.",
    rule: oneOf(LOG_LEVELS),
    variable: { name: "POWERTOOLS_LOG_LEVEL", functions: ALL, readBy: "Powertools' logger" },
  },
  workerCpu: {
    type: "integer",
    default: DEFAULT_RETRY_POLICY.placement.workerSize.cpu,
    description: "Worker task CPU units (a Fargate size: 256, 512, 1024, 2048, 4096, 8192, 16384).",
    variable: { name: "WORKER_CPU", functions: LAUNCHERS, read: wholeNumber(256, 16_384) },
  },
  workerMemoryMb: {
    type: "integer",
    default: DEFAULT_RETRY_POLICY.placement.workerSize.memoryMib,
    description: "Worker task memory in MiB; must be valid for workerCpu on Fargate.",
    variable: {
      name: "WORKER_MEMORY_MB",
      functions: LAUNCHERS,
      read: wholeNumber(512, FARGATE_MAX_MEMORY_MIB),
    },
  },
  workerEphemeralStorageGib: {
    type: "integer",
    default: 21,
    description: "Worker task ephemeral storage in GiB (21-200) for the input and output files.",
    rule: between(FARGATE_EPHEMERAL_STORAGE_GIB.min, FARGATE_EPHEMERAL_STORAGE_GIB.max),
  },
  workerArchitecture: {
    type: "string",
    default: "ARM64",
    description:
      "Worker CPU architecture: ARM64 (Graviton, cheaper) or X86_64; also the image build platform.",
    rule: oneOf(FARGATE_CPU_ARCHITECTURES),
    variable: {
      name: "WORKER_CPU_ARCHITECTURE",
      functions: PRICERS,
      read: choice(FARGATE_CPU_ARCHITECTURES, "ARM64 or X86_64"),
    },
  },
  workerStopTimeoutSeconds: {
    type: "integer",
    default: DEFAULT_STOP_TIMEOUT_SECONDS,
    description:
      "Seconds between SIGTERM and SIGKILL when a worker task is stopped (2-120); 120 whatever is set when capacity uses Spot (its two-minute warning).",
    rule: between(2, SPOT_STOP_TIMEOUT_SECONDS),
  },
  capacity: {
    type: "string",
    default: DEFAULT_RETRY_POLICY.placement.capacity,
    description:
      "Where worker tasks run: on-demand (FARGATE), spot (FARGATE_SPOT, about 70% cheaper; interrupted or refused Spot launches are retried on Spot) or spot-with-fallback (Spot first; once Spot interrupts or refuses a job, the rest of that job runs On-Demand). Fallbacks are infrastructure retries (maxInfraRetries), never worker attempts (CAPACITY).",
    rule: oneOf(CAPACITY_MODES),
    variable: { name: "CAPACITY", functions: LAUNCHERS, read: choice(CAPACITY_MODES) },
  },
  maxWorkerMemoryMb: {
    type: "integer",
    default: 0,
    description:
      "Most memory (MiB) an attempt that ran out of memory is retried with: each such retry takes the next Fargate size with at least twice the memory, raising CPU only when the memory requires it; past this the job fails. Between workerMemoryMb and 122880; 0: four times workerMemoryMb, at most 122880 (MAX_WORKER_MEMORY_MB).",
    rule: between(0, FARGATE_MAX_MEMORY_MIB),
    variable: {
      name: "MAX_WORKER_MEMORY_MB",
      functions: LAUNCHERS,
      read: wholeNumber(512, FARGATE_MAX_MEMORY_MIB),
    },
  },
  workerImage: {
    type: "string",
    default: "",
    description:
      "Prebuilt worker image pinned by digest (<repository>@sha256:<64 hex>); skips the build. Empty: build worker/ and push to ECR.",
    rule: imageByDigestOrEmpty(),
  },
  workerParams: {
    type: "string",
    default: "reference",
    description:
      "Params a job message may carry: reference (checked against the reference worker's published schema, worker/params.schema.json; bad params are REJECTED, naming the key) or any (passed as they are to a worker image of your own) (WORKER_PARAMS).",
    rule: oneOf(WORKER_PARAMS_RULES),
    variable: {
      name: "WORKER_PARAMS",
      functions: DISPATCHER,
      read: choice(WORKER_PARAMS_RULES, "reference or any"),
    },
  },
  maxAttempts: {
    type: "integer",
    default: DEFAULT_RETRY_POLICY.maxAttempts,
    description: "Worker runs per job before it fails (MAX_ATTEMPTS).",
    rule: between(1, 100),
    variable: { name: "MAX_ATTEMPTS", functions: LAUNCHERS, read: wholeNumber(1, 100) },
  },
  retryBaseDelaySeconds: {
    type: "integer",
    default: DEFAULT_RETRY_POLICY.baseDelaySeconds,
    description: "First retry delay; doubles per attempt (RETRY_BASE_DELAY_SECONDS).",
    rule: between(0, SQS_MAX_DELAY_SECONDS),
    variable: {
      name: "RETRY_BASE_DELAY_SECONDS",
      functions: LAUNCHERS,
      read: wholeNumber(0, SQS_MAX_DELAY_SECONDS),
    },
  },
  retryMaxDelaySeconds: {
    type: "integer",
    default: DEFAULT_RETRY_POLICY.maxDelaySeconds,
    description: "Retry delay cap, at most 900 (the SQS maximum delay) (RETRY_MAX_DELAY_SECONDS).",
    rule: between(0, SQS_MAX_DELAY_SECONDS),
    variable: {
      name: "RETRY_MAX_DELAY_SECONDS",
      functions: LAUNCHERS,
      read: wholeNumber(0, SQS_MAX_DELAY_SECONDS),
    },
  },
  nonRetryableExitCodes: {
    type: "string",
    default: DEFAULT_NON_RETRYABLE_EXIT_CODES,
    description:
      "Worker exit codes that fail a job without retry: codes or ranges, comma-separated (NON_RETRYABLE_EXIT_CODES).",
    rule: exitCodes(),
    variable: { name: "NON_RETRYABLE_EXIT_CODES", functions: LAUNCHERS, read: exitCodeSet() },
  },
  maxInfraRetries: {
    type: "integer",
    default: DEFAULT_RETRY_POLICY.maxInfraRetries,
    description:
      "Infrastructure failures (task failed to start, capacity) retried per job (MAX_INFRA_RETRIES).",
    rule: between(0, 100),
    variable: { name: "MAX_INFRA_RETRIES", functions: LAUNCHERS, read: wholeNumber(0, 100) },
  },
  jobRetentionDays: {
    type: "integer",
    default: 90,
    description:
      "Days a finished job's history is kept (DynamoDB TTL); 0 keeps it forever (JOB_RETENTION_DAYS).",
    rule: between(0, 36500),
    variable: { name: "JOB_RETENTION_DAYS", functions: LAUNCHERS, read: wholeNumber(0, 36_500) },
  },
  launchTimeoutMinutes: {
    type: "integer",
    default: 15,
    description:
      "Launch deadline: a task not RUNNING this long after its launch was requested (capacity, provisioning, image pull) is stopped by the sweeper and the launch retried as an infrastructure failure (LAUNCH_TIMEOUT_SECONDS).",
    rule: between(1, 1440),
    variable: {
      name: "LAUNCH_TIMEOUT_SECONDS",
      functions: SWEEPER,
      read: wholeNumber(MIN_DEADLINE_SECONDS, CLIENT_TOKEN_VALID_SECONDS),
      scale: 60,
    },
  },
  jobTimeoutMinutes: {
    type: "integer",
    default: 60,
    description:
      "Run deadline: a worker RUNNING this long is stopped by the sweeper and its job ends TIMED_OUT; a job message's timeoutSeconds overrides it per job (JOB_TIMEOUT_SECONDS).",
    rule: between(1, 10080),
    variable: {
      name: "JOB_TIMEOUT_SECONDS",
      functions: SWEEPER,
      read: wholeNumber(MIN_DEADLINE_SECONDS, MAX_TIMEOUT_SECONDS),
      scale: 60,
    },
  },
  sweepIntervalMinutes: {
    type: "integer",
    default: 2,
    description:
      "How often the sweeper runs: deadlines, missed ECS events, launches with no answer, overdue retries. Well inside the hour ECS keeps stopped tasks.",
    rule: between(1, 30),
  },
  sweepQuietMinutes: {
    type: "integer",
    default: 5,
    description:
      "An active job with no news for this long is checked with ECS by the sweeper (a missed event, a launch with no answer), and an overdue retry is sent again (SWEEP_QUIET_SECONDS).",
    rule: between(1, 30),
    variable: {
      name: "SWEEP_QUIET_SECONDS",
      functions: SWEEPER,
      read: wholeNumber(MIN_QUIET_SECONDS, 3600),
      scale: 60,
    },
  },
  sweepMaxJobs: {
    type: "integer",
    default: 1000,
    description:
      "Active jobs one sweeper run examines at most, shared among the active statuses; a status cut short resumes where it stopped on the next run of the warm Lambda (SWEEP_MAX_JOBS).",
    rule: between(100, 10000),
    variable: { name: "SWEEP_MAX_JOBS", functions: SWEEPER, read: wholeNumber(1, 100_000) },
  },
  maxRunningTasks: {
    type: "integer",
    default: 100,
    description:
      "Worker tasks launching or running at once, at most (like AWS Batch's maximum vCPUs); jobs beyond it wait in order, oldest first, and start as tasks end (MAX_RUNNING_TASKS, 1-5000).",
    rule: between(1, MAX_RUNNING_TASKS_LIMIT),
    variable: {
      name: "MAX_RUNNING_TASKS",
      functions: LAUNCHERS,
      read: wholeNumber(1, MAX_RUNNING_TASKS_LIMIT),
    },
  },
  launchRatePerSecond: {
    type: "integer",
    default: 20,
    description:
      "RunTask calls per second, sustained, shared by every launcher: ECS's Fargate task launch rate (LAUNCH_RATE_PER_SECOND, 1-1000).",
    rule: between(1, 1000),
    variable: { name: "LAUNCH_RATE_PER_SECOND", functions: LAUNCHERS, read: wholeNumber(1, 1000) },
  },
  launchBurst: {
    type: "integer",
    default: 100,
    description:
      "RunTask calls that may be made at once after a quiet spell: ECS's Fargate launch burst (LAUNCH_BURST, 1-10000).",
    rule: between(1, 10000),
    variable: { name: "LAUNCH_BURST", functions: LAUNCHERS, read: wholeNumber(1, 10_000) },
  },
  fargatePrices: {
    type: "string",
    default: "",
    description:
      'Fargate prices for this stack\'s region as JSON {"asOf","source","x86":{"vcpuHour","gbHour"},"arm":{...},"spotDiscount","storageGbHour"} (USD); empty: the dated table in jobs/model/fargate-prices.ts (FARGATE_PRICES).',
    rule: fargatePrices(),
    variable: { name: "FARGATE_PRICES", functions: PRICERS, read: priceTable() },
  },
  alarmEmail: {
    type: "string",
    default: "",
    description:
      "Email address subscribed to the stack's alarm topic (every alarm notifies it; SNS asks the address to confirm); empty: no subscription.",
    rule: emailOrEmpty(),
  },
  alarmOldestMessageMinutes: {
    type: "integer",
    default: 15,
    description:
      "Alarm when the oldest message of the jobs queue is older than this (the dispatcher is behind or down).",
    rule: between(1, 1440),
  },
  alarmFailedJobPercent: {
    type: "integer",
    default: 10,
    description:
      "Alarm when more than this percent of the jobs finished in 15 minutes failed (only counted from 5 finished jobs on).",
    rule: between(1, 100),
  },
  alarmThrottledLaunchesMinutes: {
    type: "integer",
    default: 10,
    description:
      "Alarm when ECS has throttled launches in every minute for this many minutes (launches are not keeping up).",
    rule: between(1, 1440),
  },
} as const satisfies Record<string, ConfigKeySpec>;

export type ConfigKey = keyof typeof CONFIG_SCHEMA;

type ValueOf<S> = S extends { rule: z.ZodType<infer T> }
  ? T
  : S extends { type: "integer" }
    ? number
    : S extends { type: "boolean" }
      ? boolean
      : S extends { type: "array" }
        ? readonly string[]
        : string;

/** Every key with its value: its rule's output, or a value of its declared type. */
export type ConfigValues = { -readonly [K in ConfigKey]: ValueOf<(typeof CONFIG_SCHEMA)[K]> };

export const CONFIG_KEYS = Object.keys(CONFIG_SCHEMA) as ConfigKey[];
