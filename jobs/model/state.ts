// A job's state is a pure fold of its history: `evolve` applies one event, `foldEvents` a whole list.
// Both are total: any event in any state gives a state, so a stored history can always be read back.
// The state is one flat record (not a union on status) because it is also what the store persists and
// indexes beside the events: every field here is a column the history queries and the CLI read.

import type { Deadline, JobEvent, JobInput, JobSource } from "./events";
import type { CapacityProvider, TaskSize } from "./task-size";

export const ACTIVE_STATUSES = [
  "SUBMITTED",
  "WAITING",
  "LAUNCHING",
  "LAUNCHED",
  "RUNNING",
  "RETRYING",
] as const;
export const TERMINAL_STATUSES = ["SUCCEEDED", "FAILED", "TIMED_OUT", "CANCELLED", "REJECTED"] as const;
export const JOB_STATUSES = [...ACTIVE_STATUSES, ...TERMINAL_STATUSES] as const;

export type ActiveStatus = (typeof ACTIVE_STATUSES)[number];
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];
export type JobStatus = (typeof JOB_STATUSES)[number];

export interface JobState {
  readonly jobId: string;
  /** NEW only before the first event: a job that does not exist yet. */
  readonly status: JobStatus | "NEW";
  readonly input?: JobInput;
  readonly source?: JobSource;
  /** Launch number of the latest launch requested (0 before any); part of the RunTask client token. */
  readonly attempt: number;
  /** Failed attempts that count against maxAttempts (the worker ran and failed). */
  readonly attemptsUsed: number;
  /** Infrastructure failures so far (launch failures, tasks that failed to start), bounded separately. */
  readonly infraRetries: number;
  /**
   * The attempt launched next: named by the latest RetryScheduled (only the retry message for it may
   * launch) or JobWaiting (the attempt a waiting job starts with).
   */
  readonly retryAttempt?: number;
  /** The latest attempt's size and capacity provider, as its launch recorded them (absent in old histories). */
  readonly attemptSize?: TaskSize;
  readonly attemptCapacity?: CapacityProvider;
  /**
   * The size the job grew to after running out of memory (a retry, or the failure of its last allowed
   * attempt): its next launches, a retry by hand's included, use it.
   */
  readonly nextSize?: TaskSize;
  /** The job failed because an attempt ran out of memory at this size: its next launch (by hand) goes bigger. */
  readonly outOfMemoryAt?: TaskSize;
  /** Spot let the job down (capacity spot-with-fallback): its next launches run On-Demand. */
  readonly onDemandOnly?: boolean;
  /** Task of the latest attempt, once known (from RunTask or from an ECS event, whichever comes first). */
  readonly taskArn?: string;
  /** Highest ECS `detail.version` applied for the latest attempt's task: older or equal ones are stale. */
  readonly lastEcsVersion?: number;
  readonly exitCode?: number;
  readonly stopCode?: string;
  /** When the latest launch was requested: the launch deadline counts from here. */
  readonly launchRequestedAt?: string;
  /** When the latest attempt's task started running: the run deadline counts from here. */
  readonly runningAt?: string;
  /** The sweeper asked ECS to stop the latest attempt's task for missing this deadline. */
  readonly stopRequested?: Deadline;
  /** When the pending retry's message is due (RETRYING). */
  readonly retryDueAt?: string;
  /** When the sweeper last sent the pending retry's message again, and how often it has. */
  readonly retryResentAt?: string;
  readonly retryResends?: number;
  /** Launches ECS throttled in a row. */
  readonly throttledLaunches?: number;
  /** When the job last started waiting for a slot (WAITING): its place in line. */
  readonly waitingSince?: string;
  /** Why the job last failed, was rejected, cancelled or timed out; why a retry was scheduled. */
  readonly reason?: string;
  readonly submittedAt?: string;
  readonly updatedAt?: string;
  readonly finishedAt?: string;
}

export function initialState(jobId: string): JobState {
  return { jobId, status: "NEW", attempt: 0, attemptsUsed: 0, infraRetries: 0 };
}

