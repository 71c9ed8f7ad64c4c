// Turns raw stack configuration (the strings Pulumi hands the program) into a typed, validated
// PipelineConfig with one zod schema: each key's field from schema.ts, then the rules that relate keys
// (the network's own keys, overlapping prefixes, Fargate sizes, retry delays, launchers' timeouts). Pure: `config.ts` feeds it
// from pulumi.Config, tests feed it plain objects. Every problem is collected and reported at once, each
// naming its key, so one `pulumi preview` shows them all.

import { z } from "zod";
import type { WorkerParamsRule } from "../jobs/boundary";
import { MAX_LAUNCH_WAIT_MS } from "../jobs/capacity";
import {
  type CapacityMode,
  FARGATE_MAX_MEMORY_MIB,
  type FargatePrices,
  parseFargatePrices,
} from "../jobs/model";
import { ConfigurationError } from "./errors";
import { type FargateCpuArchitecture, fargateSizeProblem, workerStopTimeoutSeconds } from "./fargate";
import type { HandlerSettings } from "./handler-variables";
import { maxMemoryCoversWorker, retryDelaysInOrder } from "./rules";
import {
  CONFIG_KEYS,
  CONFIG_SCHEMA,
  type ConfigKey,
  type ConfigKeySpec,
  type ConfigType,
  type ConfigValues,
  type LogLevel,
  type NetworkMode,
  PROJECT_NAME,
} from "./schema";
import { misspeltNamespaceProblems, unknownKeyMessage, unknownKeys } from "./unknown-keys";

export type { LogLevel } from "./schema";

export type NetworkConfig =
  | { readonly mode: "default-vpc" }
  | {
      readonly mode: "new-vpc";
      readonly cidrBlock: string;
      readonly availabilityZones: number;
      readonly natGateways: "Single" | "OnePerAz";
      /** ECR and CloudWatch Logs interface endpoints (vpcInterfaceEndpoints); S3's gateway endpoint is always on. */
      readonly interfaceEndpoints: boolean;
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
  readonly launchTimeoutMinutes: number;
  readonly jobTimeoutMinutes: number;
  /** The sweeper's settings (it shares the handlers' environment). */
  readonly sweepQuietMinutes: number;
  readonly sweepMaxJobs: number;
  /** The cap on running tasks and RunTask's pace (slots.ts, launch-rate.ts). */
  readonly maxRunningTasks: number;
  readonly launchRatePerSecond: number;
  readonly launchBurst: number;
}

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
    /** The effective one: 120 with Spot whatever workerStopTimeoutSeconds says (workerStopTimeoutSeconds()). */
    readonly stopTimeoutSeconds: number;
    /** On-Demand, Spot, or Spot falling back to On-Demand (stack config `capacity`). */
    readonly capacity: CapacityMode;
    /** The most memory an out-of-memory retry may grow an attempt to (maxWorkerMemoryMb, 0 resolved). */
    readonly maxMemoryMb: number;
    /** Digest-pinned image; undefined means build `worker/`. */
    readonly image: string | undefined;
    /** Which params a job message may carry: the reference worker's (checked) or any. */
    readonly params: WorkerParamsRule;
  };
  readonly jobs: JobSettings;
  readonly sweepIntervalMinutes: number;
  /** The stack's own Fargate prices; undefined: the repository's table (jobs/model/fargate-prices.ts). */
  readonly fargatePrices: FargatePrices | undefined;
  readonly alarms: AlarmSettings;
}

/** Thresholds of the operations alarms, and who is told (components/monitoring/operations-monitoring.ts). */
export interface AlarmSettings {
  /** Subscribed to the alarm topic; undefined: no subscription. */
  readonly email: string | undefined;
  readonly oldestMessageMinutes: number;
  readonly failedJobPercent: number;
  readonly throttledLaunchesMinutes: number;
}

/** Raw values as Pulumi gives them: strings (arrays as JSON), undefined when unset. */
export type RawConfig = Readonly<Partial<Record<string, string | undefined>>>;

/**
 * The shortest timeout of a Lambda that launches workers from the queue or a task event (the dispatcher, the
 * task-state handler). A launch waits up to MAX_LAUNCH_WAIT_MS for its turn at RunTask's rate; starting
 * waiting jobs (jobs/workflows/start-waiting.ts) goes on admitting for that long, and its last admission may itself
 * wait that long. Ten seconds more cover the reads, writes and RunTask calls around them. (The sweeper's
 * timeout, at least a minute, is set from sweepIntervalMinutes.)
 */
