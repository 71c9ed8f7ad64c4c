// The handlers' configuration, read only from environment variables that the Pulumi program sets
// (components/) and local mode sets for its stand-ins. Parsed strictly: a missing or malformed variable
// stops the function at start with a message naming it.

import { z } from "zod";
import { ConfigurationError } from "../config/errors";
import type { CostSettings } from "../jobs/cost";
import {
  CLIENT_TOKEN_VALID_SECONDS,
  type Deadlines,
  MAX_TIMEOUT_SECONDS,
  MIN_DEADLINE_SECONDS,
  MIN_QUIET_SECONDS,
} from "../jobs/deadlines";
import { parseFargatePrices } from "../jobs/fargate-prices";
import { WORKER_PARAMS_RULES, type WorkerParamsRule } from "../jobs/intake";
import type { LaunchRateLimits } from "../jobs/launch-rate";
import { parseExitCodes, type RetryPolicy, SQS_MAX_DELAY_SECONDS } from "../jobs/retry-policy";
import { MAX_RUNNING_TASKS_LIMIT } from "../jobs/slots";
import { CAPACITY_MODES, FARGATE_MAX_MEMORY_MIB, isFargateSize } from "../jobs/task-size";
import type { WorkerTarget } from "../jobs/worker-environment";

export { ConfigurationError } from "../config/errors";

/** Every variable the handlers read (the Pulumi components set exactly these). */
export const HANDLER_ENVIRONMENT_VARIABLES = [
  "JOBS_TABLE",
  "JOBS_QUEUE_URL",
  "CLUSTER_ARN",
  "TASK_DEFINITION_ARN",
  "WORKER_CONTAINER_NAME",
  "SUBNET_IDS",
  "SECURITY_GROUP_IDS",
  "ASSIGN_PUBLIC_IP",
  "OUTPUT_BUCKET",
  "OUTPUT_PREFIX",
  "MAX_ATTEMPTS",
  "RETRY_BASE_DELAY_SECONDS",
  "RETRY_MAX_DELAY_SECONDS",
  "NON_RETRYABLE_EXIT_CODES",
  "MAX_INFRA_RETRIES",
  "JOB_RETENTION_DAYS",
  "LAUNCH_TIMEOUT_SECONDS",
  "JOB_TIMEOUT_SECONDS",
  "SWEEP_QUIET_SECONDS",
  "SWEEP_MAX_JOBS",
  "WORKER_CPU_ARCHITECTURE",
  "WORKER_CPU",
  "WORKER_MEMORY_MB",
  "MAX_WORKER_MEMORY_MB",
  "CAPACITY",
  "FARGATE_PRICES",
  "JOBS_EVENT_BUS_NAME",
  "OUTCOMES_DEAD_LETTER_QUEUE_URL",
  "WORKER_PARAMS",
  "CAPACITY_TABLE",
  "MAX_RUNNING_TASKS",
  "LAUNCH_RATE_PER_SECOND",
  "LAUNCH_BURST",
  "METRICS_NAMESPACE",
  "METRICS_SERVICE",
] as const;

export interface HandlerConfig {
  readonly tableName: string;
  readonly queueUrl: string;
  readonly clusterArn: string;
  readonly taskDefinitionArn: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
  readonly assignPublicIp: "ENABLED" | "DISABLED";
  readonly target: WorkerTarget;
  readonly policy: RetryPolicy;
  readonly retentionDays: number;
  readonly deadlines: Deadlines;
  /** Jobs one sweeper run examines at most. */
  readonly sweepMaxJobs: number;
  /** How attempts are priced: the task definition's architecture, the stack's price override if any. */
  readonly cost: CostSettings;
  /** Where the outcome publisher puts job state changes, and sets aside stream records it cannot read. */
  readonly outcomes: { readonly eventBusName: string; readonly deadLetterQueueUrl: string };
  /** Which params a job message may carry (jobs/intake.ts). */
  readonly workerParams: WorkerParamsRule;
  /** The cap on running tasks and RunTask's pace, kept in the capacity table (slots.ts, launch-rate.ts). */
  readonly capacity: {
    readonly tableName: string;
    readonly maxRunningTasks: number;
    readonly launchRate: LaunchRateLimits;
  };
  /** Where the handlers' metrics go: their CloudWatch namespace and `service` dimension (the pipeline). */
  readonly metrics: { readonly namespace: string; readonly service: string };
}

const required = (name: string) => z.string({ error: `${name} is not set` }).min(1, `${name} is empty`);
const integer = (name: string, min: number, max: number) =>
  z
    .string({ error: `${name} is not set` })
    .regex(/^\d+$/, `${name} must be a whole number`)
    .transform(Number)
    .pipe(z.number().min(min, `${name} must be >= ${min}`).max(max, `${name} must be <= ${max}`));
const list = (name: string) =>
  required(name)
    .transform((text) =>
      text
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item !== ""),
    )
    .refine((items) => items.length > 0, `${name} must list at least one id (comma-separated)`);

