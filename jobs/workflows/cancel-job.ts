// Cancelling a job (`jobs cancel`): the cancellation is recorded first (JobCancelled: the job is CANCELLED
// whatever happens next), then the attempt's task is stopped. A job still launching has no task ARN yet:
// its task is looked up by `startedBy`, as the sweeper does. A task ECS no longer knows is simply gone.
// Cancelling a CANCELLED job again records nothing and tries its task once more, so a stop that failed can
// be repeated with the same command.

import { decide } from "../model/decide";
import { JobError } from "../model/errors";
import type { JobEvent } from "../model/events";
import type { JobState } from "../model/state";
import type { Clock, TaskControl } from "../store/ports";
import { changeJob, type JobChange, type JobStore } from "../store/store";

export interface CancelDeps {
  readonly store: JobStore;
  /** Absent when no cluster is known: the cancellation is recorded, no task is stopped. */
  readonly tasks?: TaskControl;
  readonly clock: Clock;
}

export interface CancelOutcome {
  readonly change: JobChange;
  /** Tasks asked to stop. */
  readonly stopped: readonly string[];
  /** Tasks that ECS no longer knows: nothing to stop. */
  readonly gone: readonly string[];
}

/** The job is cancelled, but stopping a task failed: the same cancel can be run again. */
export class TaskNotStoppedError extends JobError {
  constructor(
    readonly jobId: string,
    readonly taskArns: readonly string[],
    override readonly cause: unknown,
  ) {
    super(
      `job ${jobId} is cancelled, but its task could not be stopped: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
  }
}

export async function cancelJob(deps: CancelDeps, jobId: string, reason: string): Promise<CancelOutcome> {
  const now = deps.clock();
  const change = await changeJob(deps.store, jobId, (state) =>
    state.status === "CANCELLED" ? [] : decide(state, { type: "Cancel", now, reason }),
  );
  const job = change.before;
  const stopped: string[] = [];
  const gone: string[] = [];
  if (deps.tasks === undefined) return { change, stopped, gone };

  const candidates = await tasksToStop(deps.tasks, change.stored.events, job);
  const stopReason = `video-jobs cancel: ${reason}`;
  for (const taskArn of candidates) {
    try {
      if (await deps.tasks.stop(taskArn, stopReason)) stopped.push(taskArn);
      else gone.push(taskArn);
    } catch (error) {
      throw new TaskNotStoppedError(
        jobId,
        candidates.filter((arn) => !stopped.includes(arn) && !gone.includes(arn)),
        error,
      );
    }
  }
  return { change, stopped, gone };
}

/** The latest attempt's task, unless it is known to have stopped (or, while launching, as ECS lists it). */
async function tasksToStop(
  tasks: TaskControl,
  events: readonly JobEvent[],
  job: JobState,
): Promise<string[]> {
  const active = job.status === "LAUNCHING" || job.status === "LAUNCHED" || job.status === "RUNNING";
  if (!(active || job.status === "CANCELLED") || !latestTaskMayRun(events, job)) return [];
  if (job.taskArn !== undefined) return [job.taskArn];
  const found = await tasks.findByJob(job.jobId);
  return found
    .filter((t) => t.observation.attempt === job.attempt && t.observation.lastStatus !== "STOPPED")
    .map((t) => t.observation.taskArn);
}

/**
 * Whether the latest attempt's task may still be running: one was launched (or may have been) and neither
 * its STOPPED nor its loss is recorded. Cancel stops such a task; retry waits for it.
 */
export function latestTaskMayRun(events: readonly JobEvent[], job: JobState): boolean {
  if (job.attempt === 0) return false;
  const ended = events.some(
    (e) => (e.type === "TaskStopped" || e.type === "TaskLost") && e.attempt === job.attempt,
  );
  // A refused launch (a failure, or a throttle that put the job back in line) started no task, unless one
  // showed up since (the job then knows its ARN).
  const neverStarted = events.some(
    (e) =>
      (e.type === "TaskLaunchFailed" || (e.type === "JobWaiting" && e.throttled === true)) &&
      e.attempt === job.attempt &&
      job.taskArn === undefined,
  );
  return !ended && !neverStarted;
}
