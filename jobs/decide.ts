// Commands and decisions: `decide(state, command)` returns the events a command produces, or throws a typed
// error when the job's status does not allow it. Pure: no I/O, time comes in on the command. Duplicated and
// stale commands (at-least-once delivery everywhere) decide nothing and return [].

import type { TaskResources } from "./cost";
import { defined } from "./defined";
import { InvalidTransitionError, JobIdConflictError, JobNotFoundError } from "./errors";
import type { AttemptCost, JobEvent, JobInput, JobSource, TaskTimings } from "./events";
import { clientToken } from "./job-id";
import {
  backoffSeconds,
  type LaunchFailure,
  type RetryPolicy,
  readStop,
  type TaskStop,
} from "./retry-policy";
import { assertNever, isTerminal, type JobState } from "./state";

interface CommandBase {
  /** The time of the decision (ISO-8601), stamped on every event it produces. */
  readonly now: string;
}

/** A submission (S3 notification or job message). Creates the job, or resumes it if it was interrupted. */
export interface Submit extends CommandBase {
  readonly type: "Submit";
  readonly jobId: string;
  readonly input: JobInput;
  readonly source: JobSource;
  readonly messageId?: string;
}

/** A message that cannot become a job: recorded as a REJECTED job, never launched. */
export interface Reject extends CommandBase {
  readonly type: "Reject";
  readonly jobId: string;
  readonly reason: string;
  readonly rawInput: string;
  readonly truncated: boolean;
  readonly messageId?: string;
}

/** The retry message `{jobId, attempt}` arrived: launch that retry if it is still the one awaited. */
export interface LaunchRetry extends CommandBase {
  readonly type: "LaunchRetry";
  readonly attempt: number;
}

/** RunTask answered with a task. */
export interface RecordLaunch extends CommandBase {
  readonly type: "RecordLaunch";
  readonly attempt: number;
  readonly taskArn: string;
}

/** RunTask started no task (failures[], throttling, an error). */
export interface RecordLaunchFailure extends CommandBase {
  readonly type: "RecordLaunchFailure";
  readonly attempt: number;
  readonly failure: LaunchFailure;
}

/** An "ECS Task State Change" event for one of the job's tasks. */
export interface ObserveTask extends CommandBase {
  readonly type: "ObserveTask";
  readonly observation: TaskObservation;
}

export interface TaskObservation extends TaskStop {
  readonly taskArn: string;
  /** The attempt the task ran, when the event names it (the JOB_ATTEMPT override). */
  readonly attempt?: number;
  readonly lastStatus: string;
  /** ECS `detail.version`: increases with every change of the task. */
  readonly ecsVersion: number;
  readonly timings: TaskTimings;
  /** The task's size and placement as ECS reported it. */
  readonly resources?: TaskResources;
  /** What the attempt cost, priced when its STOPPED event was read (cost.ts). */
  readonly cost?: AttemptCost;
}

export interface Cancel extends CommandBase {
  readonly type: "Cancel";
  readonly reason: string;
}

export interface TimeOut extends CommandBase {
  readonly type: "TimeOut";
  readonly reason: string;
}

/** A person asks for a new attempt of a job that ended without success. */
export interface ManualRetry extends CommandBase {
  readonly type: "ManualRetry";
  readonly reason: string;
}

export type JobCommand =
  | Submit
  | Reject
  | LaunchRetry
  | RecordLaunch
  | RecordLaunchFailure
  | ObserveTask
  | Cancel
  | TimeOut
  | ManualRetry;

export const RETRYABLE_BY_HAND = ["FAILED", "TIMED_OUT", "CANCELLED"] as const;

