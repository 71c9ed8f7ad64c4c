// The project's configuration schema: every key the program reads, with its type, default, meaning and
// rule. Pulumi.yaml declares the same keys (a test keeps the two identical), so the CLI documents and
// type-checks stack files while `config.ts` applies the defaults when the program runs anywhere else.
// A new key is one entry here (and its declaration in Pulumi.yaml); rules that relate keys to each other
// live in parse.ts.

import { z } from "zod";
import { parseExitCodes, SQS_MAX_DELAY_SECONDS } from "../jobs/retry-policy";
import { FARGATE_CPU_ARCHITECTURES, FARGATE_EPHEMERAL_STORAGE_GIB } from "./fargate";

export type ConfigType = "string" | "integer" | "boolean" | "array";

/** One key: what Pulumi.yaml declares (type, description, default) and how its text becomes a value. */
export interface ConfigKeySpec<T> {
  readonly type: ConfigType;
  readonly description: string;
  readonly default: T;
  /** Text as Pulumi hands it (undefined when unset) to the key's value: default, then type, then rule. */
  readonly field: z.ZodType<T, string | undefined>;
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

export const IMAGE_BY_DIGEST = /^[a-z0-9][a-z0-9._\-/:]*@sha256:[0-9a-f]{64}$/;

// Readers of the text Pulumi hands the program, one per declarable type (arrays arrive as JSON).
const INTEGER_TEXT = z
  .string()
  .regex(/^\s*-?\d+\s*$/)
  .transform((digits) => Number.parseInt(digits, 10));
const BOOLEAN_TEXT = z.enum(["true", "false"]).transform((word) => word === "true");
const STRING_ARRAY_TEXT = z
  .string()
  .transform((json, ctx): unknown => {
    try {
      return JSON.parse(json);
    } catch {
      ctx.addIssue({ code: "custom", message: "not JSON" });
      return z.NEVER;
    }
  })
  .pipe(z.array(z.string()).readonly());

export const CONFIG_SCHEMA = {
  network: choice(NETWORK_MODES, {
    default: "default-vpc",
    description:
      "Where worker tasks run: default-vpc (the account's default VPC with a public IP; cheap), new-vpc (private subnets of a new VPC with NAT egress) or existing-vpc (existingVpcId/existingSubnetIds).",
  }),
  vpcCidr: text({
    default: "10.0.0.0/16",
    description: "CIDR block of the new VPC (network: new-vpc).",
  }),
  vpcAvailabilityZones: integer({
    default: 2,
    description: "Availability zones the new VPC spans, 2 to 6 (network: new-vpc).",
  }),
  vpcNatGateways: text({
    default: "Single",
    description:
      "NAT gateways of the new VPC: Single (cheaper) or OnePerAz (zone-resilient) (network: new-vpc).",
  }),
  existingVpcId: text({
    default: "",
    description: "VPC id of the existing subnets (network: existing-vpc).",
  }),
  existingSubnetIds: list({
    default: [],
    description: "Private subnet ids with egress to AWS APIs, for the worker tasks (network: existing-vpc).",
  }),
  deletionProtection: flag({
    default: false,
    description:
      "Protect stateful resources: DynamoDB deletion protection, Pulumi `protect` on the table and bucket, no force-destroy.",
  }),
  logRetentionDays: integer({
    default: 14,
    description:
      "Retention of the Lambda and worker log groups, in days (a CloudWatch Logs retention value).",
    rule: oneOfNumbers(LOG_RETENTION_DAYS),
  }),
  inputPrefix: text({
    default: "uploads/",
    description: "Key prefix of uploads that start a job; must not overlap outputPrefix.",
    rule: keyPrefix(),
  }),
  inputSuffixes: list({
    default: [".mp4", ".mov", ".mkv", ".webm"],
    description:
      "Key suffixes (case-sensitive) of uploads that start a job; one S3 notification filter each.",
    rule: suffixes(),
  }),
  outputPrefix: text({
    default: "outputs/",
    description:
      "Key prefix of worker outputs in the uploads bucket; a job writes under <outputPrefix><jobId>/.",
    rule: keyPrefix(),
  }),
  queueMaxReceiveCount: integer({
    default: 5,
    description: "Receives of a jobs-queue message before it moves to the dead-letter queue (at least 5).",
    rule: between(5, 1000),
  }),
  dispatcherTimeoutSeconds: integer({
    default: 60,
    description: "Dispatcher Lambda timeout; the jobs queue visibility timeout is six times this.",
    rule: between(1, 900),
  }),
  dispatcherBatchSize: integer({
    default: 10,
    description:
      "Messages per dispatcher invocation (1-10000; above 10 needs dispatcherBatchWindowSeconds >= 1).",
    rule: between(1, 10000),
  }),
  dispatcherBatchWindowSeconds: integer({
    default: 0,
    description: "Seconds the event source waits to fill a batch (0-300).",
    rule: between(0, 300),
  }),
  dispatcherMaxConcurrency: integer({
    default: 5,
    description:
      "Maximum concurrent dispatcher invocations from the queue (2-1000); bounds RunTask call rate.",
    rule: between(2, 1000),
  }),
  taskStateTimeoutSeconds: integer({
    default: 30,
    description: "Task-state Lambda timeout (1-900).",
    rule: between(1, 900),
  }),
  lambdaMemoryMb: integer({
    default: 512,
    description: "Memory of the dispatcher and task-state Lambdas.",
    rule: between(128, 10240),
  }),
  logLevel: choice(LOG_LEVELS, {
    default: "INFO",
    description: "Handler log level (POWERTOOLS_LOG_LEVEL): DEBUG, INFO, WARN or ERROR.",
  }),
  workerCpu: integer({
    default: 1024,
    description: "Worker task CPU units (a Fargate size: 256, 512, 1024, 2048, 4096, 8192, 16384).",
  }),
  workerMemoryMb: integer({
    default: 2048,
    description: "Worker task memory in MiB; must be valid for workerCpu on Fargate.",
  }),
  workerEphemeralStorageGib: integer({
    default: 21,
    description: "Worker task ephemeral storage in GiB (21-200) for the input and output files.",
    rule: between(FARGATE_EPHEMERAL_STORAGE_GIB.min, FARGATE_EPHEMERAL_STORAGE_GIB.max),
  }),
  workerArchitecture: choice(FARGATE_CPU_ARCHITECTURES, {
    default: "ARM64",
    description:
      "Worker CPU architecture: ARM64 (Graviton, cheaper) or X86_64; also the image build platform.",
  }),
  workerStopTimeoutSeconds: integer({
    default: 30,
    description: "Seconds between SIGTERM and SIGKILL when a worker task is stopped (2-120).",
    rule: between(2, 120),
  }),
  workerImage: text({
    default: "",
    description:
      "Prebuilt worker image pinned by digest (<repository>@sha256:<64 hex>); skips the build. Empty: build worker/ and push to ECR.",
    rule: imageByDigestOrEmpty(),
  }),
  maxAttempts: integer({
    default: 3,
    description: "Worker runs per job before it fails (MAX_ATTEMPTS).",
    rule: between(1, 100),
  }),
  retryBaseDelaySeconds: integer({
    default: 30,
    description: "First retry delay; doubles per attempt (RETRY_BASE_DELAY_SECONDS).",
    rule: between(0, SQS_MAX_DELAY_SECONDS),
  }),
  retryMaxDelaySeconds: integer({
    default: 900,
    description: "Retry delay cap, at most 900 (the SQS maximum delay) (RETRY_MAX_DELAY_SECONDS).",
    rule: between(0, SQS_MAX_DELAY_SECONDS),
  }),
  nonRetryableExitCodes: text({
    default: "64-78",
    description:
      "Worker exit codes that fail a job without retry: codes or ranges, comma-separated (NON_RETRYABLE_EXIT_CODES).",
    rule: exitCodes(),
  }),
  maxInfraRetries: integer({
    default: 5,
    description:
      "Infrastructure failures (task failed to start, capacity) retried per job (MAX_INFRA_RETRIES).",
    rule: between(0, 100),
  }),
  jobRetentionDays: integer({
    default: 90,
    description:
      "Days a finished job's history is kept (DynamoDB TTL); 0 keeps it forever (JOB_RETENTION_DAYS).",
    rule: between(0, 36500),
  }),
} as const;

export type ConfigKey = keyof typeof CONFIG_SCHEMA;

/** Every key with its value: what the fields parse to, before the rules that relate keys. */
export type ConfigValues = { -readonly [K in ConfigKey]: z.output<(typeof CONFIG_SCHEMA)[K]["field"]> };

export const CONFIG_KEYS = Object.keys(CONFIG_SCHEMA) as ConfigKey[];

// Kinds of keys, one per type Pulumi.yaml can declare. Each reads the text Pulumi hands the program; a
// value of the wrong type is one problem ("must be of type ..."), and the default stands in for it so
// the rules that relate keys still run and every problem is reported at once.

function text(entry: Entry<string, string>): ConfigKeySpec<string> {
  return spec("string", z.string(), entry);
}

function choice<const V extends readonly [string, ...string[]]>(
  values: V,
  entry: { readonly default: V[number]; readonly description: string },
): ConfigKeySpec<V[number]> {
  return spec("string", z.string(), { ...entry, rule: oneOf(values) });
}

function integer(entry: Entry<number, number>): ConfigKeySpec<number> {
  return spec("integer", INTEGER_TEXT, entry);
}

function flag(entry: Entry<boolean, boolean>): ConfigKeySpec<boolean> {
  return spec("boolean", BOOLEAN_TEXT, entry);
}

function list(entry: Entry<readonly string[], readonly string[]>): ConfigKeySpec<readonly string[]> {
  return spec("array", STRING_ARRAY_TEXT, entry);
}

interface Entry<T, B> {
  readonly default: T;
  readonly description: string;
  /** The key's own rule over its typed value; none means any value of the type. */
  readonly rule?: z.ZodType<T, B>;
}

function spec<B, T extends B>(
  type: ConfigType,
  read: z.ZodType<B, string>,
  entry: Entry<T, B>,
): ConfigKeySpec<T> {
  const typed: z.ZodType<B, string | undefined> = z
    .string()
    .optional()
    .transform((raw, ctx): B => {
      if (raw === undefined) return entry.default;
      const parsed = read.safeParse(raw);
      if (parsed.success) return parsed.data;
      ctx.addIssue({ code: "custom", message: `must be of type ${type}`, input: raw });
      return entry.default;
    });
  const rule: z.ZodType<T, B> = entry.rule ?? z.custom<T>();
  return { type, description: entry.description, default: entry.default, field: typed.pipe(rule) };
}

// Rules of single keys; each message completes "<project>:<key>: ...".

function between(min: number, max: number): z.ZodType<number, number> {
  const message = `must be between ${min} and ${max}`;
  return z.number().min(min, message).max(max, message);
}

function oneOf<const V extends readonly [string, ...string[]]>(values: V): z.ZodType<V[number], string> {
  return z.enum(values, { error: `must be one of ${values.join(", ")}` });
}

function oneOfNumbers(values: readonly number[]): z.ZodType<number, number> {
  return z.number().refine((value) => values.includes(value), `must be one of ${values.join(", ")}`);
}

function keyPrefix(): z.ZodType<string, string> {
  return z
    .string()
    .regex(
      /^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*\/$/,
      "must be a non-empty key prefix ending in '/'",
    );
}

function suffixes(): z.ZodType<readonly string[], readonly string[]> {
  return (
    z
      .array(z.string())
      .readonly()
      .refine(
        (list) => list.length > 0 && list.every((suffix) => suffix.length > 0),
        "must list at least one non-empty suffix",
      )
      // S3 rejects notification rules that overlap: same prefix, one suffix ending another.
      .refine(
        (list) => list.every((suffix, i) => list.every((other, j) => i === j || !other.endsWith(suffix))),
        "must not repeat or end one another (S3 rejects overlapping notification rules)",
      )
  );
}

function imageByDigestOrEmpty(): z.ZodType<string, string> {
  return z
    .string()
    .refine(
      (image) => image === "" || IMAGE_BY_DIGEST.test(image),
      "must be empty (build worker/) or an image pinned by digest: <repository>@sha256:<64 hex>",
    );
}

/** The handlers' own reader of the setting decides what is valid: a stack cannot deploy what they refuse. */
function exitCodes(): z.ZodType<string, string> {
  return z.string().superRefine((codes, ctx) => {
    try {
      parseExitCodes(codes);
    } catch (error) {
      ctx.addIssue({
        code: "custom",
        message: `must be exit codes 1-255 or ranges like 64-78, comma-separated: ${error instanceof Error ? error.message : String(error)}`,
        input: codes,
      });
    }
  });
}
