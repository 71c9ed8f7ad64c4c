// The dispatcher's workflow for one queue message: read it (intake.ts), record each job it names, and launch
// the worker. The job is recorded as LAUNCHING before RunTask is called, and the task ARN after, so a crash
// anywhere is repaired by SQS redelivering the message: the launch is resumed with the same client token.

import type { JobCommand } from "./decide";
import { decide } from "./decide";
import { JobIdConflictError, JobNotFoundError } from "./errors";
import type { JobInput } from "./events";
import { type Intent, readMessage, truncateRaw } from "./intake";
import { clientToken, jobIdForRejectedMessage } from "./job-id";
import type { Clock, Log, TaskLauncher } from "./ports";
import type { RetryPolicy } from "./retry-policy";
import type { JobState } from "./state";
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
  readonly target: WorkerTarget;
  readonly policy: RetryPolicy;
  readonly clock: Clock;
  readonly log: Log;
}

export type DispatchOutcome =
  | {
      readonly jobId: string;
      readonly status: JobState["status"];
      readonly taskArn?: string;
      /** RunTask failed in a way worth retrying and the job awaits the message's redelivery. */
      readonly launchDeferred?: boolean;
    }
  | { readonly ignored: string };

/** A launch failed in a way worth retrying: the message must come back (SQS redelivery). */
export class LaunchDeferredError extends Error {
  override readonly name = "LaunchDeferredError";
  constructor(readonly jobIds: readonly string[]) {
    super(`launch deferred for ${jobIds.join(", ")}; the message will be delivered again`);
  }
}

export async function dispatchMessage(
  deps: DispatchDeps,
  body: string,
  messageId: string,
): Promise<DispatchOutcome[]> {
  const outcomes: DispatchOutcome[] = [];
  const deferred: string[] = [];
  for (const intent of readMessage(body, messageId)) {
    const outcome = await dispatchIntent(deps, intent, body, messageId);
    outcomes.push(outcome);
    if ("launchDeferred" in outcome && outcome.launchDeferred) deferred.push(outcome.jobId);
  }
  // Every job of the message was handled before asking for redelivery: the others are idempotent on it.
  if (deferred.length > 0) throw new LaunchDeferredError(deferred);
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
  const change = await changeJob(deps.store, jobId, (state) => decide(state, command, deps.policy));
  deps.log.warn("message rejected", { jobId, messageId, reason });
  return { jobId, status: change.after.status };
}

/** Applies a launch-driving command, then launches whatever attempt the job is left LAUNCHING. */
async function decideAndLaunch(
  deps: DispatchDeps,
  jobId: string,
  command: JobCommand,
): Promise<DispatchOutcome> {
  const change = await changeJob(deps.store, jobId, (state) => decide(state, command, deps.policy));
  if (change.events.length > 0)
    deps.log.info("job recorded", { jobId, events: change.events.map((e) => e.type) });
  const state = change.after;
  if (state.status !== "LAUNCHING" || state.input === undefined) return { jobId, status: state.status };
  return launch(deps, change.stored, state.input);
}

/** Calls RunTask for the attempt being launched and records the outcome, starting from the job as stored. */
async function launch(deps: DispatchDeps, stored: StoredJob, input: JobInput): Promise<DispatchOutcome> {
  const { jobId, attempt } = stored.state;
  const result = await deps.launcher.launch({
    jobId,
    attempt,
    clientToken: clientToken(jobId, attempt),
    override: workerOverride(jobId, attempt, input, deps.target),
  });
  const command: JobCommand = result.launched
    ? { type: "RecordLaunch", now: deps.clock(), attempt, taskArn: result.taskArn }
    : { type: "RecordLaunchFailure", now: deps.clock(), attempt, failure: result.failure };
  const change = await changeJob(deps.store, jobId, (current) => decide(current, command, deps.policy), {
    known: stored,
  });
  const after = change.after;
  if (result.launched) {
    deps.log.info("task launched", { jobId, attempt, taskArn: result.taskArn });
    return { jobId, status: after.status, taskArn: result.taskArn };
  }
  deps.log.warn("task launch failed", { jobId, attempt, ...result.failure, status: after.status });
  return { jobId, status: after.status, launchDeferred: after.status === "RETRYING" };
}
