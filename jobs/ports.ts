// What the job workflows (dispatch.ts, track-task.ts) need from the outside world, as small interfaces.
// AWS adapters live in aws/; tests and local mode pass their own.

import type { WorkerOutcome } from "./events";
import type { LaunchFailure } from "./retry-policy";
import type { ContainerOverride } from "./worker-environment";

export interface LaunchRequest {
  readonly jobId: string;
  readonly attempt: number;
  readonly clientToken: string;
  readonly override: ContainerOverride;
}

export type LaunchResult =
  | { readonly launched: true; readonly taskArn: string }
  | { readonly launched: false; readonly failure: LaunchFailure };

/** Starts a worker task (ECS RunTask). Idempotent per client token. */
export interface TaskLauncher {
  launch(request: LaunchRequest): Promise<LaunchResult>;
}

/** Sends the retry message `{jobId, attempt}` to the jobs queue, delivered after a delay. */
export interface RetryQueue {
  sendRetry(jobId: string, attempt: number, delaySeconds: number): Promise<void>;
}

/** A worker's outcome file as the job model reads it: its words, and the exit code they explain. */
export interface WorkerOutcomeReport extends WorkerOutcome {
  readonly exitCode: number;
}

/**
 * Reads what the worker said about one attempt (its outcome file). Undefined when it said nothing readable
 * (no file, an unparsable one): never throws for that, since the stop is recorded either way.
 */
export interface WorkerOutcomeReader {
  read(jobId: string, attempt: number): Promise<WorkerOutcomeReport | undefined>;
}

/** Structured logging (Powertools' Logger fits it). */
export interface Log {
  info(message: string, context: Record<string, unknown>): void;
  warn(message: string, context: Record<string, unknown>): void;
}

/** The time of a decision, ISO-8601 UTC. */
export type Clock = () => string;

export const systemClock: Clock = () => new Date().toISOString();
