// The retry policy, modelled on AWS Batch's `evaluateOnExit`: how a stopped task or a failed launch is
// read (success, a bad-input failure, a retryable worker failure, an infrastructure failure) and how long
// to wait before the next attempt. Pure functions of the policy and what ECS reported.

import { EXIT_CODE_WORDS } from "../../contracts/exit-codes";
import type { FailureKind } from "./events";
import type { PlacementPolicy } from "./placement";

export interface RetryPolicy {
  /** Attempts in which the worker ran; the last failure past this fails the job. */
  readonly maxAttempts: number;
  /** Exit codes that fail the job at once (the input is bad; retrying cannot help). */
  readonly nonRetryableExitCodes: ReadonlySet<number>;
  /** Infrastructure failures tolerated (they do not use an attempt). */
  readonly maxInfraRetries: number;
  readonly baseDelaySeconds: number;
  /** Upper bound of the backoff; SQS cannot delay a message more than 900 s. */
  readonly maxDelaySeconds: number;
  /** Where attempts run, how big, and how an out-of-memory or Spot failure moves the next ones. */
  readonly placement: PlacementPolicy;
}

export const SQS_MAX_DELAY_SECONDS = 900;

/** The sysexits "bad input" range: the worker says retrying cannot help. */
export const DEFAULT_NON_RETRYABLE_EXIT_CODES = "64-78";

/** The policy a stack gets by default: config/schema.ts takes the settings' defaults from here. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 3,
  nonRetryableExitCodes: parseExitCodes(DEFAULT_NON_RETRYABLE_EXIT_CODES),
  maxInfraRetries: 5,
  baseDelaySeconds: 30,
  maxDelaySeconds: SQS_MAX_DELAY_SECONDS,
  placement: {
    capacity: "on-demand",
    workerSize: { cpu: 1024, memoryMib: 2048 },
    maxWorkerMemoryMb: 8192,
  },
};

/** Parses "64-78" or "1,2,64-78" into a set of exit codes; throws on anything else. */
export function parseExitCodes(text: string): ReadonlySet<number> {
  const codes = new Set<number>();
  for (const part of text.split(",").map((p) => p.trim())) {
    if (part === "") continue;
    const match = /^(\d{1,3})(?:-(\d{1,3}))?$/.exec(part);
    if (!match)
      throw new Error(`invalid exit code or range "${part}" (expected e.g. "64-78" or "1,2,64-78")`);
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (from > 255 || to > 255 || from > to) {
      throw new Error(`invalid exit code range "${part}" (codes are 0-255, low to high)`);
    }
    for (let code = from; code <= to; code++) codes.add(code);
  }
  if (codes.has(0)) throw new Error("exit code 0 means success and cannot be non-retryable");
  return codes;
}

/** What ECS said about a stopped task, as far as the retry policy cares. */
export interface TaskStop {
  readonly stopCode?: string;
  readonly stoppedReason?: string;
  readonly exitCode?: number;
  readonly containerReason?: string;
}

export type StopReading =
  | { readonly outcome: "succeeded" }
  | { readonly outcome: "failed"; readonly kind: FailureKind; readonly description: string };

const INFRASTRUCTURE_STOP_CODES = new Set(["TaskFailedToStart", "SpotInterruption", "TerminationNotice"]);

// Reasons ECS gives when the task could not run the container at all (ECS "stopped tasks errors" pages).
const INFRASTRUCTURE_REASONS =
  /CannotPullContainerError|ResourceInitializationError|CannotStartContainerError|CannotCreateContainerError|ContainerRuntimeError|ContainerRuntimeTimeoutError|CannotInspectContainerError|InternalError|Capacity is unavailable|Timeout waiting for network interface|SpotInterruption|Host EC2 .* terminated/i;

const OUT_OF_MEMORY_REASON = /OutOfMemoryError/i;
const OUT_OF_MEMORY_EXIT_CODE = 137;

