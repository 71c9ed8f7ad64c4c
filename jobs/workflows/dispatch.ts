// The dispatcher's workflow for one queue message: read it (intake.ts), record each job it names, and launch
// the worker. The job is recorded as LAUNCHING before RunTask is called, and the task ARN after, so a crash
// anywhere — or a RunTask whose outcome is unknown — is repaired by SQS redelivering the message: the launch
// is resumed with the same client token. A launch that ECS refused retries later through a retry message.
// A job launches only with a slot under the cap and its turn at the launch rate (admission.ts); otherwise
// it is recorded WAITING and the message is done with (a waiting job never ticks SQS's receive count): it
// starts from the line (start-waiting.ts) as slots free up.

import { type Intent, readMessage, truncateRaw, type WorkerParamsRule } from "../boundary/intake";
import { ECS_OVERRIDES_MAX_CHARS, overridesSize } from "../boundary/worker-environment";
import { admit } from "../capacity/admission";
import { holdsSlot, type SlotAnswer } from "../capacity/slots";
import { jobDecider, type LaunchRetry, type Submit } from "../model/decide";
import { JobIdConflictError, JobNotFoundError } from "../model/errors";
import { jobIdForRejectedMessage } from "../model/job-id";
import { type Metrics, uploadIgnoredPoints } from "../model/metrics";
import type { JobState } from "../model/state";
import type { RetryQueue } from "../store/ports";
import { changeJob, type JobChange, type StoredJob } from "../store/store";
import { type LaunchDeps, launchAttempt, resumeLaunch } from "./launch-attempt";
import { sendPendingRetry } from "./pending-retry";
import { startWaitingJobs } from "./start-waiting";

export interface DispatchDeps extends LaunchDeps {
  readonly retryQueue: RetryQueue;
  /** Which params a job message may carry (intake.ts); the reference worker's unless said otherwise. */
  readonly workerParams?: WorkerParamsRule;
  /**
   * The stack's inputSuffixes: an uploaded object whose key ends with none of them, in any case, is
   * acknowledged as an ignored upload (logged, counted in UploadsIgnored). Without them every object is a job.
   */
  readonly videoSuffixes?: readonly string[];
  /** Where the count of ignored uploads goes; the jobs' own metrics come from the metered store. */
  readonly metrics?: Metrics;
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
  for (const intent of readMessage(body, messageId, deps.workerParams, deps.videoSuffixes)) {
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
    case "ignore": {
      const { upload } = intent;
      if (upload === undefined) {
        deps.log.info("message ignored", { messageId, reason: intent.reason });
      } else {
        // An upload that is not a video is most likely a mistake (a format the stack does not take): warned.
        const context = { messageId, bucket: upload.bucket, key: upload.key, reason: intent.reason };
        if (upload.why === "NotAVideo") deps.log.warn("upload ignored", context);
        else deps.log.info("upload ignored", context);
        for (const point of uploadIgnoredPoints(upload.why)) deps.metrics?.add(point);
      }
      return { ignored: intent.reason };
    }
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
      try {
        const existing = await deps.store.get(intent.jobId);
        // Only a job not recorded yet launches from a submission: a redelivery resumes what is recorded.
        const admission = await admissionFor(deps, intent.jobId, existing === undefined);
        const command = {
          type: "Submit",
          now: deps.clock(),
          ...intent,
          messageId,
          ...admission.command,
        } as const;
        return await decideAndLaunch(deps, intent.jobId, command, existing, admission.slotTaken);
      } catch (error) {
        if (!(error instanceof JobIdConflictError)) throw error;
        return reject(jobIdForRejectedMessage(messageId), error.message);
      }
    }
    case "retry":
      try {
        const existing = await deps.store.get(intent.jobId);
        const awaited =
          existing?.state.status === "RETRYING" && existing.state.retryAttempt === intent.attempt;
        const admission = await admissionFor(deps, intent.jobId, awaited);
        const command = {
          type: "LaunchRetry",
          now: deps.clock(),
          attempt: intent.attempt,
          ...admission.command,
        } as const;
        return await decideAndLaunch(deps, intent.jobId, command, existing, admission.slotTaken);
      } catch (error) {
        if (!(error instanceof JobNotFoundError)) throw error;
        return reject(
          jobIdForRejectedMessage(messageId),
          `retry message for an unknown job: ${error.message}`,
        );
      }
  }
}

/**
 * A slot and a launch turn for a command that would launch (`launches`): whether they were taken, and what
 * the command must carry otherwise (why the job waits in line).
 */
async function admissionFor(
  deps: DispatchDeps,
  jobId: string,
  launches: boolean,
): Promise<{ readonly slotTaken?: SlotAnswer; readonly command: { readonly mustWait?: string } }> {
  if (!launches) return { command: {} };
  const admission = await admit(deps, jobId, { behindWaiting: true });
  if (admission.kind !== "admitted") return { command: { mustWait: admission.reason } };
  return admission.slot.alreadyHeld ? { command: {} } : { slotTaken: admission.slot, command: {} };
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
 * retry message of a retry still pending. `slotTaken`: a slot was taken for this command; it is given
 * back if the job did not start launching after all (another delivery got there first, the id is in use).
 * A job put in line starts at once if a slot freed meanwhile. A LAUNCHING job this command did not start
 * (a redelivery after a crash) resumes its launch at the launch rate.
 */
async function decideAndLaunch(
  deps: DispatchDeps,
  jobId: string,
  command: Submit | LaunchRetry,
  known: StoredJob | undefined,
  slotTaken: SlotAnswer | undefined,
): Promise<DispatchOutcome> {
  let change: JobChange;
  try {
    change = await changeJob(deps.store, jobId, (state) => jobDecider(deps.policy)(state, command), {
      ...(known === undefined ? {} : { known }),
    });
  } catch (error) {
    if (slotTaken) await deps.capacity.slots.giveBack(jobId, slotTaken);
    throw error;
  }
  if (change.events.length > 0)
    deps.log.info("job recorded", { jobId, events: change.events.map((e) => e.type) });
  if (slotTaken && !holdsSlot(change.after)) await deps.capacity.slots.giveBack(jobId, slotTaken);
  if (change.events.some((event) => event.type === "JobWaiting")) {
    deps.log.info("job waiting for a slot", { jobId, reason: change.after.reason });
    await startWaitingJobs(deps);
  }
  const launching = change.stored.state.status === "LAUNCHING";
  const started = change.events.some((event) => event.type === "TaskLaunchRequested");
  const stored = !launching
    ? change.stored
    : started
      ? await launchAttempt(deps, change.stored)
      : await resumeLaunch(deps, change.stored);
  const retry = await sendPendingRetry(stored, deps.retryQueue);
  if (retry !== undefined)
    deps.log.info("retry scheduled", { jobId, attempt: retry, reason: stored.state.reason });
  return {
    jobId,
    status: stored.state.status,
    ...(stored.state.taskArn ? { taskArn: stored.state.taskArn } : {}),
  };
}
