// Durations derived from a job's history: per launch attempt, from the task timings ECS reported
// (provisioning, image pull, running), and for the whole job (queued, total). Pure: the jobs CLI's `show`
// and `stats` read them, and so can anything else that wants to know where a job's time went.
//
// Clocks: ECS timings come from ECS, event times (`at`) from the pipeline. A duration between the two is
// clamped at zero, so a small skew never shows as a negative wait.

import { defined } from "../model/defined";
import type { FailureKind, JobEvent, TaskTimings } from "../model/events";
import { assertNever } from "../model/state";
import type { CapacityProvider, TaskSize } from "../model/task-size";

/** Milliseconds; absent when the history does not (yet) tell. */
export interface AttemptDurations {
  /** Task created -> image pull started (ENI, capacity). */
  readonly provisioning?: number;
  /** Image pull started -> finished. */
  readonly imagePull?: number;
  /** Container started -> execution stopped; up to `now` for a task still running. */
  readonly running?: number;
}

export interface JobDurations {
  /** Submitted -> the first task was created (queue, dispatcher, RunTask). */
  readonly queued?: number;
  /** Summed over the attempts. */
  readonly provisioning?: number;
  readonly imagePull?: number;
  readonly running?: number;
  /** Submitted -> finished; up to `now` for a job still active. */
  readonly total?: number;
}

export interface AttemptTimeline {
  readonly attempt: number;
  /** When the launch was requested (TaskLaunchRequested). */
  readonly requestedAt: string;
  /** Where the attempt ran, as its launch recorded it (absent in histories from before sizes were recorded). */
  readonly size?: TaskSize;
  readonly capacity?: CapacityProvider;
  /** Why it runs bigger or On-Demand, when the retry that launched it moved it. */
  readonly placementChange?: string;
  readonly taskArn?: string;
  /** ECS's timings of the task, the latest report of each field. */
  readonly timings: TaskTimings;
  readonly launchFailure?: { readonly reason: string; readonly retryable: boolean };
  readonly exitCode?: number;
  readonly stopCode?: string;
  readonly stoppedReason?: string;
  readonly containerReason?: string;
  readonly failure?: { readonly kind: FailureKind; readonly description: string };
  /** The task reached RUNNING / was reported STOPPED. */
  readonly ran: boolean;
  readonly stopped: boolean;
  readonly durations: AttemptDurations;
}

export interface JobTimeline {
  readonly submittedAt?: string;
  readonly finishedAt?: string;
  readonly attempts: readonly AttemptTimeline[];
  readonly durations: JobDurations;
}

interface AttemptDraft {
  attempt: number;
  requestedAt: string;
  size?: TaskSize;
  capacity?: CapacityProvider;
  placementChange?: string;
  taskArn?: string;
  timings: TaskTimings;
  launchFailure?: { reason: string; retryable: boolean };
  exitCode?: number;
  stopCode?: string;
  stoppedReason?: string;
  containerReason?: string;
  failure?: { kind: FailureKind; description: string };
  runningAt?: string;
  stoppedAt?: string;
}

/**
 * The timeline of a history. `now` (ISO-8601) measures what is still going on: a running task's time so far
 * and an active job's age; without it only finished spans are measured.
 */
export function jobTimeline(events: readonly JobEvent[], now?: string): JobTimeline {
  const drafts = new Map<number, AttemptDraft>();
  let submittedAt: string | undefined;
  let finishedAt: string | undefined;
  // The latest retry's move of the job (bigger, On-Demand): said on the attempt it launches.
  let move:
    | { readonly attempt: number; readonly change: string; readonly outOfMemoryAt?: TaskSize }
    | undefined;
  // The size the job failed out of memory at, until a retry by hand.
  let outOfMemoryAt: TaskSize | undefined;
  for (const event of events) {
    switch (event.type) {
      case "JobSubmitted":
      case "JobRejected":
        submittedAt ??= event.at;
        if (event.type === "JobRejected") finishedAt = event.at;
        break;
      case "TaskLaunchRequested":
        drafts.set(event.attempt, {
          attempt: event.attempt,
          requestedAt: event.at,
          timings: {},
          ...defined({
            size: event.size,
            capacity: event.capacity,
            placementChange: move?.attempt === event.attempt ? launchedChange(move, event.size) : undefined,
          }),
        });
        break;
      case "TaskLaunched":
        withDraft(drafts, event.attempt, event.at, (d) => {
          d.taskArn ??= event.taskArn;
        });
        break;
      case "TaskLaunchFailed":
        withDraft(drafts, event.attempt, event.at, (d) => {
          d.launchFailure = { reason: event.reason, retryable: event.retryable };
        });
        break;
      case "TaskRunning":
        withDraft(drafts, event.attempt, event.at, (d) => {
          d.taskArn = event.taskArn;
          d.timings = { ...d.timings, ...event.timings };
          d.runningAt ??= event.at;
        });
        break;
      case "TaskStopped":
        withDraft(drafts, event.attempt, event.at, (d) => {
          d.taskArn = event.taskArn;
          d.timings = { ...d.timings, ...event.timings };
          d.stoppedAt ??= event.at;
          Object.assign(
            d,
            defined({
              exitCode: event.exitCode,
              stopCode: event.stopCode,
              stoppedReason: event.stoppedReason,
              containerReason: event.containerReason,
              failure: event.failure,
            }),
          );
        });
        break;
      case "TaskLost":
        // The task's end is unknown; the attempt ended when it was found lost.
        withDraft(drafts, event.attempt, event.at, (d) => {
          d.stoppedAt ??= event.at;
        });
        break;
      case "JobSucceeded":
      case "JobFailed":
      case "JobTimedOut":
      case "JobCancelled":
        finishedAt = event.at;
        outOfMemoryAt = event.type === "JobFailed" ? event.outOfMemoryAt : undefined;
        break;
      case "RetryScheduled": {
        finishedAt = undefined; // a manual retry reopens a finished job
        // A retry by hand of a job that failed out of memory runs a rung up (placement.ts): said as a retry's.
        const grows = event.manual && outOfMemoryAt !== undefined;
        const change = placementChange(event, drafts.get(event.nextAttempt - 1), grows);
        move =
          change === undefined
            ? undefined
            : {
                attempt: event.nextAttempt,
                change,
                ...(grows && outOfMemoryAt !== undefined ? { outOfMemoryAt } : {}),
              };
        outOfMemoryAt = undefined;
        break;
      }
      case "TaskStopRequested":
      case "LaunchResumed":
      case "RetryResent":
      case "JobWaiting": // time waiting for a slot is time queued: it lies between submission and creation
        break; // the sweeper's actions: their effects on time come with the events they lead to
      default:
        // A new event type does not compile until the timeline says what it means for the durations.
        assertNever(event);
    }
  }
  const attempts = [...drafts.values()].sort((a, b) => a.attempt - b.attempt).map((d) => attemptOf(d, now));
  const first = attempts.find((a) => a.timings.createdAt !== undefined || a.taskArn !== undefined);
  const firstCreated =
    first?.timings.createdAt ?? (first === undefined ? undefined : launchedAt(events, first.attempt));
  const durations: JobDurations = defined({
    queued: span(submittedAt, firstCreated),
    provisioning: sum(attempts.map((a) => a.durations.provisioning)),
    imagePull: sum(attempts.map((a) => a.durations.imagePull)),
    running: sum(attempts.map((a) => a.durations.running)),
    total: span(submittedAt, finishedAt ?? now),
  });
  return { ...defined({ submittedAt, finishedAt }), attempts, durations };
}