export function isTerminal(status: JobState["status"]): status is TerminalStatus {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

export function isJobStatus(value: string): value is JobStatus {
  return (JOB_STATUSES as readonly string[]).includes(value);
}

export function foldEvents(jobId: string, events: readonly JobEvent[]): JobState {
  return events.reduce(evolve, initialState(jobId));
}

export function evolve(state: JobState, event: JobEvent): JobState {
  const next = applyEvent(state, event);
  return { ...next, updatedAt: event.at };
}

function applyEvent(state: JobState, event: JobEvent): JobState {
  switch (event.type) {
    case "JobSubmitted":
      return {
        ...state,
        status: "SUBMITTED",
        input: event.input,
        source: event.source,
        submittedAt: state.submittedAt ?? event.at,
      };
    case "JobRejected":
      return {
        ...state,
        status: "REJECTED",
        reason: event.reason,
        submittedAt: state.submittedAt ?? event.at,
        finishedAt: event.at,
      };
    case "TaskLaunchRequested": {
      const {
        taskArn: _taskArn,
        lastEcsVersion: _version,
        exitCode: _exit,
        stopCode: _stop,
        runningAt: _running,
        stopRequested: _stopRequested,
        attemptSize: _size,
        attemptCapacity: _capacity,
        outOfMemoryAt: _outOfMemory,
        ...rest
      } = withoutPendingStart(state);
      return {
        ...rest,
        status: "LAUNCHING",
        attempt: event.attempt,
        launchRequestedAt: event.at,
        ...(event.size === undefined ? {} : { attemptSize: event.size }),
        ...(event.capacity === undefined ? {} : { attemptCapacity: event.capacity }),
        // The size a retry by hand grew to after running out of memory is the job's from then on.
        ...(state.outOfMemoryAt !== undefined && event.size !== undefined ? { nextSize: event.size } : {}),
      };
    }
    case "TaskLaunched": {
      if (event.attempt !== state.attempt) return state;
      const { throttledLaunches: _throttled, ...launched } = launchedAfterAll(state);
      return { ...launched, taskArn: event.taskArn, status: advance(launched.status, "LAUNCHED") };
    }
    case "TaskLaunchFailed":
      return { ...state, reason: event.reason };
    case "TaskRunning": {
      const running = launchedAfterAll(state);
      const status = advance(running.status, "RUNNING");
      const runningAt = running.runningAt ?? event.timings.startedAt ?? event.at;
      return { ...running, taskArn: event.taskArn, lastEcsVersion: event.ecsVersion, status, runningAt };
    }
    case "TaskStopped": {
      // The run deadline counts only while the task runs.
      const { runningAt: _running, ...rest } = state;
      return {
        ...rest,
        taskArn: event.taskArn,
        lastEcsVersion: event.ecsVersion,
        ...(event.exitCode === undefined ? {} : { exitCode: event.exitCode }),
        ...(event.stopCode === undefined ? {} : { stopCode: event.stopCode }),
      };
    }
    case "TaskStopRequested":
      return { ...state, stopRequested: event.deadline, reason: event.reason };
    case "TaskLost":
      return { ...state, reason: event.reason };
    case "LaunchResumed":
      return state;
    case "RetryResent":
      return { ...state, retryResentAt: event.at, retryResends: (state.retryResends ?? 0) + 1 };
    case "JobWaiting":
      return {
        ...withoutPendingStart(state),
        status: "WAITING",
        retryAttempt: event.attempt,
        waitingSince: event.at,
        reason: event.reason,
        ...(event.throttled ? { throttledLaunches: (state.throttledLaunches ?? 0) + 1 } : {}),
      };
    case "JobSucceeded":
      return { ...withoutReason(state), status: "SUCCEEDED", finishedAt: event.at };
    case "RetryScheduled": {
      const budget = event.manual
        ? { attemptsUsed: 0, infraRetries: 0 }
        : event.throttled
          ? { throttledLaunches: (state.throttledLaunches ?? 0) + 1 }
          : event.countsAsAttempt
            ? { attemptsUsed: state.attemptsUsed + 1 }
            : { infraRetries: state.infraRetries + 1 };
      const { finishedAt: _finished, retryResentAt: _resent, retryResends: _resends, ...rest } = state;
      return {
        ...rest,
        ...budget,
        status: "RETRYING",
        retryAttempt: event.nextAttempt,
        retryDueAt: new Date(Date.parse(event.at) + event.delaySeconds * 1000).toISOString(),
        reason: event.reason,
        ...(event.size === undefined ? {} : { nextSize: event.size }),
        ...(event.capacity === "FARGATE" ? { onDemandOnly: true } : {}),
      };
    }
    case "JobFailed":
      return {
        ...state,
        status: "FAILED",
        reason: event.reason,
        finishedAt: event.at,
        ...(event.outOfMemoryAt === undefined ? {} : { outOfMemoryAt: event.outOfMemoryAt }),
      };
    case "JobTimedOut":
      return { ...state, status: "TIMED_OUT", reason: event.reason, finishedAt: event.at };
    case "JobCancelled":
      return { ...state, status: "CANCELLED", reason: event.reason, finishedAt: event.at };
    default:
      return assertNever(event);
  }
}

/**
 * A launch recorded as failed (or throttled) may still have started its task (an earlier call with the same
 * client token got through): once the task shows up, the job is that task's again, and the retry scheduled
 * for the failed launch, or its place in line, no longer applies. RETRYING without a task of the attempt,
 * or WAITING to launch the same attempt again, is that case. (Its slot is counted again by the sweeper's
 * repair of the slots: the task runs whatever the cap says.)
 */
function launchedAfterAll(state: JobState): JobState {
  if (state.taskArn !== undefined) return state;
  const relaunching =
    state.status === "RETRYING" || (state.status === "WAITING" && state.retryAttempt === state.attempt);
  if (!relaunching) return state;
  const { retryAttempt: _retry, ...rest } = withoutPendingStart(state);
  return { ...rest, status: "LAUNCHING" };
}

/**
 * Without what a start still to come keeps (a retry's due time and resends, a place in line): gone when the
 * launch is requested, when the job is put in line again, when a task shows up after all.
 */
function withoutPendingStart(state: JobState): JobState {
  const {
    retryDueAt: _due,
    retryResentAt: _resent,
    retryResends: _resends,
    waitingSince: _waiting,
    ...rest
  } = state;
  return rest;
}

/** LAUNCHING -> LAUNCHED -> RUNNING; any other status stays (a cancelled job's task may still report). */
function advance(status: JobState["status"], to: "LAUNCHED" | "RUNNING"): JobState["status"] {
  if (status === "LAUNCHING") return to;
  if (status === "LAUNCHED" && to === "RUNNING") return to;
  return status;
}

function withoutReason(state: JobState): JobState {
  const { reason: _reason, ...rest } = state;
  return rest;
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