export function decide(state: JobState, command: JobCommand, policy: RetryPolicy): JobEvent[] {
  const at = command.now;
  switch (command.type) {
    case "Submit":
      return decideSubmit(state, command);
    case "Reject":
      if (state.status !== "NEW") return []; // the same rejected message, delivered again
      return [
        {
          type: "JobRejected",
          at,
          jobId: command.jobId,
          reason: command.reason,
          rawInput: command.rawInput,
          truncated: command.truncated,
          ...(command.messageId === undefined ? {} : { messageId: command.messageId }),
        },
      ];
    case "LaunchRetry":
      if (state.status === "NEW") throw new JobNotFoundError(state.jobId);
      if (state.status !== "RETRYING" || state.retryAttempt !== command.attempt) return [];
      return [launchRequested(state, at)];
    case "RecordLaunch":
      if (command.attempt !== state.attempt || state.taskArn !== undefined) return [];
      return [{ type: "TaskLaunched", at, attempt: command.attempt, taskArn: command.taskArn }];
    case "RecordLaunchFailure":
      return decideLaunchFailure(state, command, policy);
    case "ObserveTask":
      return decideObservation(state, command, policy);
    case "Cancel":
      requireActive(state, "cancel", "only a job that has not finished can be cancelled");
      return [{ type: "JobCancelled", at, reason: command.reason }];
    case "TimeOut":
      if (state.status === "NEW" || isTerminal(state.status)) return [];
      return [{ type: "JobTimedOut", at, reason: command.reason }];
    case "ManualRetry":
      if (state.status === "NEW") throw new JobNotFoundError(state.jobId);
      if (!(RETRYABLE_BY_HAND as readonly string[]).includes(state.status)) {
        throw new InvalidTransitionError(
          state.jobId,
          state.status,
          "retry",
          `only ${RETRYABLE_BY_HAND.join(", ")} jobs can be retried`,
        );
      }
      return [
        {
          type: "RetryScheduled",
          at,
          nextAttempt: state.attempt + 1,
          delaySeconds: 0,
          reason: command.reason,
          countsAsAttempt: false,
          manual: true,
        },
      ];
    default:
      return assertNever(command);
  }
}

function decideSubmit(state: JobState, command: Submit): JobEvent[] {
  if (state.status === "NEW") {
    const submitted: JobEvent = {
      type: "JobSubmitted",
      at: command.now,
      jobId: command.jobId,
      input: command.input,
      source: command.source,
      ...(command.messageId === undefined ? {} : { messageId: command.messageId }),
    };
    return [submitted, launchRequested(state, command.now)];
  }
  if (state.status === "REJECTED" || canonicalJson(state.input) !== canonicalJson(command.input)) {
    throw new JobIdConflictError(state.jobId);
  }
  // The same submission again decides nothing: the caller resumes a launch a crash left LAUNCHING (the job
  // is recorded with its launch request in one write), and a scheduled retry is launched by its own message.
  return [];
}

function decideLaunchFailure(state: JobState, command: RecordLaunchFailure, policy: RetryPolicy): JobEvent[] {
  if (state.status !== "LAUNCHING" || command.attempt !== state.attempt) return [];
  const { failure, now: at } = command;
  const failed: JobEvent = { type: "TaskLaunchFailed", at, attempt: command.attempt, ...failure };
  if (!failure.retryable)
    return [failed, { type: "JobFailed", at, reason: `task could not be launched: ${failure.reason}` }];
  return [failed, ...infrastructureRetry(state, `launch failed: ${failure.reason}`, at, policy)];
}

/** An infrastructure failure: a retry that does not use an attempt, within maxInfraRetries. */
function infrastructureRetry(state: JobState, reason: string, at: string, policy: RetryPolicy): JobEvent[] {
  const failures = state.infraRetries + 1;
  if (failures > policy.maxInfraRetries) {
    return [
      {
        type: "JobFailed",
        at,
        reason: `gave up after ${policy.maxInfraRetries} infrastructure retries; last: ${reason}`,
      },
    ];
  }
  return [
    {
      type: "RetryScheduled",
      at,
      nextAttempt: state.attempt + 1,
      delaySeconds: backoffSeconds(failures, policy),
      reason,
      countsAsAttempt: false,
      manual: false,
    },
  ];
}

