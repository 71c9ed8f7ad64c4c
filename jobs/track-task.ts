// The task-state workflow for one "ECS Task State Change" event: find the job and attempt from the event,
// record what ECS says (in ECS `detail.version` order; stale and duplicate events change nothing), decide
// the outcome by the retry policy, and send the retry message when a retry was scheduled.

import { decide } from "./decide";
import type { JobEvent, RetryScheduled } from "./events";
import type { Clock, Log, RetryQueue } from "./ports";
import type { RetryPolicy } from "./retry-policy";
import { changeJob, type JobStore } from "./store";
import { readTaskEvent, type TaskEventContext } from "./task-events";

export interface TrackTaskDeps {
  readonly store: JobStore;
  readonly retryQueue: RetryQueue;
  readonly policy: RetryPolicy;
  readonly context: TaskEventContext;
  readonly clock: Clock;
  readonly log: Log;
}

export type TrackOutcome =
  | { readonly ignored: string }
  | {
      readonly jobId: string;
      readonly status: string;
      readonly recorded: readonly string[];
      readonly retrySent?: number;
    };

export async function trackTaskEvent(deps: TrackTaskDeps, event: unknown): Promise<TrackOutcome> {
  const reading = readTaskEvent(event, deps.context);
  if (reading.kind === "ignore") {
    deps.log.info("task event ignored", { reason: reading.reason });
    return { ignored: reading.reason };
  }
  const { jobId, observation } = reading;
  const command = { type: "ObserveTask", now: deps.clock(), observation } as const;
  const change = await changeJob(deps.store, jobId, (state) => decide(state, command, deps.policy));
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

  // The retry message is (re)sent whenever this task's stop left the job waiting for that retry, so a crash
  // after recording the decision but before sending is repaired when EventBridge delivers the event again.
  // A duplicate message is harmless: the dispatcher launches each attempt once.
  const retry = pendingRetryAfter(change.stored.events, observation.taskArn);
  if (after.status === "RETRYING" && retry !== undefined && after.retryAttempt === retry.nextAttempt) {
    await deps.retryQueue.sendRetry(jobId, retry.nextAttempt, retry.delaySeconds);
    deps.log.info("retry scheduled", { jobId, attempt: retry.nextAttempt, delaySeconds: retry.delaySeconds });
    return { jobId, status: after.status, recorded, retrySent: retry.nextAttempt };
  }
  return { jobId, status: after.status, recorded };
}

/** The RetryScheduled that the stop of this task produced, if it is the latest event about the job's retries. */
function pendingRetryAfter(history: readonly JobEvent[], taskArn: string): RetryScheduled | undefined {
  const stopIndex = history.findLastIndex((e) => e.type === "TaskStopped" && e.taskArn === taskArn);
  if (stopIndex < 0) return undefined;
  const next = history[stopIndex + 1];
  return next?.type === "RetryScheduled" ? next : undefined;
}
