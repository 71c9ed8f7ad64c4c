// The handlers' configuration, read only from environment variables that the Pulumi program sets
// (components/) and local mode sets for its stand-ins. Each function parses exactly the variables it is
// given (config/handler-variables.ts says which, and each variable's reader): its configuration is made of
// parts, each reading only the variables it names, so a part cannot read a variable its function is not
// given. Parsed strictly: a missing or malformed variable stops the function at start, naming it.

import { z } from "zod";
import { ConfigurationError } from "../config/errors";
import { fargateSizeProblem } from "../config/fargate";
import type { HandlerFunctionName } from "../config/handler-functions";
import { HANDLER_VARIABLES, type HandlerVariableName, readerOf } from "../config/handler-variables";
import { maxMemoryCoversWorker, retryDelaysInOrder } from "../config/rules";
import type { WorkerParamsRule, WorkerTarget } from "../jobs/boundary";
import type { LaunchRateLimits } from "../jobs/capacity";
import type { CapacityMode, CostSettings, Deadlines, FargatePrices, RetryPolicy } from "../jobs/model";

export { ConfigurationError } from "../config/errors";

/** Every variable the handlers' own parser reads, over all functions (the Pulumi components set them). */
export const HANDLER_ENVIRONMENT_VARIABLES: readonly HandlerVariableName[] = HANDLER_VARIABLES.filter(
  (variable) => variable.read !== undefined,
).map((variable) => variable.name);

/** What the readers make of the variables (config/variable-readers.ts). */
interface Variables {
  readonly JOBS_TABLE: string;
  readonly CAPACITY_TABLE: string;
  readonly JOBS_QUEUE_URL: string;
  readonly CLUSTER_ARN: string;
  readonly TASK_DEFINITION_ARN: string;
  readonly WORKER_CONTAINER_NAME: string;
  readonly SUBNET_IDS: readonly string[];
  readonly SECURITY_GROUP_IDS: readonly string[];
  readonly ASSIGN_PUBLIC_IP: "ENABLED" | "DISABLED";
  readonly OUTPUT_BUCKET: string;
  readonly OUTPUT_PREFIX: string;
  readonly MAX_ATTEMPTS: number;
  readonly RETRY_BASE_DELAY_SECONDS: number;
  readonly RETRY_MAX_DELAY_SECONDS: number;
  readonly NON_RETRYABLE_EXIT_CODES: ReadonlySet<number>;
  readonly MAX_INFRA_RETRIES: number;
  readonly JOB_RETENTION_DAYS: number;
  readonly LAUNCH_TIMEOUT_SECONDS: number;
  readonly JOB_TIMEOUT_SECONDS: number;
  readonly SWEEP_QUIET_SECONDS: number;
  readonly SWEEP_MAX_JOBS: number;
  readonly WORKER_CPU_ARCHITECTURE: "ARM64" | "X86_64";
  readonly WORKER_CPU: number;
  readonly WORKER_MEMORY_MB: number;
  readonly MAX_WORKER_MEMORY_MB: number;
  readonly CAPACITY: CapacityMode;
  readonly FARGATE_PRICES: FargatePrices | undefined;
  readonly JOBS_EVENT_BUS_NAME: string;
  readonly OUTCOMES_DEAD_LETTER_QUEUE_URL: string;
  readonly WORKER_PARAMS: WorkerParamsRule;
  readonly INPUT_SUFFIXES: readonly string[];
  readonly MAX_RUNNING_TASKS: number;
  readonly LAUNCH_RATE_PER_SECOND: number;
  readonly LAUNCH_BURST: number;
  readonly METRICS_NAMESPACE: string;
  readonly METRICS_SERVICE: string;
}

/** A part of a function's configuration: the variables it reads, and what it makes of them. */
interface Part<Name extends keyof Variables, Out> {
  readonly variables: readonly Name[];
  readonly build: (variables: Pick<Variables, Name>) => Out;
}

const part = <const Name extends keyof Variables, Out>(
  variables: readonly Name[],
  build: (variables: Pick<Variables, Name>) => Out,
): Part<Name, Out> => ({ variables, build });