const schema = z.object({
  JOBS_TABLE: required("JOBS_TABLE"),
  JOBS_QUEUE_URL: required("JOBS_QUEUE_URL").pipe(z.url({ error: "JOBS_QUEUE_URL must be a URL" })),
  CLUSTER_ARN: required("CLUSTER_ARN").regex(/^arn:[^:]+:ecs:/, "CLUSTER_ARN must be an ECS cluster ARN"),
  TASK_DEFINITION_ARN: required("TASK_DEFINITION_ARN").regex(
    /^arn:[^:]+:ecs:.+:task-definition\/.+:\d+$/,
    "TASK_DEFINITION_ARN must be a task definition ARN with its revision",
  ),
  WORKER_CONTAINER_NAME: required("WORKER_CONTAINER_NAME"),
  SUBNET_IDS: list("SUBNET_IDS"),
  SECURITY_GROUP_IDS: list("SECURITY_GROUP_IDS"),
  ASSIGN_PUBLIC_IP: z.enum(["ENABLED", "DISABLED"], {
    error: "ASSIGN_PUBLIC_IP must be ENABLED or DISABLED",
  }),
  OUTPUT_BUCKET: required("OUTPUT_BUCKET"),
  OUTPUT_PREFIX: z
    .string({ error: "OUTPUT_PREFIX is not set" })
    .refine(
      (p) => p === "" || (p.endsWith("/") && !p.startsWith("/")),
      "OUTPUT_PREFIX must be empty or a key prefix ending with / (not starting with /)",
    ),
  MAX_ATTEMPTS: integer("MAX_ATTEMPTS", 1, 100),
  RETRY_BASE_DELAY_SECONDS: integer("RETRY_BASE_DELAY_SECONDS", 0, SQS_MAX_DELAY_SECONDS),
  RETRY_MAX_DELAY_SECONDS: integer("RETRY_MAX_DELAY_SECONDS", 0, SQS_MAX_DELAY_SECONDS),
  NON_RETRYABLE_EXIT_CODES: z.string({ error: "NON_RETRYABLE_EXIT_CODES is not set" }),
  MAX_INFRA_RETRIES: integer("MAX_INFRA_RETRIES", 0, 100),
  JOB_RETENTION_DAYS: integer("JOB_RETENTION_DAYS", 0, 36_500),
  LAUNCH_TIMEOUT_SECONDS: integer("LAUNCH_TIMEOUT_SECONDS", MIN_DEADLINE_SECONDS, CLIENT_TOKEN_VALID_SECONDS),
  JOB_TIMEOUT_SECONDS: integer("JOB_TIMEOUT_SECONDS", MIN_DEADLINE_SECONDS, MAX_TIMEOUT_SECONDS),
  SWEEP_QUIET_SECONDS: integer("SWEEP_QUIET_SECONDS", MIN_QUIET_SECONDS, 3600),
  SWEEP_MAX_JOBS: integer("SWEEP_MAX_JOBS", 1, 100_000),
  WORKER_CPU_ARCHITECTURE: z.enum(["ARM64", "X86_64"], {
    error: "WORKER_CPU_ARCHITECTURE must be ARM64 or X86_64",
  }),
  // The task definition's size (every attempt's until one runs out of memory) and how far it may grow.
  WORKER_CPU: integer("WORKER_CPU", 256, 16_384),
  WORKER_MEMORY_MB: integer("WORKER_MEMORY_MB", 512, FARGATE_MAX_MEMORY_MIB),
  MAX_WORKER_MEMORY_MB: integer("MAX_WORKER_MEMORY_MB", 512, FARGATE_MAX_MEMORY_MIB),
  CAPACITY: z.enum(CAPACITY_MODES, { error: `CAPACITY must be one of ${CAPACITY_MODES.join(", ")}` }),
  // Empty: the repository's price table (jobs/fargate-prices.ts) for the task's region.
  JOBS_EVENT_BUS_NAME: required("JOBS_EVENT_BUS_NAME"),
  OUTCOMES_DEAD_LETTER_QUEUE_URL: required("OUTCOMES_DEAD_LETTER_QUEUE_URL").pipe(
    z.url({ error: "OUTCOMES_DEAD_LETTER_QUEUE_URL must be a URL" }),
  ),
  FARGATE_PRICES: z.string({ error: "FARGATE_PRICES is not set (empty for the repository's price table)" }),
  WORKER_PARAMS: z.enum(WORKER_PARAMS_RULES, { error: "WORKER_PARAMS must be reference or any" }),
  CAPACITY_TABLE: required("CAPACITY_TABLE"),
  MAX_RUNNING_TASKS: integer("MAX_RUNNING_TASKS", 1, MAX_RUNNING_TASKS_LIMIT),
  LAUNCH_RATE_PER_SECOND: integer("LAUNCH_RATE_PER_SECOND", 1, 1000),
  LAUNCH_BURST: integer("LAUNCH_BURST", 1, 10_000),
  // CloudWatch's rules: a namespace of 1-255 characters, not AWS/...; a dimension value of 1-1024.
  METRICS_NAMESPACE: required("METRICS_NAMESPACE")
    .max(255, "METRICS_NAMESPACE must be at most 255 characters")
    .regex(/^[A-Za-z0-9.\-_/#:]+$/, "METRICS_NAMESPACE may hold letters, digits and . - _ / # : only")
    .refine((namespace) => !namespace.startsWith("AWS/"), "METRICS_NAMESPACE must not start with AWS/"),
  METRICS_SERVICE: required("METRICS_SERVICE").max(1024, "METRICS_SERVICE must be at most 1024 characters"),
});

export function readHandlerConfig(env: NodeJS.ProcessEnv = process.env): HandlerConfig {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => issue.message).join("; ");
    throw new ConfigurationError(`invalid handler environment: ${problems}`);
  }
  const e = result.data;
  let nonRetryableExitCodes: ReadonlySet<number>;
  try {
    nonRetryableExitCodes = parseExitCodes(e.NON_RETRYABLE_EXIT_CODES);
  } catch (error) {
    throw new ConfigurationError(
      `invalid handler environment: NON_RETRYABLE_EXIT_CODES: ${(error as Error).message}`,
    );
  }
  let prices: CostSettings["prices"];
  try {
    prices = e.FARGATE_PRICES.trim() === "" ? undefined : parseFargatePrices(e.FARGATE_PRICES);
  } catch (error) {
    throw new ConfigurationError(`invalid handler environment: FARGATE_PRICES: ${(error as Error).message}`);
  }
  const workerSize = { cpu: e.WORKER_CPU, memoryMib: e.WORKER_MEMORY_MB };
  if (!isFargateSize(workerSize)) {
    throw new ConfigurationError(
      `invalid handler environment: WORKER_CPU ${e.WORKER_CPU} with WORKER_MEMORY_MB ${e.WORKER_MEMORY_MB} is not a Fargate size`,
    );
  }
  if (e.MAX_WORKER_MEMORY_MB < e.WORKER_MEMORY_MB) {
    throw new ConfigurationError(
      "invalid handler environment: MAX_WORKER_MEMORY_MB must be >= WORKER_MEMORY_MB",
    );
  }
  if (e.RETRY_MAX_DELAY_SECONDS < e.RETRY_BASE_DELAY_SECONDS) {
    throw new ConfigurationError(
      "invalid handler environment: RETRY_MAX_DELAY_SECONDS must be >= RETRY_BASE_DELAY_SECONDS",
    );
  }
  return {
    tableName: e.JOBS_TABLE,
    queueUrl: e.JOBS_QUEUE_URL,
    clusterArn: e.CLUSTER_ARN,
    taskDefinitionArn: e.TASK_DEFINITION_ARN,
    subnetIds: e.SUBNET_IDS,
    securityGroupIds: e.SECURITY_GROUP_IDS,
    assignPublicIp: e.ASSIGN_PUBLIC_IP,
    target: {
      containerName: e.WORKER_CONTAINER_NAME,
      outputBucket: e.OUTPUT_BUCKET,
      outputPrefix: e.OUTPUT_PREFIX,
    },
    policy: {
      maxAttempts: e.MAX_ATTEMPTS,
      nonRetryableExitCodes,
      maxInfraRetries: e.MAX_INFRA_RETRIES,
      baseDelaySeconds: e.RETRY_BASE_DELAY_SECONDS,
      maxDelaySeconds: e.RETRY_MAX_DELAY_SECONDS,
      placement: { capacity: e.CAPACITY, workerSize, maxWorkerMemoryMb: e.MAX_WORKER_MEMORY_MB },
    },
    retentionDays: e.JOB_RETENTION_DAYS,
    deadlines: {
      launchSeconds: e.LAUNCH_TIMEOUT_SECONDS,
      runSeconds: e.JOB_TIMEOUT_SECONDS,
      quietSeconds: e.SWEEP_QUIET_SECONDS,
    },
    sweepMaxJobs: e.SWEEP_MAX_JOBS,
    outcomes: { eventBusName: e.JOBS_EVENT_BUS_NAME, deadLetterQueueUrl: e.OUTCOMES_DEAD_LETTER_QUEUE_URL },
    cost: { architecture: e.WORKER_CPU_ARCHITECTURE, ...(prices === undefined ? {} : { prices }) },
    workerParams: e.WORKER_PARAMS,
    capacity: {
      tableName: e.CAPACITY_TABLE,
      maxRunningTasks: e.MAX_RUNNING_TASKS,
      launchRate: { ratePerSecond: e.LAUNCH_RATE_PER_SECOND, burst: e.LAUNCH_BURST },
    },
    metrics: { namespace: e.METRICS_NAMESPACE, service: e.METRICS_SERVICE },
  };
}