/**
 * A retry by hand of a job that ran out of memory is said to run bigger only when its launch did: with
 * maxWorkerMemoryMb not raised since, it runs at the size it ran out of memory at, and says so.
 */
function launchedChange(
  move: { readonly change: string; readonly outOfMemoryAt?: TaskSize },
  size: TaskSize | undefined,
): string {
  const from = move.outOfMemoryAt;
  if (from === undefined || size === undefined || size.memoryMib > from.memoryMib) return move.change;
  return move.change.replace(
    /^bigger: (.*) ran out of memory/,
    "same size: $1 ran out of memory at it (maxWorkerMemoryMb allows no larger)",
  );
}

/** How a retry moved the job, in words: bigger after running out of memory, On-Demand after Spot. */
function placementChange(
  retry: Extract<JobEvent, { type: "RetryScheduled" }>,
  previous: AttemptDraft | undefined,
  grows = false,
): string | undefined {
  // Short: `show` prints it after the attempt's size and capacity, within 80 columns.
  const changes: string[] = [];
  const which = previous === undefined ? "the last attempt" : `attempt ${previous.attempt}`;
  if (retry.size !== undefined || grows) changes.push(`bigger: ${which} ran out of memory`);
  if (retry.capacity !== undefined) changes.push(`after Spot let ${which} down`);
  return changes.length === 0 ? undefined : changes.join("; ");
}

function attemptOf(draft: AttemptDraft, now: string | undefined): AttemptTimeline {
  const { runningAt, stoppedAt, ...rest } = draft;
  const t = draft.timings;
  const started = t.startedAt ?? runningAt;
  const ran = started !== undefined;
  const stopped = stoppedAt !== undefined;
  const executionEnd = t.executionStoppedAt ?? t.stoppingAt ?? t.stoppedAt ?? stoppedAt;
  const durations: AttemptDurations = defined({
    provisioning: span(t.createdAt, t.pullStartedAt ?? t.startedAt),
    imagePull: span(t.pullStartedAt, t.pullStoppedAt),
    running: ran ? span(started, stopped ? executionEnd : now) : undefined,
  });
  return { ...rest, ran, stopped, durations };
}

function withDraft(
  drafts: Map<number, AttemptDraft>,
  attempt: number,
  at: string,
  change: (draft: AttemptDraft) => void,
): void {
  // ECS can report a task before the pipeline recorded its launch request only in a corrupt history;
  // a draft is made anyway so that nothing the history says is dropped.
  let draft = drafts.get(attempt);
  if (draft === undefined) {
    draft = { attempt, requestedAt: at, timings: {} };
    drafts.set(attempt, draft);
  }
  change(draft);
}

function launchedAt(events: readonly JobEvent[], attempt: number): string | undefined {
  return events.find((e) => e.type === "TaskLaunched" && e.attempt === attempt)?.at;
}

/** Milliseconds from `from` to `to`, at least 0; undefined when either end is unknown. */
export function span(from: string | undefined, to: string | undefined): number | undefined {
  if (from === undefined || to === undefined) return undefined;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isNaN(ms) ? undefined : Math.max(0, ms);
}

function sum(values: ReadonlyArray<number | undefined>): number | undefined {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length === 0 ? undefined : known.reduce((a, b) => a + b, 0);
}
