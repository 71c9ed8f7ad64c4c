// The job's history: every fact the pipeline learns about a job is one of these events, appended in order
// and never changed. A job's state is the fold of its events (state.ts); decisions produce them (decide.ts).

/** Where the job came from and what to process. `params` is passed to the worker as JOB_PARAMS. */
export interface JobInput {
  readonly videoUrl: string;
  readonly videoId?: string;
  readonly params?: Record<string, unknown>;
  /** How long the worker may run before the sweeper stops it (overrides the stack's jobTimeoutMinutes). */
  readonly timeoutSeconds?: number;
}

export type JobSource =
  | {
      readonly kind: "s3";
      readonly bucket: string;
      readonly key: string;
      readonly versionId?: string;
      readonly sequencer?: string;
    }
  | { readonly kind: "message" }
  | { readonly kind: "cli" };

/** Timings ECS reports for a task (ISO-8601), as far as they are known when the event is recorded. */
export interface TaskTimings {
  readonly createdAt?: string;
  readonly pullStartedAt?: string;
  readonly pullStoppedAt?: string;
  readonly startedAt?: string;
  readonly stoppingAt?: string;
  readonly executionStoppedAt?: string;
  readonly stoppedAt?: string;
}

/**
 * What one attempt's task cost on Fargate (cost.ts), with the prices it was computed from: per second with a
 * one-minute minimum, from the start of the image pull until the task stopped.
 */
export interface AttemptCost {
  readonly usd: number;
  /** 0 when the task stopped before its image pull started (Fargate bills nothing then). */
  readonly billedSeconds: number;
  readonly vcpu: number;
  readonly memoryGb: number;
  /** Ephemeral storage billed: above the free 20 GiB. */
  readonly extraStorageGib: number;
  readonly architecture: "ARM64" | "X86_64";
  readonly capacityProvider: "FARGATE" | "FARGATE_SPOT";
  /** USD per hour actually applied (Spot discount included), and where they came from. */
  readonly prices: {
    readonly region: string;
    readonly asOf: string;
    readonly source: string;
    readonly vcpuHour: number;
    readonly gbHour: number;
    /** Absent when the region's entry has no storage price (the attempt then had none above 20 GiB). */
    readonly storageGbHour?: number;
  };
}

/** Why a stopped task did not succeed, as the retry policy classified it (retry-policy.ts). */
export type FailureKind =
  | "exit-code" // the worker exited non-zero: counts against maxAttempts
  | "out-of-memory" // exit 137 or OutOfMemoryError: counts against maxAttempts
  | "non-retryable-exit-code" // the worker said the input is bad (64-78 by default)
  | "infrastructure" // the worker never ran properly: retried within maxInfraRetries
  | "stopped"; // stopped from outside (not by this pipeline) without an exit code: counts

/**
 * What the worker said about its own attempt (its outcome file, `<OUTPUT_URL>outcome-<attempt>.json`), when
 * it said anything: a stable code ("truncated"), one line ("truncated: the moov atom is missing"), a hint,
 * and what the attempt cost (the whole process tree, ffmpeg included).
 */
export interface WorkerOutcome {
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
  readonly peakMemoryMb?: number;
  readonly cpuSeconds?: number;
}

import type { CapacityProvider, TaskSize } from "./task-size";

interface EventBase {
  /** When the pipeline recorded the event (ISO-8601, UTC). */
  readonly at: string;
}

export interface JobSubmitted extends EventBase {
  readonly type: "JobSubmitted";
  readonly jobId: string;
  readonly input: JobInput;
  readonly source: JobSource;
  /** The SQS message that carried the submission, when there was one. */
  readonly messageId?: string;
}

export interface JobRejected extends EventBase {
  readonly type: "JobRejected";
  readonly jobId: string;
  readonly reason: string;
  /** The raw payload as received, cut to a bounded length (see `truncated`). */
  readonly rawInput: string;
  readonly truncated: boolean;
  readonly messageId?: string;
}

export interface TaskLaunchRequested extends EventBase {
  readonly type: "TaskLaunchRequested";
  readonly attempt: number;
  readonly clientToken: string;
  /**
   * The attempt's size and capacity provider (placement.ts), sent with every RunTask of this attempt. Absent
   * in histories recorded before attempts had them: the task definition's size, On-Demand.
   */
  readonly size?: TaskSize;
  readonly capacity?: CapacityProvider;
}

export interface TaskLaunched extends EventBase {
  readonly type: "TaskLaunched";
  readonly attempt: number;
  readonly taskArn: string;
}

export interface TaskLaunchFailed extends EventBase {
  readonly type: "TaskLaunchFailed";
  readonly attempt: number;
  readonly reason: string;
  readonly retryable: boolean;
  /** ECS refused the call for its request rate (ThrottlingException, "Rate exceeded"). */
  readonly throttled?: boolean;
}

