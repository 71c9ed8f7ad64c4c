// Turns raw stack configuration (the strings Pulumi hands the program) into a typed, validated
// PipelineConfig. Pure: `config.ts` feeds it from pulumi.Config, tests feed it plain objects. Every
// problem is collected and reported at once, each naming its key, so one `pulumi preview` shows them all.

import { type FargatePrices, parseFargatePrices } from "../../jobs/fargate-prices";
import { parseExitCodes, SQS_MAX_DELAY_SECONDS } from "../../jobs/retry-policy";
import { CONFIG_KEYS, CONFIG_SCHEMA, type ConfigKey, type ConfigValues, PROJECT_NAME } from "./config-schema";
import {
  FARGATE_CPU_ARCHITECTURES,
  FARGATE_EPHEMERAL_STORAGE_GIB,
  type FargateCpuArchitecture,
  fargateSizeProblem,
} from "./fargate";

export type NetworkConfig =
  | { readonly mode: "default-vpc" }
  | {
      readonly mode: "new-vpc";
      readonly cidrBlock: string;
      readonly availabilityZones: number;
      readonly natGateways: "Single" | "OnePerAz";
    }
  | { readonly mode: "existing-vpc"; readonly vpcId: string; readonly subnetIds: readonly string[] };

/** The job model's settings, handed to both handlers through their environment. */
export interface JobSettings {
  readonly maxAttempts: number;
  readonly retryBaseDelaySeconds: number;
  readonly retryMaxDelaySeconds: number;
  readonly nonRetryableExitCodes: string;
  readonly maxInfraRetries: number;
  readonly jobRetentionDays: number;
}

export type LogLevel = "DEBUG" | "INFO" | "WARN" | "ERROR";

export interface PipelineConfig {
  readonly network: NetworkConfig;
  readonly deletionProtection: boolean;
  readonly logRetentionDays: number;
  readonly uploads: {
    readonly inputPrefix: string;
    readonly inputSuffixes: readonly string[];
    readonly outputPrefix: string;
  };
  readonly queueMaxReceiveCount: number;
  readonly dispatcher: {
    readonly timeoutSeconds: number;
    readonly batchSize: number;
    readonly batchWindowSeconds: number;
    readonly maxConcurrency: number;
  };
  readonly taskStateTimeoutSeconds: number;
  readonly lambdaMemoryMb: number;
  readonly logLevel: LogLevel;
  readonly worker: {
    readonly cpu: number;
    readonly memoryMb: number;
    readonly ephemeralStorageGib: number;
    readonly architecture: FargateCpuArchitecture;
    readonly stopTimeoutSeconds: number;
    /** Digest-pinned image; undefined means build `worker/`. */
    readonly image: string | undefined;
  };
  readonly jobs: JobSettings;
  /** The stack's own Fargate prices; undefined: the repository's table (jobs/fargate-prices.ts). */
  readonly fargatePrices: FargatePrices | undefined;
}

