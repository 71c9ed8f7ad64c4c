// Where the CLI finds the pipeline: the jobs table, the queue, the cluster, the bucket, the worker logs, the
// region and the endpoints. Precedence, highest first:
//   1. flags (--table, --queue-url, --cluster, --bucket, --log-group, --region)
//   2. --local: the file local mode writes (local-endpoints.ts), endpoints and test credentials included
//   3. environment variables (ENVIRONMENT_VARIABLES below; AWS_REGION and AWS_ENDPOINT_URL_* are the SDK's)
//   4. --stack NAME (or JOBS_STACK): the outputs of `pulumi stack output --json`
// Each value remembers where it came from, so an error can say which setting to fix.

import {
  LOCAL_CREDENTIALS,
  type LocalEndpoints,
  localEndpointsPath,
  readLocalEndpoints,
  workerLogDirectory,
} from "../config/local-endpoints";
import { CONFIG_SCHEMA } from "../config/schema";
import type { Deadlines } from "../jobs/model";
import { defined } from "../jobs/model";
import { UsageError } from "./errors";
import { readStackOutputs, type StackValues } from "./stack-outputs";

export type Env = Readonly<Record<string, string | undefined>>;

/** The options every command accepts (defined once on the program, see main.ts). */
export interface GlobalOptions {
  readonly json?: boolean;
  readonly color?: boolean;
  /** `-o wide`. */
  readonly output?: "wide";
  readonly stack?: string;
  readonly local?: boolean;
  readonly table?: string;
  readonly queueUrl?: string;
  readonly cluster?: string;
  readonly bucket?: string;
  readonly logGroup?: string;
  readonly region?: string;
}

/** The environment variables the CLI reads, for --help and docs/jobs-cli.md. */
export const ENVIRONMENT_VARIABLES = {
  JOBS_TABLE: "jobs table name",
  JOBS_QUEUE_URL: "jobs queue URL (submit, retry)",
  CLUSTER_ARN: "worker cluster ARN or name (cancel); JOBS_CLUSTER works too",
  UPLOADS_BUCKET: "uploads bucket (submit of a local file)",
  JOBS_UPLOAD_PREFIX: `key prefix the worker may read and uploads go under (default ${CONFIG_SCHEMA.inputPrefix.default})`,
  JOBS_OUTPUT_PREFIX: `key prefix of the worker's outputs, the stack's outputPrefix: outputs and replayed success events (default ${CONFIG_SCHEMA.outputPrefix.default})`,
  JOBS_LOG_GROUP: "worker log group (logs; the `aws logs tail` hint of show)",
  JOBS_LOG_STREAM_PREFIX: "awslogs stream prefix of the worker (default worker)",
  WORKER_CONTAINER_NAME: "the worker's container name (default worker)",
  JOB_TIMEOUT_SECONDS: `the stack's run deadline, as the handlers get it (default ${CONFIG_SCHEMA.jobTimeoutMinutes.default * 60})`,
  LAUNCH_TIMEOUT_SECONDS: `the stack's launch deadline (default ${CONFIG_SCHEMA.launchTimeoutMinutes.default * 60})`,
  SWEEP_QUIET_SECONDS: `how long the sweeper waits for news of an active job (default ${CONFIG_SCHEMA.sweepQuietMinutes.default * 60})`,
  MAX_WORKER_MEMORY_MB:
    "the stack's maxWorkerMemoryMb, as the handlers get it (retry of a job that ran out of memory)",
  JOB_RETENTION_DAYS: `days a finished job is kept, as the stack sets it (default ${CONFIG_SCHEMA.jobRetentionDays.default})`,
  JOBS_EVENT_BUS: "the jobs bus replay publishes to (stack output eventBusName)",
  JOBS_STACK: "Pulumi stack to read outputs from, like --stack",
  JOBS_LOCAL_ENDPOINTS: "path of local mode's endpoints file (default .local/endpoints.json)",
} as const;

export type Service = "dynamodb" | "sqs" | "ecs" | "s3" | "logs";

/** The SDK's service id in AWS_ENDPOINT_URL_<ID> (CloudWatch Logs: CLOUDWATCH_LOGS). */
const ENDPOINT_VARIABLE: Record<Service, string> = {
  dynamodb: "AWS_ENDPOINT_URL_DYNAMODB",
  sqs: "AWS_ENDPOINT_URL_SQS",
  ecs: "AWS_ENDPOINT_URL_ECS",
  s3: "AWS_ENDPOINT_URL_S3",
  logs: "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS",
};

