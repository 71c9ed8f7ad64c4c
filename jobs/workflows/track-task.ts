// The task-state workflow for one "ECS Task State Change" event: find the job and attempt from the event,
// record what ECS says (in ECS `detail.version` order; stale and duplicate events change nothing), decide
// the outcome by the retry policy, and send the retry message when a retry was scheduled. The sweeper
// applies what DescribeTasks says through the same `applyObservation`, so a missed event and a delivered
// one end the same way. A task event that ends a launch frees a running-task slot (the store gives it
// back): the task-state handler then starts waiting jobs into it (`trackTaskEventAndStartWaiting`).

import { readTaskEvent, type TaskEventContext } from "../boundary/task-events";
import { endsLaunch } from "../capacity/slots";
import { jobDecider, type TaskObservation } from "../model/decide";
import type { RetryPolicy } from "../model/retry-policy";
import { withWorkerOutcome } from "../model/worker-outcome";
import type { Clock, Log, RetryQueue, WorkerOutcomeReader } from "../store/ports";
import { changeJob, type JobStore } from "../store/store";
import type { LaunchDeps } from "./launch-attempt";
import { sendPendingRetry } from "./pending-retry";
import { startWaitingJobs } from "./start-waiting";

export interface TrackTaskDeps {
  readonly store: JobStore;
  readonly retryQueue: RetryQueue;
  readonly policy: RetryPolicy;
  readonly context: TaskEventContext;
  readonly clock: Clock;
  readonly log: Log;
  /** Reads the worker's outcome file when a task stops, so the history says why in its words. */
  readonly outcomeReader?: WorkerOutcomeReader;
}

export type TrackOutcome =
  | { readonly ignored: string }
  | {
      readonly jobId: string;
      readonly status: string;
      readonly recorded: readonly string[];
      readonly retrySent?: number;
      /** The event ended the job's launch: its slot is free. */
      readonly slotFreed?: boolean;
      /** Waiting jobs started into the slots free now. */
      readonly started?: number;
    };

export async function trackTaskEvent(deps: TrackTaskDeps, event: unknown): Promise<TrackOutcome> {
  const reading = readTaskEvent(event, deps.context);
  if (reading.kind === "ignore") {
    deps.log.info("task event ignored", { reason: reading.reason });
    return { ignored: reading.reason };
  }
  return applyObservation(deps, reading.jobId, reading.observation);
}

/** Records the event, and starts waiting jobs into the slot it freed, if it freed one. */
export async function trackTaskEventAndStartWaiting(
  deps: TrackTaskDeps & LaunchDeps,
  event: unknown,
): Promise<TrackOutcome> {
  const outcome = await trackTaskEvent(deps, event);
  if (!("slotFreed" in outcome) || outcome.slotFreed !== true) return outcome;
  return { ...outcome, started: await startWaitingJobs(deps) };
}

/**
 * Records what ECS says about one of a job's tasks (with what the worker said of a stopped attempt),
 * decides what follows, and sends a retry it scheduled.
 */
export async function applyObservation(
  deps: Omit<TrackTaskDeps, "context">,
  jobId: string,
  reported: TaskObservation,
): Promise<TrackOutcome> {
  const observation = await withWorkerOutcome(reported, jobId, deps.outcomeReader);
  const command = { type: "ObserveTask", now: deps.clock(), observation } as const;
  const decide = jobDecider(deps.policy);
  const change = await changeJob(deps.store, jobId, (state) => decide(state, command));
  if (change.before.status === "NEW") {
    const reason = `task not started by the pipeline (no job "${jobId}")`;
    deps.log.info("task event ignored", { reason, taskArn: observation.taskArn });
    return { ignored: reason };
  }
  const recorded = change.events.map((e) => e.type);
  const after = change.after;
  deps.log.info(recorded.length > 0 ? "task event recorded" : "task event was stale or a duplicate", {
    jobId,
    taskArn: observation.taskArn,
    lastStatus: observation.lastStatus,
    ecsVersion: observation.ecsVersion,
    recorded,
    status: after.status,
  });

  const retry = await sendPendingRetry(change.stored, deps.retryQueue);
  if (retry !== undefined) deps.log.info("retry scheduled", { jobId, attempt: retry, reason: after.reason });
  return {
    jobId,
    status: after.status,
    recorded,
    ...(retry === undefined ? {} : { retrySent: retry }),
    ...(endsLaunch(change.events, after) ? { slotFreed: true } : {}),
  };
}