export const LAUNCHER_MIN_TIMEOUT_SECONDS = (2 * MAX_LAUNCH_WAIT_MS) / 1000 + 10;

/**
 * The stack's settings, typed and checked. `raw` is every key the stack sets in the project's namespace
 * (namespace stripped): a key that is no setting is a problem like any other, naming the nearest setting.
 */
export function parsePipelineConfig(
  raw: RawConfig,
  /** The stack's keys of other namespaces, qualified (`aws:region`): one misspelling the project's is refused. */
  others: Readonly<Record<string, string>> = {},
): PipelineConfig {
  const unknown = [
    ...unknownKeys(raw, CONFIG_KEYS)
      .filter((key) => raw[key] !== undefined)
      .map(
        (key) =>
          `${PROJECT_NAME}:${key}: ${unknownKeyMessage(PROJECT_NAME, key, CONFIG_KEYS)} (got ${JSON.stringify(raw[key])})`,
      ),
    ...misspeltNamespaceProblems(PROJECT_NAME, others, CONFIG_KEYS),
  ];
  const result = STACK_CONFIG.safeParse(raw, { reportInput: true });
  if (result.success && unknown.length === 0) return result.data;
  const problems = [
    ...unknown,
    ...(result.error?.issues ?? []).map(
      (issue) =>
        `${PROJECT_NAME}:${String(issue.path[0])}: ${issue.message} (got ${JSON.stringify(issue.input)})`,
    ),
  ];
  throw new ConfigurationError(
    `Invalid ${PROJECT_NAME} configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`,
    problems,
  );
}

// The keys each network uses, checked only when that network is chosen.
const NETWORKS = {
  "default-vpc": z.object({}).transform((): NetworkConfig => ({ mode: "default-vpc" })),
  "new-vpc": z
    .object({
      vpcCidr: z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/(1[6-9]|2[0-4])$/, "must be a /16 to /24 CIDR"),
      vpcAvailabilityZones: z.number().min(2, "must be between 2 and 6").max(6, "must be between 2 and 6"),
      vpcNatGateways: z.enum(["Single", "OnePerAz"], { error: "must be one of Single, OnePerAz" }),
      vpcInterfaceEndpoints: z.boolean(),
    })
    .transform(
      (values): NetworkConfig => ({
        mode: "new-vpc",
        cidrBlock: values.vpcCidr,
        availabilityZones: values.vpcAvailabilityZones,
        natGateways: values.vpcNatGateways,
        interfaceEndpoints: values.vpcInterfaceEndpoints,
      }),
    ),
  "existing-vpc": z
    .object({
      existingVpcId: z.string().regex(/^vpc-[0-9a-f]+$/, "must be a VPC id (vpc-...)"),
      existingSubnetIds: z
        .array(z.string())
        .readonly()
        .refine(
          (ids) => ids.length > 0 && ids.every((id) => /^subnet-[0-9a-f]+$/.test(id)),
          "must list at least one subnet id (subnet-...)",
        ),
    })
    .transform(
      (values): NetworkConfig => ({
        mode: "existing-vpc",
        vpcId: values.existingVpcId,
        subnetIds: values.existingSubnetIds,
      }),
    ),
} satisfies Record<NetworkMode, z.ZodType<NetworkConfig>>;

// Readers of the text Pulumi hands the program, one per declarable type (arrays arrive as JSON).
const READERS: Record<ConfigType, z.ZodType<unknown, string>> = {
  string: z.string(),
  integer: z
    .string()
    .regex(/^\s*-?\d+\s*$/)
    .transform((digits) => Number.parseInt(digits, 10)),
  boolean: z.enum(["true", "false"]).transform((word) => word === "true"),
  array: z
    .string()
    .transform((json, ctx): unknown => {
      try {
        return JSON.parse(json);
      } catch {
        ctx.addIssue({ code: "custom", message: "not JSON" });
        return z.NEVER;
      }
    })
    .pipe(z.array(z.string())),
};

/**
 * One key's text to its value: the default when unset, else a value of its type, then its rule. A value
 * of the wrong type is one problem, and the default stands in for it so the rules that relate keys still
 * run and every problem is reported at once.
 */
function fieldOf(spec: ConfigKeySpec): z.ZodType<unknown, string | undefined> {
  const typed = z
    .string()
    .optional()
    .transform((raw, ctx): unknown => {
      if (raw === undefined) return spec.default;
      const parsed = READERS[spec.type].safeParse(raw);
      if (parsed.success) return parsed.data;
      ctx.addIssue({ code: "custom", message: `must be of type ${spec.type}`, input: raw });
      return spec.default;
    });
  return spec.rule === undefined ? typed : typed.pipe(spec.rule);
}