export interface Setting {
  readonly value: string;
  /** "--table", "JOBS_TABLE", "local mode", "stack dev" ... */
  readonly source: string;
}

export interface CliConfig {
  readonly table?: Setting;
  readonly queueUrl?: Setting;
  readonly cluster?: Setting;
  readonly bucket?: Setting;
  readonly logGroup?: Setting;
  readonly region?: Setting;
  /** The jobs bus `replay` publishes to. */
  readonly eventBus?: Setting;
  readonly endpoints: Readonly<Partial<Record<Service, string>>>;
  /** Only for local mode (whose stand-ins accept anything) or credentials given in the injected env. */
  readonly credentials?: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
  readonly uploadPrefix: string;
  /** The worker writes a job's outputs under `s3://<bucket>/<outputPrefix><jobId>/`. */
  readonly outputPrefix: string;
  readonly logStreamPrefix: string;
  readonly containerName: string;
  readonly retentionDays: number;
  /** The stack's maxWorkerMemoryMb, when known (local mode, MAX_WORKER_MEMORY_MB): `retry` after running out of memory. */
  readonly maxWorkerMemoryMb?: number;
  /** The stack's deadlines, as the sweeper applies them (`show`, `list --overdue`). */
  readonly deadlines: Deadlines;
  readonly local: boolean;
  /** Local mode: the worker's logs are files `<task id>.log` in this directory, not CloudWatch streams. */
  readonly localLogDirectory?: string;
}

// The worker's container name and awslogs stream prefix in the task definition (components/worker/worker.ts);
// not imported from there, because that module loads the Pulumi SDK.
const DEFAULT_CONTAINER_NAME = "worker";
const DEFAULT_LOG_STREAM_PREFIX = "worker";

export interface ConfigSources {
  readonly env: Env;
  /** Local mode's endpoints when they come from elsewhere than its file (a stopped state folder, opened). */
  readonly localEndpoints?: LocalEndpoints;
  /** Reads stack outputs; replaced in tests. */
  readonly stackOutputs?: (stack: string, env: Env) => Promise<StackValues>;
}

