// Retrying a job by hand (`jobs retry`): a new attempt of a FAILED, TIMED_OUT or CANCELLED job, its history
// kept (ManualRetry: RetryScheduled with fresh retry budgets), then the retry message `{jobId, attempt}` to
// the jobs queue, which the dispatcher launches. A message that could not be sent is sent again by the
// sweeper once the retry is overdue.

import { decide } from "../model/decide";
import { InvalidTransitionError, JobError } from "../model/errors";
import { describeTaskSize, nextTaskSize } from "../model/task-size";
import type { Clock, RetryQueue } from "../store/ports";
import { changeJob, type JobChange, type JobStore, type StoredJob } from "../store/store";
import { latestTaskMayRun } from "./cancel-job";
import { sendPendingRetry } from "./pending-retry";

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

/**
 * Whether a retry by hand can help, before it is recorded (the CLI's `retry` and the console ask): refused
 * when the job ran out of memory at the largest size maxWorkerMemoryMb allows now (the retry would run
 * there again). A warning, which only `--force` (a confirmation in the console) goes past, when the worker
 * said the input is bad (a non-retryable exit code), or when the limit is not known here and the failure's
 * own record says no larger size was allowed then.
 */
export interface RetryAdvice {
  readonly refused?: string;
  readonly warning?: string;
}

export function retryAdvice(stored: StoredJob, maxWorkerMemoryMb: number | undefined): RetryAdvice {
  const { state, events } = stored;
  if (state.status !== "FAILED") return {};
  const at = state.outOfMemoryAt;
  if (at !== undefined) {
    const failed = [...events].reverse().find((e) => e.type === "JobFailed");
    const allowedThen = failed?.type === "JobFailed" && failed.reason.includes("a retry by hand runs with");
    const bigger =
      maxWorkerMemoryMb === undefined ? allowedThen : nextTaskSize(at, maxWorkerMemoryMb) !== undefined;
    if (!bigger && maxWorkerMemoryMb !== undefined) {
      return {
        refused: `job ${state.jobId} ran out of memory at ${describeTaskSize(at)}, and maxWorkerMemoryMb (${maxWorkerMemoryMb} MiB) allows no larger size: a retry would run out of memory again at the same size; raise maxWorkerMemoryMb first`,
      };
    }
    if (!bigger) {
      return {
        warning: `job ${state.jobId} ran out of memory at ${describeTaskSize(at)}, and maxWorkerMemoryMb allowed no larger size when it failed: a retry runs out of memory again at the same size unless maxWorkerMemoryMb was raised since`,
      };
    }
  }
  const last = [...events].reverse().find((e) => e.type === "TaskStopped");
  if (last?.type === "TaskStopped" && last.failure?.kind === "non-retryable-exit-code") {
    return {
      warning: `job ${state.jobId} failed with exit code ${last.exitCode ?? "?"}, which the stack counts as non-retryable (the worker found the input unusable): a retry will likely fail again`,
    };
  }
  return {};
}