const PARTS = {
  store: part(["JOBS_TABLE", "JOB_RETENTION_DAYS"], (e) => ({
    tableName: e.JOBS_TABLE,
    retentionDays: e.JOB_RETENTION_DAYS,
  })),
  /** The cap on running tasks and RunTask's pace, kept in the capacity table (slots.ts, launch-rate.ts). */
  capacity: part(["CAPACITY_TABLE", "MAX_RUNNING_TASKS", "LAUNCH_RATE_PER_SECOND", "LAUNCH_BURST"], (e) => ({
    capacity: {
      tableName: e.CAPACITY_TABLE,
      maxRunningTasks: e.MAX_RUNNING_TASKS,
      launchRate: { ratePerSecond: e.LAUNCH_RATE_PER_SECOND, burst: e.LAUNCH_BURST } as LaunchRateLimits,
    },
  })),
  /** Where the handlers' metrics go: their CloudWatch namespace and `service` dimension (the pipeline). */
  metrics: part(["METRICS_NAMESPACE", "METRICS_SERVICE"], (e) => ({
    metrics: { namespace: e.METRICS_NAMESPACE, service: e.METRICS_SERVICE },
  })),
  launch: part(
    ["CLUSTER_ARN", "TASK_DEFINITION_ARN", "SUBNET_IDS", "SECURITY_GROUP_IDS", "ASSIGN_PUBLIC_IP"],
    (e) => ({
      clusterArn: e.CLUSTER_ARN,
      taskDefinitionArn: e.TASK_DEFINITION_ARN,
      subnetIds: e.SUBNET_IDS,
      securityGroupIds: e.SECURITY_GROUP_IDS,
      assignPublicIp: e.ASSIGN_PUBLIC_IP,
    }),
  ),
  queue: part(["JOBS_QUEUE_URL"], (e) => ({ queueUrl: e.JOBS_QUEUE_URL })),
  target: part(
    ["WORKER_CONTAINER_NAME", "OUTPUT_BUCKET", "OUTPUT_PREFIX"],
    (e): { target: WorkerTarget } => ({
      target: {
        containerName: e.WORKER_CONTAINER_NAME,
        outputBucket: e.OUTPUT_BUCKET,
        outputPrefix: e.OUTPUT_PREFIX,
      },
    }),
  ),
  /** Where the outputs are, without the container (the outcome publisher's part of the target). */
  outputs: part(["OUTPUT_BUCKET", "OUTPUT_PREFIX"], (e) => ({
    target: { outputBucket: e.OUTPUT_BUCKET, outputPrefix: e.OUTPUT_PREFIX },
  })),
  policy: part(
    [
      "MAX_ATTEMPTS",
      "RETRY_BASE_DELAY_SECONDS",
      "RETRY_MAX_DELAY_SECONDS",
      "NON_RETRYABLE_EXIT_CODES",
      "MAX_INFRA_RETRIES",
      "CAPACITY",
      "WORKER_CPU",
      "WORKER_MEMORY_MB",
      "MAX_WORKER_MEMORY_MB",
    ],
    (e): { policy: RetryPolicy } => {
      // The rules that relate settings are the stack config's (config/), read here in the variables' names.
      const sizeProblem = fargateSizeProblem(e.WORKER_CPU, e.WORKER_MEMORY_MB);
      if (sizeProblem !== undefined) {
        throw new ConfigurationError(
          `invalid handler environment: WORKER_CPU ${e.WORKER_CPU} with WORKER_MEMORY_MB ${e.WORKER_MEMORY_MB} is not a Fargate size`,
        );
      }
      if (!maxMemoryCoversWorker(e.MAX_WORKER_MEMORY_MB, e.WORKER_MEMORY_MB)) {
        throw new ConfigurationError(
          "invalid handler environment: MAX_WORKER_MEMORY_MB must be >= WORKER_MEMORY_MB",
        );
      }
      if (!retryDelaysInOrder(e.RETRY_BASE_DELAY_SECONDS, e.RETRY_MAX_DELAY_SECONDS)) {
        throw new ConfigurationError(
          "invalid handler environment: RETRY_MAX_DELAY_SECONDS must be >= RETRY_BASE_DELAY_SECONDS",
        );
      }
      return {
        policy: {
          maxAttempts: e.MAX_ATTEMPTS,
          nonRetryableExitCodes: e.NON_RETRYABLE_EXIT_CODES,
          maxInfraRetries: e.MAX_INFRA_RETRIES,
          baseDelaySeconds: e.RETRY_BASE_DELAY_SECONDS,
          maxDelaySeconds: e.RETRY_MAX_DELAY_SECONDS,
          placement: {
            capacity: e.CAPACITY,
            workerSize: { cpu: e.WORKER_CPU, memoryMib: e.WORKER_MEMORY_MB },
            maxWorkerMemoryMb: e.MAX_WORKER_MEMORY_MB,
          },
        },
      };
    },
  ),
  /** Which params a job message may carry (jobs/boundary/intake.ts). */
  workerParams: part(["WORKER_PARAMS"], (e) => ({ workerParams: e.WORKER_PARAMS })),
  /** The stack's inputSuffixes: which uploads are videos, matched in any case (jobs/boundary/intake.ts). */
  uploads: part(["INPUT_SUFFIXES"], (e) => ({ inputSuffixes: e.INPUT_SUFFIXES })),
  /** How attempts are priced: the task definition's architecture, the stack's price override if any. */
  cost: part(["WORKER_CPU_ARCHITECTURE", "FARGATE_PRICES"], (e): { cost: CostSettings } => ({
    cost: {
      architecture: e.WORKER_CPU_ARCHITECTURE,
      ...(e.FARGATE_PRICES === undefined ? {} : { prices: e.FARGATE_PRICES }),
    },
  })),
  deadlines: part(
    ["LAUNCH_TIMEOUT_SECONDS", "JOB_TIMEOUT_SECONDS", "SWEEP_QUIET_SECONDS"],
    (e): { deadlines: Deadlines } => ({
      deadlines: {
        launchSeconds: e.LAUNCH_TIMEOUT_SECONDS,
        runSeconds: e.JOB_TIMEOUT_SECONDS,
        quietSeconds: e.SWEEP_QUIET_SECONDS,
      },
    }),
  ),
  /** Jobs one sweeper run examines at most. */
  sweep: part(["SWEEP_MAX_JOBS"], (e) => ({ sweepMaxJobs: e.SWEEP_MAX_JOBS })),
  /** Where the outcome publisher puts job state changes, and sets aside stream records it cannot read. */
  outcomes: part(["JOBS_EVENT_BUS_NAME", "OUTCOMES_DEAD_LETTER_QUEUE_URL"], (e) => ({
    outcomes: { eventBusName: e.JOBS_EVENT_BUS_NAME, deadLetterQueueUrl: e.OUTCOMES_DEAD_LETTER_QUEUE_URL },
  })),
};