export async function resolveConfig(options: GlobalOptions, sources: ConfigSources): Promise<CliConfig> {
  const { env } = sources;
  const stackName = options.stack ?? nonEmpty(env.JOBS_STACK);
  const stack =
    stackName === undefined ? {} : await (sources.stackOutputs ?? readStackOutputs)(stackName, env);
  const fromStack = (key: keyof StackValues): Setting | undefined => {
    const value = stack[key];
    return value === undefined ? undefined : { value, source: `stack ${stackName}` };
  };
  const localPath = localEndpointsPath(env);
  const local = options.local ? (sources.localEndpoints ?? readLocalEndpoints(localPath)) : undefined;
  const fromLocal = (value: string | undefined): Setting | undefined =>
    value === undefined ? undefined : { value, source: "local mode" };
  const flag = (value: string | undefined, name: string): Setting | undefined =>
    value === undefined || value === "" ? undefined : { value, source: name };
  const fromEnv = (...names: string[]): Setting | undefined => {
    for (const name of names) {
      const value = nonEmpty(env[name]);
      if (value !== undefined) return { value, source: name };
    }
    return undefined;
  };

  const region =
    flag(options.region, "--region") ??
    fromLocal(local?.region) ??
    fromEnv("AWS_REGION", "AWS_DEFAULT_REGION") ??
    fromStack("region");
  const endpoints: Partial<Record<Service, string>> = {};
  for (const service of ["dynamodb", "sqs", "ecs", "s3", "logs"] as const) {
    const fromLocalMode = service === "logs" ? undefined : local?.endpoints[service];
    const value =
      fromLocalMode ?? nonEmpty(env[ENDPOINT_VARIABLE[service]]) ?? nonEmpty(env.AWS_ENDPOINT_URL);
    if (value !== undefined) endpoints[service] = value;
  }
  const retention = nonEmpty(env.JOB_RETENTION_DAYS);
  if (retention !== undefined && !/^\d+$/.test(retention)) {
    throw new UsageError(`JOB_RETENTION_DAYS must be a whole number of days, got "${retention}"`);
  }
  const credentials = staticCredentials(env, local !== undefined);
  const maxMemory = nonEmpty(env.MAX_WORKER_MEMORY_MB);
  if (maxMemory !== undefined && !/^\d+$/.test(maxMemory)) {
    throw new UsageError(`MAX_WORKER_MEMORY_MB must be a whole number of MiB, got "${maxMemory}"`);
  }
  const maxWorkerMemoryMb =
    local?.maxWorkerMemoryMb ?? (maxMemory === undefined ? undefined : Number(maxMemory));

  return {
    ...defined({
      table:
        flag(options.table, "--table") ??
        fromLocal(local?.tableName) ??
        fromEnv("JOBS_TABLE") ??
        fromStack("tableName"),
      queueUrl:
        flag(options.queueUrl, "--queue-url") ??
        fromLocal(local?.queueUrl) ??
        fromEnv("JOBS_QUEUE_URL") ??
        fromStack("queueUrl"),
      cluster:
        flag(options.cluster, "--cluster") ??
        fromLocal(local?.clusterArn) ??
        fromEnv("CLUSTER_ARN", "JOBS_CLUSTER") ??
        fromStack("cluster"),
      bucket:
        flag(options.bucket, "--bucket") ??
        fromLocal(local?.bucket) ??
        fromEnv("UPLOADS_BUCKET") ??
        fromStack("bucket"),
      logGroup:
        flag(options.logGroup, "--log-group") ??
        fromLocal(local?.logGroup) ??
        fromEnv("JOBS_LOG_GROUP") ??
        fromStack("logGroup"),
      region,
      eventBus: fromEnv("JOBS_EVENT_BUS") ?? fromStack("eventBus"),
      credentials,
    }),
    endpoints,
    uploadPrefix: local?.inputPrefix ?? nonEmpty(env.JOBS_UPLOAD_PREFIX) ?? CONFIG_SCHEMA.inputPrefix.default,
    outputPrefix:
      local?.outputPrefix ?? nonEmpty(env.JOBS_OUTPUT_PREFIX) ?? CONFIG_SCHEMA.outputPrefix.default,
    logStreamPrefix: nonEmpty(env.JOBS_LOG_STREAM_PREFIX) ?? DEFAULT_LOG_STREAM_PREFIX,
    containerName: nonEmpty(env.WORKER_CONTAINER_NAME) ?? DEFAULT_CONTAINER_NAME,
    retentionDays: retention === undefined ? CONFIG_SCHEMA.jobRetentionDays.default : Number(retention),
    deadlines: {
      launchSeconds: seconds(env.LAUNCH_TIMEOUT_SECONDS, CONFIG_SCHEMA.launchTimeoutMinutes.default * 60),
      runSeconds: seconds(env.JOB_TIMEOUT_SECONDS, CONFIG_SCHEMA.jobTimeoutMinutes.default * 60),
      quietSeconds: seconds(env.SWEEP_QUIET_SECONDS, CONFIG_SCHEMA.sweepQuietMinutes.default * 60),
      ...local?.deadlines,
    },
    ...(maxWorkerMemoryMb === undefined ? {} : { maxWorkerMemoryMb }),
    local: local !== undefined,
    ...(local === undefined ? {} : { localLogDirectory: workerLogDirectory(local, localPath) }),
  };
}

/** A whole number of seconds from the environment (as the stack sets it on the handlers), or the default. */
function seconds(text: string | undefined, fallback: number): number {
  const value = nonEmpty(text);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value))
    throw new UsageError(`a deadline in seconds must be a whole number, got "${value}"`);
  return Number(value);
}

const REQUIRED = {
  table: ["no jobs table configured", "--table NAME", "JOBS_TABLE"],
  queueUrl: ["no jobs queue configured", "--queue-url URL", "JOBS_QUEUE_URL"],
  cluster: ["no worker cluster configured", "--cluster NAME", "CLUSTER_ARN"],
  bucket: ["no uploads bucket configured", "--bucket NAME", "UPLOADS_BUCKET"],
} as const;

/** The setting, or a UsageError naming every way to give it. */
export function required(config: CliConfig, key: keyof typeof REQUIRED): Setting {
  const setting = config[key];
  if (setting !== undefined) return setting;
  const [message, flagName, envName] = REQUIRED[key];
  throw new UsageError(
    message,
    `pass ${flagName}, set ${envName}, or use --stack NAME (reads the Pulumi stack's outputs) or --local (local mode)`,
  );
}

function staticCredentials(env: Env, local: boolean): CliConfig["credentials"] {
  const accessKeyId = nonEmpty(env.AWS_ACCESS_KEY_ID);
  const secretAccessKey = nonEmpty(env.AWS_SECRET_ACCESS_KEY);
  if (accessKeyId !== undefined && secretAccessKey !== undefined) {
    const sessionToken = nonEmpty(env.AWS_SESSION_TOKEN);
    return { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) };
  }
  return local ? { ...LOCAL_CREDENTIALS } : undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}