function decideObservation(state: JobState, command: ObserveTask, policy: RetryPolicy): JobEvent[] {
  const { observation: task, now: at } = command;
  const attempt = attemptOf(state, task);
  if (attempt === undefined || attempt !== state.attempt) return []; // another (older) attempt's task
  if (state.lastEcsVersion !== undefined && task.ecsVersion <= state.lastEcsVersion) return []; // stale/duplicate
  const timings = task.timings;

  if (task.lastStatus === "RUNNING") {
    return [
      { type: "TaskRunning", at, attempt, taskArn: task.taskArn, ecsVersion: task.ecsVersion, timings },
    ];
  }
  if (task.lastStatus !== "STOPPED") return []; // intermediate states carry nothing the history needs

  const reading = readStop(task, policy);
  const stopped: JobEvent = {
    type: "TaskStopped",
    at,
    attempt,
    taskArn: task.taskArn,
    ecsVersion: task.ecsVersion,
    ...defined({
      stopCode: task.stopCode,
      stoppedReason: task.stoppedReason,
      exitCode: task.exitCode,
      containerReason: task.containerReason,
    }),
    ...(reading.outcome === "failed"
      ? { failure: { kind: reading.kind, description: reading.description } }
      : {}),
    timings,
    ...(task.cost === undefined ? {} : { cost: task.cost }),
  };
  // A cancelled or timed-out job keeps its ending: the stop is recorded, nothing more is decided.
  if (isTerminal(state.status)) return [stopped];
  if (reading.outcome === "succeeded") return [stopped, { type: "JobSucceeded", at, attempt }];

  const fail = (reason: string): JobEvent[] => [stopped, { type: "JobFailed", at, reason }];
  const retry = (failures: number): JobEvent[] => [
    stopped,
    {
      type: "RetryScheduled",
      at,
      nextAttempt: attempt + 1,
      delaySeconds: backoffSeconds(failures, policy),
      reason: reading.description,
      countsAsAttempt: true,
      manual: false,
    },
  ];
  switch (reading.kind) {
    case "non-retryable-exit-code":
      return fail(reading.description);
    case "infrastructure":
      return [stopped, ...infrastructureRetry(state, reading.description, at, policy)];
    case "exit-code":
    case "out-of-memory":
    case "stopped":
      if (state.attemptsUsed + 1 >= policy.maxAttempts) {
        return fail(`failed after ${policy.maxAttempts} attempts; last: ${reading.description}`);
      }
      return retry(state.attemptsUsed + 1);
    default:
      return assertNever(reading.kind);
  }
}

/**
 * Which attempt an ECS event belongs to, from the event alone when it names it; otherwise from the task ARN
 * the job recorded, or — while the launch is in flight and RunTask has not answered yet — the attempt being
 * launched (a job has at most one launch in flight).
 */
function attemptOf(state: JobState, task: TaskObservation): number | undefined {
  if (task.attempt !== undefined) return task.attempt;
  if (state.taskArn !== undefined) return state.taskArn === task.taskArn ? state.attempt : undefined;
  return state.status === "LAUNCHING" ? state.attempt : undefined;
}

function launchRequested(state: JobState, at: string): JobEvent {
  const attempt = state.attempt + 1;
  return { type: "TaskLaunchRequested", at, attempt, clientToken: clientToken(state.jobId, attempt) };
}

function requireActive(state: JobState, command: string, hint: string): void {
  if (state.status === "NEW") throw new JobNotFoundError(state.jobId);
  if (isTerminal(state.status)) throw new InvalidTransitionError(state.jobId, state.status, command, hint);
}

/** JSON with object keys sorted at every level: DynamoDB does not keep the key order of a map. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item !== null && typeof item === "object" && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}
