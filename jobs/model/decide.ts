// Commands and decisions: `decide(state, command)` returns the events a command produces, or throws a typed
// error when the job's status does not allow it. Pure: no I/O, time comes in on the command. Duplicated and
// stale commands (at-least-once delivery everywhere) decide nothing and return [].
// Most commands need nothing but the state. Those that launch an attempt (placed by the stack's placement
// policy: size and capacity) or read a stopped task or a failed launch (the retry policy) are decided by
// `jobDecider(policy)`, and only there is a policy needed.

import { defined } from "./defined";
import { InvalidTransitionError, JobIdConflictError, JobNotFoundError } from "./errors";
import type { Deadline, JobEvent, JobInput, JobSource } from "./events";
import { clientToken } from "./job-id";
import {
  fallbackReason,
  fallsBackToOnDemand,
  placementFor,
  resizeAfterOutOfMemory,
  type SpotSetback,
  spotSetback,
} from "./placement";
import { backoffSeconds, type LaunchFailure, type RetryPolicy, readStop } from "./retry-policy";
import { assertNever, isTerminal, type JobState } from "./state";
import type { TaskObservation } from "./task-observation";
import { type CapacityProvider, describeTaskSize, type TaskSize } from "./task-size";
import { explainStop, recordedOutcome } from "./worker-outcome";

export type { TaskObservation } from "./task-observation";

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
  /** Why the job cannot launch now (no free slot: slots.ts); it is recorded WAITING instead. */
  readonly mustWait?: string;
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
  /** Why the retry cannot launch now (no free slot); the job is recorded WAITING instead. */
  readonly mustWait?: string;
}

