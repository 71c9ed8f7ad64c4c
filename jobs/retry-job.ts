// Retrying a job by hand (`jobs retry`): a new attempt of a FAILED, TIMED_OUT or CANCELLED job, its history
// kept (ManualRetry: RetryScheduled with fresh retry budgets), then the retry message `{jobId, attempt}` to
// the jobs queue, which the dispatcher launches. A message that could not be sent is sent again by the
// sweeper once the retry is overdue.

import { latestTaskMayRun } from "./cancel-job";
import { decide } from "./decide";
import { InvalidTransitionError, JobError } from "./errors";
import { sendPendingRetry } from "./pending-retry";
import type { Clock, RetryQueue } from "./ports";
import { changeJob, type JobChange, type JobStore } from "./store";

export interface RetryDeps {
  readonly store: JobStore;
  readonly retryQueue: RetryQueue;
  readonly clock: Clock;
}

export interface RetryOutcome {
  readonly change: JobChange;
  readonly attempt: number;
}

/** The retry is recorded but its message did not go out (the sweeper will send it). */
export class RetryNotSentError extends JobError {
  constructor(
    readonly jobId: string,
    readonly attempt: number,
    override readonly cause: unknown,
  ) {
    super(
      `the retry of job ${jobId} (attempt ${attempt}) is recorded, but its message could not be sent: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
  }
}

export async function retryJob(deps: RetryDeps, jobId: string, reason: string): Promise<RetryOutcome> {
  const now = deps.clock();
  const known = await deps.store.get(jobId);
  // A cancelled job whose task has not stopped yet (its stop failed, or is under way): a retry now would run
  // a second task beside it.
  if (
    known !== undefined &&
    known.state.status === "CANCELLED" &&
    latestTaskMayRun(known.events, known.state)
  ) {
    throw new InvalidTransitionError(
      jobId,
      known.state.status,
      "retry",
      "its task has not stopped yet: run cancel again to stop it, then retry once its stop is recorded",
    );
  }
  const change = await changeJob(
    deps.store,
    jobId,
    (state) => decide(state, { type: "ManualRetry", now, reason }),
    known === undefined ? {} : { known },
  );
  const attempt = change.after.retryAttempt ?? change.after.attempt + 1;
  try {
    await sendPendingRetry(change.stored, deps.retryQueue);
  } catch (error) {
    throw new RetryNotSentError(jobId, attempt, error);
  }
  return { change, attempt };
}
