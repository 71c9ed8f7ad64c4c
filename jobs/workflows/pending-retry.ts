// A scheduled retry is launched by its retry message `{jobId, attempt}`. Whoever records the retry sends the
// message — and sends it again whenever it finds the retry still pending (its RetryScheduled is the job's
// latest event), so a crash between recording and sending is repaired by the next delivery of whatever
// drove the decision. A duplicate retry message launches nothing twice: only the awaited attempt launches,
// once.

import type { RetryScheduled } from "../model/events";
import type { RetryQueue } from "../store/ports";
import type { StoredJob } from "../store/store";

export function pendingRetry(job: StoredJob): RetryScheduled | undefined {
  const last = job.events.at(-1);
  return job.state.status === "RETRYING" && last?.type === "RetryScheduled" ? last : undefined;
}

/** Sends the pending retry's message, if there is one; returns the attempt it names. */
export async function sendPendingRetry(job: StoredJob, queue: RetryQueue): Promise<number | undefined> {
  const retry = pendingRetry(job);
  if (retry === undefined) return undefined;
  await queue.sendRetry(job.state.jobId, retry.nextAttempt, retry.delaySeconds);
  return retry.nextAttempt;
}