type PartName = keyof typeof PARTS;
type PartOutput<P extends PartName> = ReturnType<(typeof PARTS)[P]["build"]>;
type Merged<P extends PartName> = { [K in P]: (x: PartOutput<K>) => void }[P] extends (x: infer I) => void
  ? { readonly [K in keyof I]: I[K] }
  : never;

/** The parts each function's configuration is made of: exactly what its handler uses. */
export const FUNCTION_PARTS = {
  dispatcher: [
    "store",
    "capacity",
    "metrics",
    "launch",
    "queue",
    "target",
    "policy",
    "workerParams",
    "uploads",
  ],
  "task-state": ["store", "capacity", "metrics", "launch", "queue", "target", "policy", "cost"],
  sweeper: [
    "store",
    "capacity",
    "metrics",
    "launch",
    "queue",
    "target",
    "policy",
    "cost",
    "deadlines",
    "sweep",
  ],
  publisher: ["outputs", "outcomes"],
} as const satisfies Record<HandlerFunctionName, readonly PartName[]>;

/** `fn`'s configuration, made of its parts. */
export type FunctionConfig<F extends HandlerFunctionName> = Merged<(typeof FUNCTION_PARTS)[F][number]>;

/** Every part but the publisher's narrower `outputs`: what all the functions read, together. */
const EVERY_PART = [
  ...new Set([...FUNCTION_PARTS.sweeper, ...FUNCTION_PARTS.dispatcher, "outcomes"] as const),
];

/** The whole configuration (every function's parts): tests and tools read it from a full environment. */
export type HandlerConfig = FunctionConfig<"sweeper"> &
  FunctionConfig<"dispatcher"> &
  FunctionConfig<"publisher">;

/** The variables `fn`'s parts read: tests check they are exactly those `fn` is given. */
export function variablesReadBy(fn: HandlerFunctionName): (keyof Variables)[] {
  return variablesOfParts(FUNCTION_PARTS[fn]);
}

/** Reads `fn`'s configuration from its environment (every problem named at once). */
export function readFunctionConfig<F extends HandlerFunctionName>(
  fn: F,
  env: NodeJS.ProcessEnv = process.env,
): FunctionConfig<F> {
  return readParts(FUNCTION_PARTS[fn], env) as FunctionConfig<F>;
}

/** Reads every launcher's configuration at once (tests and tools with a whole environment). */
export function readHandlerConfig(env: NodeJS.ProcessEnv = process.env): HandlerConfig {
  return readParts(EVERY_PART, env) as HandlerConfig;
}

function variablesOfParts(parts: readonly PartName[]): (keyof Variables)[] {
  return [...new Set(parts.flatMap((name): readonly (keyof Variables)[] => PARTS[name].variables))];
}

function readParts(parts: readonly PartName[], env: NodeJS.ProcessEnv): object {
  const names = variablesOfParts(parts);
  const schema = z.object(Object.fromEntries(names.map((name) => [name, readerOf(name)])));
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => issue.message).join("; ");
    throw new ConfigurationError(`invalid handler environment: ${problems}`);
  }
  // Each variable's reader yields its Variables type (config/schema.ts and config/handler-variables.ts give
  // them), which TypeScript cannot follow through a schema built from the table: stated once here.
  const variables = result.data as unknown as Variables;
  return Object.assign(
    {},
    ...parts.map((name) => (PARTS[name] as Part<keyof Variables, object>).build(variables)),
  );
}