export interface TaskRunning extends EventBase {
  readonly type: "TaskRunning";
  readonly attempt: number;
  readonly taskArn: string;
  readonly ecsVersion: number;
  readonly timings: TaskTimings;
}

export interface TaskStopped extends EventBase {
  readonly type: "TaskStopped";
  readonly attempt: number;
  readonly taskArn: string;
  readonly ecsVersion: number;
  readonly stopCode?: string;
  readonly stoppedReason?: string;
  /** Absent when the container never ran (e.g. TaskFailedToStart). */
  readonly exitCode?: number;
  readonly containerReason?: string;
  /** The retry policy's reading of this stop; absent when the worker succeeded. */
  readonly failure?: { readonly kind: FailureKind; readonly description: string };
  /** The worker's own account of this exit; absent when it left none (or one for another exit code). */
  readonly workerOutcome?: WorkerOutcome;
  readonly timings: TaskTimings;
  /** What the attempt cost; absent when ECS gave no size or no price is known for the region. */
  readonly cost?: AttemptCost;
}

/** Which deadline a job missed (deadlines.ts): the stage it was stuck in. */
export type Deadline = "launch" | "run";

/** The sweeper asked ECS to stop a task that missed a deadline; its STOPPED event decides what follows. */
export interface TaskStopRequested extends EventBase {
  readonly type: "TaskStopRequested";
  readonly attempt: number;
  readonly taskArn: string;
  readonly deadline: Deadline;
  readonly reason: string;
}

/** ECS no longer knows the attempt's task (or never started one): its outcome cannot be learnt. */
export interface TaskLost extends EventBase {
  readonly type: "TaskLost";
  readonly attempt: number;
  /** Absent when no task was ever found for the attempt. */
  readonly taskArn?: string;
  readonly reason: string;
}

/** The sweeper found a launch with no recorded answer and calls RunTask again with the same client token. */
export interface LaunchResumed extends EventBase {
  readonly type: "LaunchResumed";
  readonly attempt: number;
  readonly reason: string;
}

/** The sweeper found a retry past its due time and sent its retry message again. */
export interface RetryResent extends EventBase {
  readonly type: "RetryResent";
  readonly attempt: number;
  readonly reason: string;
}

/**
 * The job waits for a slot: as many tasks as the stack's cap allows are running or launching (or ECS
 * refused the launch for its rate). It starts, oldest waiting first, as slots free up; its place is its
 * `at` among the waiting jobs.
 */
export interface JobWaiting extends EventBase {
  readonly type: "JobWaiting";
  /** The attempt it launches once it starts: the next one, or (after a throttled launch) the same one. */
  readonly attempt: number;
  readonly reason: string;
  /** ECS throttled its launch: waiting spends neither an attempt nor an infrastructure retry. */
  readonly throttled?: boolean;
}

export interface JobSucceeded extends EventBase {
  readonly type: "JobSucceeded";
  readonly attempt: number;
}

export interface RetryScheduled extends EventBase {
  readonly type: "RetryScheduled";
  readonly nextAttempt: number;
  readonly delaySeconds: number;
  readonly reason: string;
  /** Whether the failed attempt counts against maxAttempts (infrastructure failures do not). */
  readonly countsAsAttempt: boolean;
  /** A retry asked for by a person (`jobs retry`): the attempt budget starts again. */
  readonly manual: boolean;
  /** ECS throttled the launch: neither an attempt nor an infrastructure retry is spent. */
  readonly throttled?: boolean;
  /** The attempt ran out of memory: this and every later attempt of the job run with this bigger size. */
  readonly size?: TaskSize;
  /** Spot let the attempt down (capacity spot-with-fallback): this and every later launch run On-Demand. */
  readonly capacity?: "FARGATE";
}

export interface JobFailed extends EventBase {
  readonly type: "JobFailed";
  readonly reason: string;
  /**
   * The job failed because its attempt ran out of memory at this size (its last allowed attempt, or at
   * maxWorkerMemoryMb): a retry by hand (`jobs retry`) runs one rung up, within maxWorkerMemoryMb as the
   * stack sets it then (placement.ts).
   */
  readonly outOfMemoryAt?: TaskSize;
}

export interface JobTimedOut extends EventBase {
  readonly type: "JobTimedOut";
  readonly reason: string;
}

export interface JobCancelled extends EventBase {
  readonly type: "JobCancelled";
  readonly reason: string;
}

export type JobEvent =
  | JobSubmitted
  | JobRejected
  | TaskLaunchRequested
  | TaskLaunched
  | TaskLaunchFailed
  | TaskRunning
  | TaskStopped
  | TaskStopRequested
  | TaskLost
  | LaunchResumed
  | RetryResent
  | JobWaiting
  | JobSucceeded
  | RetryScheduled
  | JobFailed
  | JobTimedOut
  | JobCancelled;

export type JobEventType = JobEvent["type"];
