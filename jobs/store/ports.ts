// What the job workflows (dispatch.ts, track-task.ts) need from the outside world, as small interfaces.
// AWS adapters live in aws/; tests and local mode pass their own.

import type { LaunchFailure } from "../model/retry-policy";
import type { TaskObservation, WorkerOutcomeReport } from "../model/task-observation";

export type { WorkerOutcomeReport } from "../model/task-observation";

import type { ContainerOverride } from "../boundary/worker-environment";
import type { Placement } from "../model/placement";

export interface LaunchRequest {
  readonly jobId: string;
  readonly attempt: number;
  readonly clientToken: string;
  readonly override: ContainerOverride;
  /**
   * The attempt's size (task-level cpu/memory overrides) and capacity provider. Absent for a launch recorded
   * before attempts had one (placement.ts, recordedPlacement): sent as it was then, launchType FARGATE with
   * the task definition's size, since the same client token must carry the same request.
   */
  readonly placement?: Placement;
}

export type LaunchResult =
  | { readonly launched: true; readonly taskArn: string }
  | { readonly launched: false; readonly failure: LaunchFailure };

/** Starts a worker task (ECS RunTask). Idempotent per client token. */
export interface TaskLauncher {
  launch(request: LaunchRequest): Promise<LaunchResult>;
  /** Stops a task it started that is no longer wanted (its job was cancelled meanwhile); false if gone. */
  stop(taskArn: string, reason: string): Promise<boolean>;
}

/** Sends the retry message `{jobId, attempt}` to the jobs queue, delivered after a delay. */
export interface RetryQueue {
  sendRetry(jobId: string, attempt: number, delaySeconds: number): Promise<void>;
}

/** A task as ECS describes it, read into the job model's terms (the same reading as its events). */
export interface DescribedTask {
  /** The job that started it (`startedBy`). */
  readonly jobId: string;
  readonly observation: TaskObservation;
}

/** What the sweeper and `cancel` ask of ECS about tasks already launched. */
export interface TaskControl {
  /** DescribeTasks: the tasks ECS knows, and the ARNs it no longer knows (it forgets stopped tasks in ~1 h). */
  describe(taskArns: readonly string[]): Promise<{ tasks: DescribedTask[]; missing: string[] }>;
  /** The tasks started with `startedBy` = the job id, running or recently stopped, described. */
  findByJob(jobId: string): Promise<DescribedTask[]>;
  /** StopTask; false when ECS does not know the task. */
  stop(taskArn: string, reason: string): Promise<boolean>;
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

/** Waits; the launch rate makes launchers wait for their turn. Simulations pass a virtual one. */
export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
