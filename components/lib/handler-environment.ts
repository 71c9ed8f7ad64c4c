// The environment contract between this program and the Lambda handlers: the names both the dispatcher
// and the task-state handler read (their shared parser, handlers/environment.ts, owns the list), and the
// pure part of building their values. The `HandlerEnvironment` type makes a missing name a
// compile error in the component that sets them.

import type { JobSettings, LogLevel, PipelineConfig } from "../../config/parse";
import { HANDLER_ENVIRONMENT_VARIABLES } from "../../handlers/environment";

/** What the handlers read (their own list), plus Powertools' logger settings. */
export const HANDLER_ENVIRONMENT_NAMES = [
  ...HANDLER_ENVIRONMENT_VARIABLES,
  "POWERTOOLS_SERVICE_NAME",
  "POWERTOOLS_LOG_LEVEL",
] as const;

export type HandlerEnvironmentName = (typeof HANDLER_ENVIRONMENT_NAMES)[number];

/** A value for every name: `T` is `string` here and `pulumi.Input<string>` in the components. */
export type HandlerEnvironment<T = string> = { readonly [K in HandlerEnvironmentName]: T };

export type AssignPublicIp = "ENABLED" | "DISABLED";

/** The variables that come from configuration rather than from other resources. */
export function jobSettingsEnvironment(
  jobs: JobSettings,
  logLevel: LogLevel,
): Pick<
  HandlerEnvironment,
  | "MAX_ATTEMPTS"
  | "RETRY_BASE_DELAY_SECONDS"
  | "RETRY_MAX_DELAY_SECONDS"
  | "NON_RETRYABLE_EXIT_CODES"
  | "MAX_INFRA_RETRIES"
  | "JOB_RETENTION_DAYS"
  | "LAUNCH_TIMEOUT_SECONDS"
  | "JOB_TIMEOUT_SECONDS"
  | "SWEEP_QUIET_SECONDS"
  | "SWEEP_MAX_JOBS"
  | "MAX_RUNNING_TASKS"
  | "LAUNCH_RATE_PER_SECOND"
  | "LAUNCH_BURST"
  | "POWERTOOLS_LOG_LEVEL"
> {
  return {
    MAX_ATTEMPTS: String(jobs.maxAttempts),
    RETRY_BASE_DELAY_SECONDS: String(jobs.retryBaseDelaySeconds),
    RETRY_MAX_DELAY_SECONDS: String(jobs.retryMaxDelaySeconds),
    NON_RETRYABLE_EXIT_CODES: jobs.nonRetryableExitCodes,
    MAX_INFRA_RETRIES: String(jobs.maxInfraRetries),
    JOB_RETENTION_DAYS: String(jobs.jobRetentionDays),
    LAUNCH_TIMEOUT_SECONDS: String(jobs.launchTimeoutMinutes * 60),
    JOB_TIMEOUT_SECONDS: String(jobs.jobTimeoutMinutes * 60),
    SWEEP_QUIET_SECONDS: String(jobs.sweepQuietMinutes * 60),
    SWEEP_MAX_JOBS: String(jobs.sweepMaxJobs),
    MAX_RUNNING_TASKS: String(jobs.maxRunningTasks),
    LAUNCH_RATE_PER_SECOND: String(jobs.launchRatePerSecond),
    LAUNCH_BURST: String(jobs.launchBurst),
    POWERTOOLS_LOG_LEVEL: logLevel,
  };
}

/**
 * What the handlers know of the worker: how an attempt is priced (the task definition's architecture and
 * any price override), which params a job may carry (the reference worker's, or any for an image of
 * the stack's own), and where attempts run: the task definition's size, how far an out-of-memory retry may
 * grow it, On-Demand or Spot.
 */
export function workerSettingsEnvironment(
  config: Pick<PipelineConfig, "worker" | "fargatePrices">,
): Pick<
  HandlerEnvironment,
  | "WORKER_CPU_ARCHITECTURE"
  | "WORKER_CPU"
  | "WORKER_MEMORY_MB"
  | "MAX_WORKER_MEMORY_MB"
  | "CAPACITY"
  | "FARGATE_PRICES"
  | "WORKER_PARAMS"
> {
  return {
    WORKER_CPU_ARCHITECTURE: config.worker.architecture,
    WORKER_CPU: String(config.worker.cpu),
    WORKER_MEMORY_MB: String(config.worker.memoryMb),
    MAX_WORKER_MEMORY_MB: String(config.worker.maxMemoryMb),
    CAPACITY: config.worker.capacity,
    FARGATE_PRICES: config.fargatePrices === undefined ? "" : JSON.stringify(config.fargatePrices),
    WORKER_PARAMS: config.worker.params,
  };
}

/** Which uploads are videos: the stack's inputSuffixes, which the dispatcher matches in any case. */
export function uploadSettingsEnvironment(
  uploads: Pick<PipelineConfig["uploads"], "inputSuffixes">,
): Pick<HandlerEnvironment, "INPUT_SUFFIXES"> {
  return { INPUT_SUFFIXES: JSON.stringify(uploads.inputSuffixes) };
}

/** Where the handlers' metrics go: a namespace, and the pipeline (stack) as their `service` dimension. */
export function metricsEnvironment(metrics: {
  readonly namespace: string;
  readonly service: string;
}): Pick<HandlerEnvironment, "METRICS_NAMESPACE" | "METRICS_SERVICE"> {
  return { METRICS_NAMESPACE: metrics.namespace, METRICS_SERVICE: metrics.service };
}

/** ECS RunTask takes lists; Lambda environment values are strings. */
export function joinIds(ids: readonly string[]): string {
  return ids.join(",");
}