/** A slot was taken for a WAITING job (start-waiting.ts): it launches the attempt it waits with. */
export interface StartWaiting extends CommandBase {
  readonly type: "StartWaiting";
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

/** The sweeper: the attempt's task missed a deadline and is being stopped. */
export interface RequestStop extends CommandBase {
  readonly type: "RequestStop";
  readonly attempt: number;
  readonly deadline: Deadline;
  readonly reason: string;
}

/** The sweeper: ECS does not know the attempt's task (or none was ever started for it). */
export interface RecordTaskLost extends CommandBase {
  readonly type: "RecordTaskLost";
  readonly attempt: number;
  readonly taskArn?: string;
  readonly reason: string;
}

/** The sweeper: a launch got no recorded answer and no task is found; RunTask is called again. */
export interface ResumeLaunch extends CommandBase {
  readonly type: "ResumeLaunch";
  readonly attempt: number;
  readonly reason: string;
}

/** The sweeper: a retry is past its due time; its message is sent again (at most once per interval). */
export interface ResendRetry extends CommandBase {
  readonly type: "ResendRetry";
  readonly attempt: number;
  readonly reason: string;
  /** A resend within this many seconds of the last one decides nothing (two sweeps at once send once). */
  readonly notWithinSeconds: number;
}

/** Commands decided from the state alone. */
export type JobCommand =
  | Reject
  | RecordLaunch
  | Cancel
  | TimeOut
  | ManualRetry
  | RequestStop
  | ResumeLaunch
  | ResendRetry;

/**
 * Commands the stack's policy decides: launches (where and how big an attempt runs) and what follows a
 * stopped task, a failed launch, a lost task (the retry policy).
 */
export type PolicyCommand =
  | Submit
  | LaunchRetry
  | StartWaiting
  | RecordLaunchFailure
  | ObserveTask
  | RecordTaskLost;

export type Decide = (state: JobState, command: JobCommand | PolicyCommand) => JobEvent[];

export const RETRYABLE_BY_HAND = ["FAILED", "TIMED_OUT", "CANCELLED"] as const;

/**
 * Launches one job may have in all. A launch adds about 1.5 KB to the job's item (`npm run bench --
 * lifecycle`), and up to about 4 KB with the longest texts ECS and the worker give
 * (tests/jobs/history-bound.test.ts); DynamoDB refuses items over 400 KB. Manual retries reset the retry
 * budgets but not this bound, so a history can never outgrow its item.
 */
export const MAX_LAUNCHES_PER_JOB = 60;

/** Times the sweeper sends one overdue retry again before it gives up on it (hours, at the quiet period). */
export const MAX_RETRY_RESENDS = 20;

/**
 * Throttled launches in a row before the job fails: the history's bound, not a policy. Launches are paced
 * to ECS's rate (launch-rate.ts) and each throttle slows every launcher down, so this takes hours of ECS
 * refusing the account's launches (another system using up its rate). Each adds about 0.2 KB to the
 * history (one JobWaiting), which must fit its item beside MAX_LAUNCHES_PER_JOB launches.
 */
export const MAX_THROTTLED_LAUNCHES = 300;

/** The decider of a stack: every command, with its retry policy where a command needs one. */
export function jobDecider(policy: RetryPolicy): Decide {
  return (state, command) => {
    switch (command.type) {
      case "Submit":
        return decideSubmit(state, command, policy);
      case "LaunchRetry":
        return decideLaunchRetry(state, command, policy);
      case "StartWaiting":
        if (state.status !== "WAITING") return []; // started by another caller, or cancelled meanwhile
        return [launchRequested(state, command.now, policy, state.retryAttempt ?? state.attempt + 1)];
      case "RecordLaunchFailure":
        return decideLaunchFailure(state, command, policy);
      case "ObserveTask":
        return decideObservation(state, command, policy);
      case "RecordTaskLost":
        return decideTaskLost(state, command, policy);
      default:
        return decide(state, command);
    }
  };
}

export function decide(state: JobState, command: JobCommand): JobEvent[] {
  const at = command.now;
  switch (command.type) {
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
    case "RecordLaunch":
      if (command.attempt !== state.attempt || state.taskArn !== undefined) return [];
      return [{ type: "TaskLaunched", at, attempt: command.attempt, taskArn: command.taskArn }];
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
      if (state.attempt >= MAX_LAUNCHES_PER_JOB) {
        throw new InvalidTransitionError(
          state.jobId,
          state.status,
          "retry",
          `it has had ${state.attempt} launches, the most one job may have (its history must fit one ` +
            "DynamoDB item); submit the video again as a new job",
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
    case "RequestStop":
      if (!ownsTask(state, command.attempt) || state.stopRequested !== undefined) return [];
      return [
        {
          type: "TaskStopRequested",
          at,
          attempt: command.attempt,
          taskArn: state.taskArn as string,
          deadline: command.deadline,
          reason: command.reason,
        },
      ];
    case "ResumeLaunch":
      if (state.status !== "LAUNCHING" || command.attempt !== state.attempt) return [];
      return [{ type: "LaunchResumed", at, attempt: command.attempt, reason: command.reason }];
    case "ResendRetry": {
      if (state.status !== "RETRYING" || state.retryAttempt !== command.attempt) return [];
      const last = state.retryResentAt;
      if (last !== undefined && Date.parse(at) - Date.parse(last) < command.notWithinSeconds * 1000)
        return [];
      const resends = state.retryResends ?? 0;
      if (resends >= MAX_RETRY_RESENDS) {
        // Nothing takes the retry messages (the dispatcher is down?): end it with the reason rather than
        // grow the history without bound; `jobs retry` starts it again once the cause is fixed.
        return [
          {
            type: "JobFailed",
            at,
            reason: `the retry of attempt ${command.attempt} was sent ${resends + 1} times and never launched (is the dispatcher consuming the jobs queue?)`,
          },
        ];
      }
      return [{ type: "RetryResent", at, attempt: command.attempt, reason: command.reason }];
    }
    default:
      return assertNever(command);
  }
}

/** The job is running (or launched) this attempt and knows its task. */
function ownsTask(state: JobState, attempt: number): boolean {
  return (
    (state.status === "LAUNCHED" || state.status === "RUNNING") &&
    attempt === state.attempt &&
    state.taskArn !== undefined
  );
}

function decideLaunchRetry(state: JobState, command: LaunchRetry, policy: RetryPolicy): JobEvent[] {
  if (state.status === "NEW") throw new JobNotFoundError(state.jobId);
  if (state.status !== "RETRYING" || state.retryAttempt !== command.attempt) return [];
  // The attempt the retry names: the next one, or (after a throttled launch) the same one again.
  if (command.mustWait !== undefined) return [waiting(command.now, command.attempt, command.mustWait)];
  return [launchRequested(state, command.now, policy, command.attempt)];
}

function decideSubmit(state: JobState, command: Submit, policy: RetryPolicy): JobEvent[] {
  if (state.status === "NEW") {
    const submitted: JobEvent = {
      type: "JobSubmitted",
      at: command.now,
      jobId: command.jobId,
      input: command.input,
      source: command.source,
      ...(command.messageId === undefined ? {} : { messageId: command.messageId }),
    };
    const next =
      command.mustWait === undefined
        ? launchRequested(state, command.now, policy)
        : waiting(command.now, state.attempt + 1, command.mustWait);
    return [submitted, next];
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
  // A throttled call is one event (JobWaiting, saying so): it is not a failure of the launch, and one
  // event keeps the history small however often ECS refuses.
  if (failure.throttled && failure.retryable)
    return throttledLaunch(state, `launch throttled: ${failure.reason}`, at);
  const failed: JobEvent = { type: "TaskLaunchFailed", at, attempt: command.attempt, ...failure };
  if (!failure.retryable)
    return [failed, { type: "JobFailed", at, reason: `task could not be launched: ${failure.reason}` }];
  const setback = spotSetback(state.attemptCapacity, { reason: failure.reason });
  return [failed, ...infrastructureRetry(state, `launch failed: ${failure.reason}`, at, policy, setback)];
}

/**
 * ECS refused the call for its rate, not the job: the job goes back to waiting for a slot, spending neither
 * an attempt nor an infrastructure retry, and starts again (in line, at the launch rate) as a slot frees.
 */
function throttledLaunch(state: JobState, reason: string, at: string): JobEvent[] {
  const throttles = state.throttledLaunches ?? 0;
  if (throttles >= MAX_THROTTLED_LAUNCHES) {
    return [
      {
        type: "JobFailed",
        at,
        reason: `ECS throttled ${throttles + 1} launches of this job in a row (its history must fit one item); last: ${reason}`,
      },
    ];
  }
  // The SAME attempt, so the same client token: the refused call started no task, but an earlier call with
  // this token whose answer was lost may have; the next RunTask then returns that task instead of a second.
  return [waiting(at, state.attempt, reason, true)];
}

/** The job waits for a slot before it launches `attempt`. */
function waiting(at: string, attempt: number, reason: string, throttled = false): JobEvent {
  return { type: "JobWaiting", at, attempt, reason, ...(throttled ? { throttled } : {}) };
}

/** Fails the job when it has had as many launches as one job may have. */
function launchLimitReached(state: JobState, reason: string, at: string): JobEvent | undefined {
  if (state.attempt < MAX_LAUNCHES_PER_JOB) return undefined;
  return {
    type: "JobFailed",
    at,
    reason: `reached the limit of ${MAX_LAUNCHES_PER_JOB} launches for one job; last: ${reason}`,
  };
}

/**
 * An infrastructure failure: a retry that does not use an attempt, within maxInfraRetries. When Spot let the
 * attempt down and the stack falls back, the retry (and the rest of the job) runs On-Demand.
 */
function infrastructureRetry(
  state: JobState,
  reason: string,
  at: string,
  policy: RetryPolicy,
  setback?: SpotSetback,
): JobEvent[] {
  const limit = launchLimitReached(state, reason, at);
  if (limit) return [limit];
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
  const fallback = setback !== undefined && fallsBackToOnDemand(state, setback, policy.placement);
  return [
    {
      type: "RetryScheduled",
      at,
      nextAttempt: state.attempt + 1,
      // Backing off is for asking again for the same thing; a retry On-Demand asks for something else.
      delaySeconds: fallback ? 0 : backoffSeconds(failures, policy),
      reason: fallback ? `${reason}; ${fallbackReason(setback)}` : reason,
      countsAsAttempt: false,
      manual: false,
      ...(fallback ? { capacity: "FARGATE" } : {}),
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

  const workerOutcome = recordedOutcome(task);
  const reading = explainStop(readStop(task, policy), workerOutcome, task.exitCode);
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
    ...(workerOutcome === undefined ? {} : { workerOutcome }),
    timings,
    ...(task.cost === undefined ? {} : { cost: task.cost }),
  };
  // A cancelled or timed-out job keeps its ending: the stop is recorded, nothing more is decided.
  if (isTerminal(state.status)) return [stopped];
  if (reading.outcome === "succeeded") return [stopped, { type: "JobSucceeded", at, attempt }];
  // The sweeper stopped it for missing a deadline: that, not the exit code of a stopped worker, is the outcome.
  if (state.stopRequested !== undefined)
    return [stopped, ...missedDeadline(state, state.stopRequested, at, policy)];

  // A job that failed running out of memory says at what size: a retry by hand goes one rung up from there.
  const ranWith = sizeRanWith(state, task, policy);
  const outOfMemory = reading.kind === "out-of-memory" ? { outOfMemoryAt: ranWith } : {};
  const fail = (reason: string): JobEvent[] => [stopped, { type: "JobFailed", at, reason, ...outOfMemory }];
  const retry = (reason: string, bigger?: TaskSize): JobEvent[] => {
    if (state.attemptsUsed + 1 >= policy.maxAttempts) {
      const failed = `failed after ${policy.maxAttempts} attempts; last: ${reading.description}`;
      if (bigger === undefined) return fail(failed);
      return fail(`${failed}; a retry by hand runs with ${describeTaskSize(bigger)}`);
    }
    const limit = launchLimitReached(state, reading.description, at);
    if (limit) return [stopped, limit];
    const scheduled: JobEvent = {
      type: "RetryScheduled",
      at,
      nextAttempt: attempt + 1,
      // A bigger size answers the failure itself: nothing is gained by waiting before it.
      delaySeconds: bigger === undefined ? backoffSeconds(state.attemptsUsed + 1, policy) : 0,
      reason,
      countsAsAttempt: true,
      manual: false,
      ...(bigger === undefined ? {} : { size: bigger }),
    };
    return [stopped, scheduled];
  };
  switch (reading.kind) {
    case "non-retryable-exit-code":
      return fail(reading.description);
    case "infrastructure": {
      const reasons = [task.stoppedReason, task.containerReason].filter(Boolean).join("; ");
      const ranOn = state.attemptCapacity ?? spotOrOnDemand(task.resources?.capacityProviderName);
      const setback = spotSetback(ranOn, { ...defined({ stopCode: task.stopCode }), reason: reasons });
      return [stopped, ...infrastructureRetry(state, reading.description, at, policy, setback)];
    }
    case "out-of-memory": {
      // Retried bigger, still within maxAttempts; with no bigger size allowed, retrying cannot help.
      const resize = resizeAfterOutOfMemory(ranWith, policy.placement);
      if (!resize.grows) return fail(resize.reason); // the stop just recorded says how it ended
      return retry(`${reading.description}; ${resize.reason}`, resize.size);
    }
    case "exit-code":
    case "stopped":
      return retry(reading.description);
    default:
      return assertNever(reading.kind);
  }
}

/** The size the stopped attempt ran with: as its launch recorded it, else as ECS reported it, else the stack's. */
function sizeRanWith(state: JobState, task: TaskObservation, policy: RetryPolicy): TaskSize {
  if (state.attemptSize !== undefined) return state.attemptSize;
  const reported = task.resources;
  if (reported !== undefined) return { cpu: reported.cpuUnits, memoryMib: reported.memoryMib };
  return policy.placement.workerSize;
}

/** ECS's `capacityProviderName` as a capacity provider (a launch type without one is On-Demand). */
function spotOrOnDemand(name: string | undefined): CapacityProvider | undefined {
  if (name === undefined) return undefined;
  return name === "FARGATE_SPOT" ? "FARGATE_SPOT" : "FARGATE";
}

/** What follows a task stopped (or lost) for missing a deadline. */
function missedDeadline(state: JobState, deadline: Deadline, at: string, policy: RetryPolicy): JobEvent[] {
  if (deadline === "run")
    return [{ type: "JobTimedOut", at, reason: state.reason ?? "ran past its timeout" }];
  // A Spot attempt that never ran counts as Spot short of capacity: with spot-with-fallback, the retry goes
  // On-Demand.
  const setback = spotSetback(state.attemptCapacity, { missedLaunchDeadline: true });
  return infrastructureRetry(state, "launch deadline passed: the task never ran", at, policy, setback);
}

function decideTaskLost(state: JobState, command: RecordTaskLost, policy: RetryPolicy): JobEvent[] {
  const { now: at, attempt, reason } = command;
  const launching = state.status === "LAUNCHING" && state.taskArn === undefined;
  if (attempt !== state.attempt || !(launching || ownsTask(state, attempt))) return [];
  if (command.taskArn !== undefined && state.taskArn !== undefined && command.taskArn !== state.taskArn)
    return [];
  const lost: JobEvent = {
    type: "TaskLost",
    at,
    attempt,
    ...(state.taskArn === undefined ? {} : { taskArn: state.taskArn }),
    reason,
  };
  if (state.stopRequested !== undefined)
    return [lost, ...missedDeadline(state, state.stopRequested, at, policy)];
  return [lost, ...infrastructureRetry(state, `task lost: ${reason}`, at, policy)];
}

/**
 * Which attempt an ECS event belongs to, from the event alone when it names it; otherwise from the task ARN
 * the job recorded, or — while the launch is in flight and RunTask has not answered yet — the attempt being
 * launched (a job has at most one launch in flight). A task other than the one the job recorded for its
 * attempt was not launched by the pipeline (someone ran a worker by hand with the job's id): it belongs to
 * no attempt. A job that does not exist has none either: events never create jobs.
 */
function attemptOf(state: JobState, task: TaskObservation): number | undefined {
  if (state.status === "NEW") return undefined;
  if (state.taskArn !== undefined && state.taskArn !== task.taskArn) return undefined;
  if (task.attempt !== undefined) return task.attempt;
  if (state.taskArn !== undefined) return state.attempt;
  return state.status === "LAUNCHING" ? state.attempt : undefined;
}

/** The launch of `attempt`, placed (size, capacity) as the job and the stack's policy say. */
function launchRequested(
  state: JobState,
  at: string,
  policy: RetryPolicy,
  attempt = state.attempt + 1,
): JobEvent {
  const placement = placementFor(state, attempt, policy.placement);
  return {
    type: "TaskLaunchRequested",
    at,
    attempt,
    clientToken: clientToken(state.jobId, attempt),
    // None: the attempt was requested before attempts had a placement, and is launched as it was then.
    ...(placement === undefined ? {} : { size: placement.size, capacity: placement.capacity }),
  };
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
