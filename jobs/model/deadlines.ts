// Deadlines and the sweeper's reading of one job: given the job's state and the time, what the sweeper must
// do about it — nothing, stop a task that missed its launch or run deadline, ask ECS about a task it has
// heard nothing of, find a launch that got no answer, or send an overdue retry again. Pure: the sweep
// workflow (sweep.ts) carries the actions out through the job model.

import type { Deadline } from "./events";
import type { JobState } from "./state";

/** No deadline or per-job timeout may be shorter than this. */
export const MIN_DEADLINE_SECONDS = 60;
/**
 * The quiet period may be as short as this: the stack sets it in minutes, local mode's crash tests in
 * seconds (asking ECS about a job with no news is harmless, only more calls).
 */
export const MIN_QUIET_SECONDS = 1;
/** A per-job `timeoutSeconds` may be at most 7 days. */
export const MAX_TIMEOUT_SECONDS = 7 * 86_400;
/** ECS honours a RunTask client token for 24 hours; after that the same token would start a second task. */
export const CLIENT_TOKEN_VALID_SECONDS = 86_400;

export interface Deadlines {
  /** LAUNCHING or LAUNCHED without RUNNING for this long: the task is stopped and the launch retried. */
  readonly launchSeconds: number;
  /** RUNNING for this long (unless the job's own `timeoutSeconds` says otherwise): stopped, TIMED_OUT. */
  readonly runSeconds: number;
  /** No news of an active job for this long: ECS is asked (a missed event, a launch with no answer). */
  readonly quietSeconds: number;
}

/** The statuses a sweep looks at, in this order (SUBMITTED is never stored alone: it comes with LAUNCHING). */
export const SWEPT_STATUSES = ["RETRYING", "LAUNCHING", "LAUNCHED", "RUNNING"] as const;

export const DEFAULT_DEADLINES: Deadlines = {
  launchSeconds: 15 * 60,
  runSeconds: 60 * 60,
  quietSeconds: 5 * 60,
};

export type SweepAction =
  | { readonly kind: "none" }
  /** Past a deadline, stop not yet asked for: record TaskStopRequested, then StopTask. */
  | { readonly kind: "stop"; readonly deadline: Deadline; readonly reason: string }
  /** The task is known but nothing was heard for a while (a stop asked for included): DescribeTasks. */
  | { readonly kind: "describe"; readonly taskArn: string }
  /** LAUNCHING with no answer for a while: look for the task by `startedBy`, else launch again. */
  | { readonly kind: "find-launch" }
  /** RETRYING past its due time: send the retry message again. */
  | { readonly kind: "resend-retry"; readonly attempt: number };

/** How long the job's worker may run: its own `timeoutSeconds`, else the stack's run deadline. */
export function runLimitSeconds(state: JobState, deadlines: Deadlines): number {
  return state.input?.timeoutSeconds ?? deadlines.runSeconds;
}

/** When the job's current stage must end, if it has a deadline: what `show` prints and `list --overdue` uses. */
export function currentDeadline(
  state: JobState,
  deadlines: Deadlines,
): { readonly deadline: Deadline; readonly at: string } | undefined {
  if (state.status === "RUNNING" && state.runningAt !== undefined) {
    return { deadline: "run", at: plusSeconds(state.runningAt, runLimitSeconds(state, deadlines)) };
  }
  if (
    (state.status === "LAUNCHING" || state.status === "LAUNCHED") &&
    state.launchRequestedAt !== undefined
  ) {
    return { deadline: "launch", at: plusSeconds(state.launchRequestedAt, deadlines.launchSeconds) };
  }
  return undefined;
}

export function sweepAction(state: JobState, deadlines: Deadlines, now: string): SweepAction {
  const quiet =
    state.updatedAt === undefined || secondsBetween(state.updatedAt, now) >= deadlines.quietSeconds;
  switch (state.status) {
    case "RUNNING":
    case "LAUNCHED": {
      if (state.taskArn === undefined) return { kind: "none" }; // LAUNCHED and RUNNING always name their task
      const due = currentDeadline(state, deadlines);
      if (due !== undefined && state.stopRequested === undefined && now >= due.at) {
        return {
          kind: "stop",
          deadline: due.deadline,
          reason: deadlineReason(state, due.deadline, deadlines),
        };
      }
      return quiet ? { kind: "describe", taskArn: state.taskArn } : { kind: "none" };
    }
    case "LAUNCHING":
      return quiet ? { kind: "find-launch" } : { kind: "none" };
    case "RETRYING": {
      if (state.retryAttempt === undefined || state.retryDueAt === undefined) return { kind: "none" };
      const overdue = secondsBetween(state.retryDueAt, now) >= deadlines.quietSeconds;
      const resentLately =
        state.retryResentAt !== undefined &&
        secondsBetween(state.retryResentAt, now) < deadlines.quietSeconds;
      return overdue && !resentLately
        ? { kind: "resend-retry", attempt: state.retryAttempt }
        : { kind: "none" };
    }
    default:
      return { kind: "none" };
  }
}

/**
 * Past a deadline or, for a retry, past its due time by the quiet period: what the sweeper acts on
 * (`list --overdue`). A job whose stop was asked for is overdue until the stop is recorded.
 */
export function isOverdue(state: JobState, deadlines: Deadlines, now: string): boolean {
  if (state.stopRequested !== undefined && (state.status === "RUNNING" || state.status === "LAUNCHED"))
    return true;
  if (state.status === "RETRYING" && state.retryDueAt !== undefined) {
    return secondsBetween(state.retryDueAt, now) >= deadlines.quietSeconds;
  }
  const due = currentDeadline(state, deadlines);
  return due !== undefined && now >= due.at;
}

/** A launch still in flight past its deadline, or whose client token ECS no longer honours, is given up. */
export function launchExpired(state: JobState, deadlines: Deadlines, now: string): boolean {
  if (state.launchRequestedAt === undefined) return true;
  const age = secondsBetween(state.launchRequestedAt, now);
  return age >= deadlines.launchSeconds || age >= CLIENT_TOKEN_VALID_SECONDS;
}

function deadlineReason(state: JobState, deadline: Deadline, deadlines: Deadlines): string {
  if (deadline === "launch") {
    return `no RUNNING within the launch deadline of ${formatSeconds(deadlines.launchSeconds)} (capacity, provisioning or image pull)`;
  }
  const own = state.input?.timeoutSeconds;
  const limit = formatSeconds(runLimitSeconds(state, deadlines));
  return `ran longer than the ${own === undefined ? "job timeout" : "job's own timeoutSeconds"} of ${limit}`;
}

export function formatSeconds(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

export function plusSeconds(iso: string, seconds: number): string {
  return new Date(Date.parse(iso) + seconds * 1000).toISOString();
}

export function secondsBetween(from: string, to: string): number {
  return (Date.parse(to) - Date.parse(from)) / 1000;
}