/** Raw values as Pulumi gives them: strings (arrays as JSON), undefined when unset. */
export type RawConfig = Readonly<Partial<Record<string, string | undefined>>>;

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid ${PROJECT_NAME} configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`,
    );
    this.name = "ConfigError";
  }
}

// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export const IMAGE_BY_DIGEST = /^[a-z0-9][a-z0-9._\-/:]*@sha256:[0-9a-f]{64}$/;

export function parsePipelineConfig(raw: RawConfig): PipelineConfig {
  const problems: string[] = [];
  const values = parseTypes(raw, problems);
  const check = (key: ConfigKey, ok: boolean, message: string): void => {
    if (!ok) problems.push(`${PROJECT_NAME}:${key}: ${message} (got ${JSON.stringify(values[key])})`);
  };
  const inRange = (key: ConfigKey, min: number, max: number): void => {
    const value = values[key];
    check(
      key,
      typeof value === "number" && value >= min && value <= max,
      `must be between ${min} and ${max}`,
    );
  };
  const oneOf = (key: ConfigKey, allowed: readonly (string | number)[]): void => {
    check(key, allowed.includes(values[key] as string | number), `must be one of ${allowed.join(", ")}`);
  };

  oneOf("network", ["default-vpc", "new-vpc", "existing-vpc"]);
  if (values.network === "new-vpc") {
    check(
      "vpcCidr",
      /^\d{1,3}(\.\d{1,3}){3}\/(1[6-9]|2[0-4])$/.test(values.vpcCidr),
      "must be a /16 to /24 CIDR",
    );
    inRange("vpcAvailabilityZones", 2, 6);
    oneOf("vpcNatGateways", ["Single", "OnePerAz"]);
  }
  if (values.network === "existing-vpc") {
    check("existingVpcId", /^vpc-[0-9a-f]+$/.test(values.existingVpcId), "must be a VPC id (vpc-...)");
    check(
      "existingSubnetIds",
      values.existingSubnetIds.length > 0 &&
        values.existingSubnetIds.every((id) => /^subnet-[0-9a-f]+$/.test(id)),
      "must list at least one subnet id (subnet-...)",
    );
  }
  oneOf("logRetentionDays", LOG_RETENTION_DAYS);
  checkPrefixes(values, check);
  check(
    "inputSuffixes",
    values.inputSuffixes.length > 0 && values.inputSuffixes.every((suffix) => suffix.length > 0),
    "must list at least one non-empty suffix",
  );
  // S3 rejects notification rules that overlap: same prefix, one suffix ending another.
  check(
    "inputSuffixes",
    values.inputSuffixes.every((suffix, i) =>
      values.inputSuffixes.every((other, j) => i === j || !other.endsWith(suffix)),
    ),
    "must not repeat or end one another (S3 rejects overlapping notification rules)",
  );
  inRange("queueMaxReceiveCount", 5, 1000);
  inRange("dispatcherTimeoutSeconds", 1, 900);
  inRange("dispatcherBatchSize", 1, 10000);
  inRange("dispatcherBatchWindowSeconds", 0, 300);
  check(
    "dispatcherBatchWindowSeconds",
    values.dispatcherBatchSize <= 10 || values.dispatcherBatchWindowSeconds >= 1,
    "must be at least 1 when dispatcherBatchSize is above 10 (an SQS event source rule)",
  );
  inRange("dispatcherMaxConcurrency", 2, 1000);
  inRange("taskStateTimeoutSeconds", 1, 900);
  inRange("lambdaMemoryMb", 128, 10240);
  oneOf("logLevel", ["DEBUG", "INFO", "WARN", "ERROR"]);
  const sizeProblem = fargateSizeProblem(values.workerCpu, values.workerMemoryMb);
  check("workerMemoryMb", sizeProblem === undefined, sizeProblem ?? "");
  inRange("workerEphemeralStorageGib", FARGATE_EPHEMERAL_STORAGE_GIB.min, FARGATE_EPHEMERAL_STORAGE_GIB.max);
  oneOf("workerArchitecture", FARGATE_CPU_ARCHITECTURES);
  inRange("workerStopTimeoutSeconds", 2, 120);
  check(
    "workerImage",
    values.workerImage === "" || IMAGE_BY_DIGEST.test(values.workerImage),
    "must be empty (build worker/) or an image pinned by digest: <repository>@sha256:<64 hex>",
  );
  inRange("maxAttempts", 1, 100);
  inRange("retryBaseDelaySeconds", 0, SQS_MAX_DELAY_SECONDS);
  inRange("retryMaxDelaySeconds", 0, SQS_MAX_DELAY_SECONDS);
  check(
    "retryMaxDelaySeconds",
    values.retryMaxDelaySeconds >= values.retryBaseDelaySeconds,
    "must not be below retryBaseDelaySeconds",
  );
  // The handlers' own reader of the setting decides what is valid: a stack cannot deploy what they refuse.
  const exitCodesProblem = problemOf(() => parseExitCodes(values.nonRetryableExitCodes));
  check(
    "nonRetryableExitCodes",
    exitCodesProblem === undefined,
    `must be exit codes 1-255 or ranges like 64-78, comma-separated: ${exitCodesProblem}`,
  );
  inRange("maxInfraRetries", 0, 100);
  inRange("jobRetentionDays", 0, 36500);
  const pricesProblem =
    values.fargatePrices === "" ? undefined : problemOf(() => parseFargatePrices(values.fargatePrices));
  check("fargatePrices", pricesProblem === undefined, `must be empty or a price table: ${pricesProblem}`);

  if (problems.length > 0) throw new ConfigError(problems);
  return toPipelineConfig(values);
}

/** First stage: each key to its declared type, or its default when unset. */
function parseTypes(raw: RawConfig, problems: string[]): ConfigValues {
  const entries = CONFIG_KEYS.map((key) => {
    const spec: { type: string; default: unknown } = CONFIG_SCHEMA[key];
    const text = raw[key];
    if (text === undefined) return [key, Array.isArray(spec.default) ? [...spec.default] : spec.default];
    const parsed = parseTyped(spec.type, text);
    if (parsed === undefined) {
      problems.push(`${PROJECT_NAME}:${key}: must be of type ${spec.type} (got ${JSON.stringify(text)})`);
      return [key, spec.default];
    }
    return [key, parsed];
  });
  return Object.fromEntries(entries) as ConfigValues;
}

function parseTyped(type: string, text: string): string | number | boolean | string[] | undefined {
  switch (type) {
    case "integer":
      return /^-?\d+$/.test(text.trim()) ? Number.parseInt(text, 10) : undefined;
    case "boolean":
      return text === "true" ? true : text === "false" ? false : undefined;
    case "array":
      return parseStringArray(text);
    default:
      return text;
  }
}

function parseStringArray(text: string): string[] | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) && value.every((item) => typeof item === "string") ? value : undefined;
  } catch {
    return undefined;
  }
}

function checkPrefixes(
  values: ConfigValues,
  check: (key: ConfigKey, ok: boolean, message: string) => void,
): void {
  const { inputPrefix, outputPrefix } = values;
  const isPrefix = (prefix: string) => /^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*\/$/.test(prefix);
  check("inputPrefix", isPrefix(inputPrefix), "must be a non-empty key prefix ending in '/'");
  check("outputPrefix", isPrefix(outputPrefix), "must be a non-empty key prefix ending in '/'");
  // Outputs under the input prefix would notify the queue and start a job for every output, forever.
  check(
    "outputPrefix",
    !outputPrefix.startsWith(inputPrefix) && !inputPrefix.startsWith(outputPrefix),
    "must not overlap inputPrefix (outputs would start new jobs)",
  );
}

function problemOf(read: () => unknown): string | undefined {
  try {
    read();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

function toPipelineConfig(values: ConfigValues): PipelineConfig {
  return {
    network: toNetwork(values),
    deletionProtection: values.deletionProtection,
    logRetentionDays: values.logRetentionDays,
    uploads: {
      inputPrefix: values.inputPrefix,
      inputSuffixes: values.inputSuffixes,
      outputPrefix: values.outputPrefix,
    },
    queueMaxReceiveCount: values.queueMaxReceiveCount,
    dispatcher: {
      timeoutSeconds: values.dispatcherTimeoutSeconds,
      batchSize: values.dispatcherBatchSize,
      batchWindowSeconds: values.dispatcherBatchWindowSeconds,
      maxConcurrency: values.dispatcherMaxConcurrency,
    },
    taskStateTimeoutSeconds: values.taskStateTimeoutSeconds,
    lambdaMemoryMb: values.lambdaMemoryMb,
    logLevel: values.logLevel as LogLevel,
    worker: {
      cpu: values.workerCpu,
      memoryMb: values.workerMemoryMb,
      ephemeralStorageGib: values.workerEphemeralStorageGib,
      architecture: values.workerArchitecture as FargateCpuArchitecture,
      stopTimeoutSeconds: values.workerStopTimeoutSeconds,
      image: values.workerImage === "" ? undefined : values.workerImage,
    },
    jobs: {
      maxAttempts: values.maxAttempts,
      retryBaseDelaySeconds: values.retryBaseDelaySeconds,
      retryMaxDelaySeconds: values.retryMaxDelaySeconds,
      nonRetryableExitCodes: values.nonRetryableExitCodes,
      maxInfraRetries: values.maxInfraRetries,
      jobRetentionDays: values.jobRetentionDays,
    },
    fargatePrices: values.fargatePrices === "" ? undefined : parseFargatePrices(values.fargatePrices),
  };
}

function toNetwork(values: ConfigValues): NetworkConfig {
  switch (values.network) {
    case "new-vpc":
      return {
        mode: "new-vpc",
        cidrBlock: values.vpcCidr,
        availabilityZones: values.vpcAvailabilityZones,
        natGateways: values.vpcNatGateways as "Single" | "OnePerAz",
      };
    case "existing-vpc":
      return { mode: "existing-vpc", vpcId: values.existingVpcId, subnetIds: values.existingSubnetIds };
    default:
      return { mode: "default-vpc" };
  }
}