type Fields = { [K in ConfigKey]: z.ZodType<ConfigValues[K], string | undefined> };

function fields(): Fields {
  // Each field yields its key's ConfigValues type (the reader of its declared type, then its rule), but
  // TypeScript cannot follow a type through a record built from the schema's entries: stated once here.
  return Object.fromEntries(CONFIG_KEYS.map((key) => [key, fieldOf(CONFIG_SCHEMA[key])])) as Fields;
}

const STACK_CONFIG = z
  .object(fields())
  .superRefine(checkKeysTogether, {
    // Run even when single keys were refused (those hold their default or their refused value), so one
    // preview reports every problem.
    when: () => true,
  })
  .transform(toPipelineConfig);

function checkKeysTogether(values: ConfigValues, ctx: z.RefinementCtx): void {
  const check = (key: ConfigKey, ok: boolean, message: string): void => {
    if (!ok) ctx.addIssue({ code: "custom", message, path: [key], input: values[key] });
  };
  // A refused network was reported by its own key; only a known one has keys of its own to check.
  const network: z.ZodType<NetworkConfig> | undefined = NETWORKS[values.network];
  for (const issue of network?.safeParse(values, { reportInput: true }).error?.issues ?? []) {
    ctx.addIssue({ code: "custom", message: issue.message, path: issue.path, input: issue.input });
  }
  // The stack adds endpoints only to a VPC it creates: an existing or default VPC is someone else's to change.
  check(
    "vpcInterfaceEndpoints",
    !values.vpcInterfaceEndpoints || values.network === "new-vpc",
    `applies only to network new-vpc (this stack's network is ${values.network}, a VPC the stack does not create); unset vpcInterfaceEndpoints or add the endpoints to that VPC yourself`,
  );
  checkPrefixes(values, check);
  checkLauncherTimeouts(values, check);
  check(
    "dispatcherBatchWindowSeconds",
    values.dispatcherBatchSize <= 10 || values.dispatcherBatchWindowSeconds >= 1,
    "must be at least 1 when dispatcherBatchSize is above 10 (an SQS event source rule)",
  );
  const sizeProblem = fargateSizeProblem(values.workerCpu, values.workerMemoryMb);
  check("workerMemoryMb", sizeProblem === undefined, sizeProblem ?? "");
  check(
    "maxWorkerMemoryMb",
    values.maxWorkerMemoryMb === 0 || maxMemoryCoversWorker(values.maxWorkerMemoryMb, values.workerMemoryMb),
    `must be at least workerMemoryMb (${values.workerMemoryMb}), at most ${FARGATE_MAX_MEMORY_MIB}, or 0 for four times workerMemoryMb`,
  );
  check(
    "retryMaxDelaySeconds",
    retryDelaysInOrder(values.retryBaseDelaySeconds, values.retryMaxDelaySeconds),
    "must not be below retryBaseDelaySeconds",
  );
}

function checkPrefixes(
  values: ConfigValues,
  check: (key: ConfigKey, ok: boolean, message: string) => void,
): void {
  const { inputPrefix, outputPrefix } = values;
  // Outputs under the input prefix would notify the queue and start a job for every output, forever.
  check(
    "outputPrefix",
    !outputPrefix.startsWith(inputPrefix) && !inputPrefix.startsWith(outputPrefix),
    "must not overlap inputPrefix (outputs would start new jobs)",
  );
}

function checkLauncherTimeouts(
  values: ConfigValues,
  check: (key: ConfigKey, ok: boolean, message: string) => void,
): void {
  // A Lambda timed out mid-launch leaves the launch to the sweeper: a needless delay on every busy burst.
  const why = `${MAX_LAUNCH_WAIT_MS / 1000} s for a launch turn at launchRatePerSecond, twice when starting waiting jobs`;
  for (const key of ["dispatcherTimeoutSeconds", "taskStateTimeoutSeconds"] as const) {
    check(
      key,
      values[key] >= LAUNCHER_MIN_TIMEOUT_SECONDS,
      `must be at least ${LAUNCHER_MIN_TIMEOUT_SECONDS} (the Lambda may wait ${why})`,
    );
  }
}

