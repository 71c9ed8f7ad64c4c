// The dispatcher's workflow for one queue message: read it (intake.ts), record each job it names, and launch
// the worker. The job is recorded as LAUNCHING before RunTask is called, and the task ARN after, so a crash
// anywhere — or a RunTask whose outcome is unknown — is repaired by SQS redelivering the message: the launch
// is resumed with the same client token. A launch that ECS refused retries later through a retry message.

import { type Decide, type JobCommand, jobDecider, type PolicyCommand } from "./decide";
import { JobIdConflictError, JobNotFoundError } from "./errors";
import { type Intent, readMessage, truncateRaw } from "./intake";
import { clientToken, jobIdForRejectedMessage } from "./job-id";
import { sendPendingRetry } from "./pending-retry";
import type { Clock, Log, RetryQueue, TaskLauncher } from "./ports";
import type { RetryPolicy } from "./retry-policy";
import { isTerminal, type JobState } from "./state";
import { changeJob, type JobStore, type StoredJob } from "./store";
import {
  ECS_OVERRIDES_MAX_CHARS,
  overridesSize,
  type WorkerTarget,
  workerOverride,
} from "./worker-environment";

export interface DispatchDeps {
  readonly store: JobStore;
  readonly launcher: TaskLauncher;
  readonly retryQueue: RetryQueue;
  readonly target: WorkerTarget;
  readonly policy: RetryPolicy;
  readonly clock: Clock;
  readonly log: Log;
}

export type DispatchOutcome =
  | { readonly jobId: string; readonly status: JobState["status"]; readonly taskArn?: string }
  | { readonly ignored: string };

/** Some jobs of the message could not be handled now: the message must come back (SQS redelivery). */
export class DispatchIncompleteError extends AggregateError {
  override readonly name = "DispatchIncompleteError";
}

export async function dispatchMessage(
  deps: DispatchDeps,
  body: string,
  messageId: string,
): Promise<DispatchOutcome[]> {
  const outcomes: DispatchOutcome[] = [];
  const errors: unknown[] = [];
  // Every job of the message is tried before asking for redelivery: each is idempotent on it.
  for (const intent of readMessage(body, messageId)) {
    try {
      outcomes.push(await dispatchIntent(deps, intent, body, messageId));
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1)
    throw new DispatchIncompleteError(errors, `${errors.length} jobs of the message failed`);
  return outcomes;
}

async function dispatchIntent(
  deps: DispatchDeps,
  intent: Intent,
  body: string,
  messageId: string,
): Promise<DispatchOutcome> {
  const reject = (jobId: string, reason: string) => recordRejection(deps, jobId, reason, body, messageId);
  switch (intent.kind) {
    case "ignore":
      deps.log.info("message ignored", { messageId, reason: intent.reason });
      return { ignored: intent.reason };
    case "reject":
      return reject(intent.jobId, intent.reason);
    case "submit": {
      const size = overridesSize(intent.jobId, intent.input, deps.target);
      if (size > ECS_OVERRIDES_MAX_CHARS) {
        return reject(
          jobIdForRejectedMessage(messageId),
          `job ${intent.jobId}: the worker environment would take ${size} characters, over ECS's limit of ` +
            `${ECS_OVERRIDES_MAX_CHARS} for container overrides (make params smaller)`,
        );
      }
      const command = { type: "Submit", now: deps.clock(), ...intent, messageId } as const;
      try {
        return await decideAndLaunch(deps, intent.jobId, command);
      } catch (error) {
        if (!(error instanceof JobIdConflictError)) throw error;
        return reject(jobIdForRejectedMessage(messageId), error.message);
      }
    }
    case "retry":
      try {
        return await decideAndLaunch(deps, intent.jobId, {
          type: "LaunchRetry",
          now: deps.clock(),
          attempt: intent.attempt,
        });
      } catch (error) {
        if (!(error instanceof JobNotFoundError)) throw error;
        return reject(
          jobIdForRejectedMessage(messageId),
          `retry message for an unknown job: ${error.message}`,
        );
      }
  }
}

async function recordRejection(
  deps: DispatchDeps,
  jobId: string,
  reason: string,
  body: string,
  messageId: string,
): Promise<DispatchOutcome> {
  const command = {
    type: "Reject",
    now: deps.clock(),
    jobId,
    reason,
    messageId,
    ...truncateRaw(body),
  } as const;
  const change = await changeJob(deps.store, jobId, (state) => jobDecider(deps.policy)(state, command));
  deps.log.warn("message rejected", { jobId, messageId, reason });
  return { jobId, status: change.after.status };
}

/**
 * Applies a launch-driving command, then launches whatever attempt the job is left LAUNCHING, and sends the
 * retry message of a retry still pending.
 */
async function decideAndLaunch(
  deps: DispatchDeps,
  jobId: string,
  command: JobCommand,
): Promise<DispatchOutcome> {
  const change = await changeJob(deps.store, jobId, (state) => jobDecider(deps.policy)(state, command));
  if (change.events.length > 0)
    deps.log.info("job recorded", { jobId, events: change.events.map((e) => e.type) });
  const stored =
    change.stored.state.status === "LAUNCHING" ? await launchAttempt(deps, change.stored) : change.stored;
  const retry = await sendPendingRetry(stored, deps.retryQueue);
  if (retry !== undefined)
    deps.log.info("retry scheduled", { jobId, attempt: retry, reason: stored.state.reason });
  return {
    jobId,
    status: stored.state.status,
    ...(stored.state.taskArn ? { taskArn: stored.state.taskArn } : {}),
  };
}

/**
 * Calls RunTask for the attempt being launched (its client token makes a repeated call return the same task)
 * and records the outcome, starting from the job as stored. The sweeper resumes stuck launches with it too.
 */
export async function launchAttempt(
  deps: Pick<DispatchDeps, "store" | "launcher" | "target" | "policy" | "clock" | "log">,
  stored: StoredJob,
): Promise<StoredJob> {
  const { jobId, attempt, input } = stored.state;
  if (input === undefined) throw new Error(`job ${jobId} is launching without an input`);
  const result = await deps.launcher.launch({
    jobId,
    attempt,
    clientToken: clientToken(jobId, attempt),
    override: workerOverride(jobId, attempt, input, deps.target),
  });
  const command: JobCommand | PolicyCommand = result.launched
    ? { type: "RecordLaunch", now: deps.clock(), attempt, taskArn: result.taskArn }
    : { type: "RecordLaunchFailure", now: deps.clock(), attempt, failure: result.failure };
  const decide: Decide = jobDecider(deps.policy);
  const change = await changeJob(deps.store, jobId, (current) => decide(current, command), { known: stored });
  if (!result.launched) {
    deps.log.warn("task launch failed", { jobId, attempt, ...result.failure, status: change.after.status });
    return change.stored;
  }
  deps.log.info("task launched", { jobId, attempt, taskArn: result.taskArn });
  // Cancelled (or otherwise ended) while RunTask was under way: nobody else knows of this task to stop it.
  if (isTerminal(change.after.status)) {
    const reason = `video-jobs: the job ended (${change.after.status}) while its task launched`;
    await deps.launcher.stop(result.taskArn, reason);
    deps.log.info("task of an ended job stopped", { jobId, attempt, taskArn: result.taskArn });
  }
  return change.stored;
}