export function readStop(stop: TaskStop, policy: RetryPolicy): StopReading {
  const reasons = [stop.stoppedReason, stop.containerReason].filter(Boolean).join("; ");
  const failed = (kind: FailureKind, description: string): StopReading => ({
    outcome: "failed",
    kind,
    description,
  });
  if (stop.exitCode === 0) return { outcome: "succeeded" };
  // Before the exit code: a Spot interruption or a host termination SIGTERMs the worker (exit 143, or 137
  // after the stop timeout), and that is not the worker's failure.
  if (stop.stopCode !== undefined && INFRASTRUCTURE_STOP_CODES.has(stop.stopCode)) {
    const exit = stop.exitCode === undefined ? "" : ` (exit ${stop.exitCode})`;
    return failed("infrastructure", `${stop.stopCode}: ${reasons || "no reason given"}${exit}`);
  }
  if (stop.exitCode === OUT_OF_MEMORY_EXIT_CODE || OUT_OF_MEMORY_REASON.test(reasons)) {
    const exit = `exit ${stop.exitCode ?? "none"}${reasons ? `; ${reasons}` : ""}`;
    return failed("out-of-memory", `OutOfMemory: the worker ran out of memory (${exit})`);
  }
  if (stop.exitCode !== undefined && policy.nonRetryableExitCodes.has(stop.exitCode)) {
    const meaning = exitCodeMeaning(stop.exitCode);
    return failed(
      "non-retryable-exit-code",
      `worker exited with non-retryable code ${stop.exitCode} (${meaning})`,
    );
  }
  if (stop.exitCode !== undefined) {
    const reason = stop.containerReason ? ` (${stop.containerReason})` : "";
    return failed("exit-code", `worker exited with code ${stop.exitCode}${reason}`);
  }
  if (INFRASTRUCTURE_REASONS.test(reasons)) {
    return failed("infrastructure", `${stop.stopCode ?? "task stopped"}: ${reasons || "no reason given"}`);
  }
  const stopped = `${stop.stopCode ?? "no stop code"}: ${reasons || "no reason given"}`;
  return failed("stopped", `task stopped without an exit code (${stopped})`);
}

/** Exit codes of the worker contract (contracts/exit-codes.ts), for readable histories. */
export function exitCodeMeaning(code: number): string {
  return EXIT_CODE_WORDS[code] ?? "bad input";
}

/** Exponential backoff: base, 2x base, 4x base ... capped. `failures` counts from 1. */
export function backoffSeconds(failures: number, policy: RetryPolicy): number {
  const exponent = Math.max(0, failures - 1);
  return Math.min(policy.maxDelaySeconds, policy.baseDelaySeconds * 2 ** Math.min(exponent, 30));
}

/** How a RunTask call that started no task is read: worth another try, or a permanent error. */
export interface LaunchFailure {
  readonly reason: string;
  readonly retryable: boolean;
  /**
   * Refused for the request rate, or for the account's Fargate quota: the job waits in line again, spending
   * no budget.
   */
  readonly throttled?: boolean;
}

// ECS words throttling several ways: ThrottlingException, and client errors such as
// "InvalidParameterException: Rate exceeded" (RunTask's Fargate launch rate).
const THROTTLED_LAUNCH = /Throttl|Rate exceeded|RequestLimitExceeded|TooManyRequests/i;
// RunTask `failures[].reason` values and refusals (exception names) that say "try again later".
const RETRYABLE_LAUNCH_FAILURE = /^RESOURCE:|^AGENT$|capacity/i;

// The account's Fargate quota of concurrent vCPUs (or, before the vCPU-based quotas, of tasks) is reached:
// RunTask answers with a `failures[]` entry whose reason is ECS's sentence, typographic apostrophe and all,
// "You’ve reached the limit on the number of vCPUs you can run concurrently" (the Amazon ECS Developer
// Guide's service event messages, https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages.html;
// matched on RunTask's failures[].reason by hyperflow-wms/hyperflow functions/awsFargateCommand.js). Nothing
// is wrong with the job: it frees up as tasks stop, so the job waits in line as for a throttle.
const FARGATE_QUOTA_REACHED = /reached the limit on the number of (vCPUs|tasks) you can run concurrently/i;

export function readLaunchFailure(reason: string): LaunchFailure {
  if (THROTTLED_LAUNCH.test(reason) || FARGATE_QUOTA_REACHED.test(reason)) {
    return { reason, retryable: true, throttled: true };
  }
  // The client token is in use with another request: a new attempt (a new token) would start a second task.
  if (reason.startsWith("ConflictException")) return { reason, retryable: false };
  return { reason, retryable: RETRYABLE_LAUNCH_FAILURE.test(reason) };
}