function toPipelineConfig(values: ConfigValues): PipelineConfig {
  return {
    network: NETWORKS[values.network].parse(values),
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
    logLevel: values.logLevel,
    worker: {
      cpu: values.workerCpu,
      memoryMb: values.workerMemoryMb,
      ephemeralStorageGib: values.workerEphemeralStorageGib,
      architecture: values.workerArchitecture,
      stopTimeoutSeconds: workerStopTimeoutSeconds(values.capacity, values.workerStopTimeoutSeconds),
      capacity: values.capacity,
      maxMemoryMb: maxWorkerMemoryMb(values.maxWorkerMemoryMb, values.workerMemoryMb),
      image: values.workerImage === "" ? undefined : values.workerImage,
      params: values.workerParams,
    },
    jobs: {
      maxAttempts: values.maxAttempts,
      retryBaseDelaySeconds: values.retryBaseDelaySeconds,
      retryMaxDelaySeconds: values.retryMaxDelaySeconds,
      nonRetryableExitCodes: values.nonRetryableExitCodes,
      maxInfraRetries: values.maxInfraRetries,
      jobRetentionDays: values.jobRetentionDays,
      launchTimeoutMinutes: values.launchTimeoutMinutes,
      jobTimeoutMinutes: values.jobTimeoutMinutes,
      sweepQuietMinutes: values.sweepQuietMinutes,
      sweepMaxJobs: values.sweepMaxJobs,
      maxRunningTasks: values.maxRunningTasks,
      launchRatePerSecond: values.launchRatePerSecond,
      launchBurst: values.launchBurst,
    },
    sweepIntervalMinutes: values.sweepIntervalMinutes,
    // Checked by its rule; read here into the price table the handlers get as FARGATE_PRICES.
    fargatePrices: values.fargatePrices.trim() === "" ? undefined : parseFargatePrices(values.fargatePrices),
    alarms: {
      email: values.alarmEmail === "" ? undefined : values.alarmEmail,
      oldestMessageMinutes: values.alarmOldestMessageMinutes,
      failedJobPercent: values.alarmFailedJobPercent,
      throttledLaunchesMinutes: values.alarmThrottledLaunchesMinutes,
    },
  };
}

/**
 * The settings the handler variables carry, read from a PipelineConfig (as parsed, or as a caller built or
 * changed it): the values the Lambdas are given (config/handler-variables.ts settingsEnvironment).
 */
export function handlerSettings(config: PipelineConfig): HandlerSettings {
  const { jobs, worker } = config;
  return {
    outputPrefix: config.uploads.outputPrefix,
    inputSuffixes: config.uploads.inputSuffixes,
    logLevel: config.logLevel,
    workerArchitecture: worker.architecture,
    workerCpu: worker.cpu,
    workerMemoryMb: worker.memoryMb,
    capacity: worker.capacity,
    maxWorkerMemoryMb: worker.maxMemoryMb,
    workerParams: worker.params,
    maxAttempts: jobs.maxAttempts,
    retryBaseDelaySeconds: jobs.retryBaseDelaySeconds,
    retryMaxDelaySeconds: jobs.retryMaxDelaySeconds,
    nonRetryableExitCodes: jobs.nonRetryableExitCodes,
    maxInfraRetries: jobs.maxInfraRetries,
    jobRetentionDays: jobs.jobRetentionDays,
    launchTimeoutMinutes: jobs.launchTimeoutMinutes,
    jobTimeoutMinutes: jobs.jobTimeoutMinutes,
    sweepQuietMinutes: jobs.sweepQuietMinutes,
    sweepMaxJobs: jobs.sweepMaxJobs,
    maxRunningTasks: jobs.maxRunningTasks,
    launchRatePerSecond: jobs.launchRatePerSecond,
    launchBurst: jobs.launchBurst,
    fargatePrices: config.fargatePrices === undefined ? "" : JSON.stringify(config.fargatePrices),
  };
}

/**
 * maxWorkerMemoryMb, 0 resolved: four times the worker's memory by default, so an attempt that runs out of
 * memory is retried twice bigger (2x, then 4x: the three attempts maxAttempts gives by default), at most
 * Fargate's largest memory.
 */
export function maxWorkerMemoryMb(configured: number, workerMemoryMb: number): number {
  if (configured !== 0) return configured;
  return Math.min(4 * workerMemoryMb, FARGATE_MAX_MEMORY_MIB);
}

/** The sweeper Lambda's timeout: a run is bounded (sweepMaxJobs) and must end before the next one starts. */
export function sweeperTimeoutSeconds(config: Pick<PipelineConfig, "sweepIntervalMinutes">): number {
  return Math.min(300, config.sweepIntervalMinutes * 60);
}
