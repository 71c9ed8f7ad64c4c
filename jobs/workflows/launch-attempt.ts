// Launching one attempt: RunTask with the attempt's client token (a repeated call returns the same task),
// and its answer recorded. Shared by the dispatcher, the starting of waiting jobs and the sweeper's resumed
// launches. A throttled call slows every launcher down (the shared launch rate) besides putting the job back
// in line; a task RunTask started for a job that ended meanwhile is stopped at once.

import { type WorkerTarget, workerOverride } from "../boundary/worker-environment";
import { type Capacity, takeLaunchTurn } from "../capacity/admission";
import { THROTTLE_SLOWDOWN_MS } from "../capacity/launch-rate";
import { type Decide, type JobCommand, jobDecider, type PolicyCommand } from "../model/decide";
import { clientToken } from "../model/job-id";
import { recordedPlacement } from "../model/placement";
import type { RetryPolicy } from "../model/retry-policy";
import { isTerminal } from "../model/state";
import type { Clock, Log, TaskLauncher } from "../store/ports";
import { changeJob, type JobStore, type StoredJob } from "../store/store";

export interface LaunchDeps {
  readonly store: JobStore;
  readonly launcher: TaskLauncher;
  readonly target: WorkerTarget;
  readonly policy: RetryPolicy;
  readonly clock: Clock;
  readonly log: Log;
  readonly capacity: Capacity;
}

/**
 * Calls RunTask for the attempt being launched (its client token makes a repeated call return the same task)
 * and records the outcome, starting from the job as stored. The sweeper resumes stuck launches with it too.
 */
export async function launchAttempt(deps: LaunchDeps, stored: StoredJob): Promise<StoredJob> {
  const { jobId, attempt, input } = stored.state;
  if (input === undefined) throw new Error(`job ${jobId} is launching without an input`);
  // The placement its launch recorded, however often the attempt is launched: one client token, one request.
  // A launch recorded before attempts had one has none, and is sent as it was then.
  const placement = recordedPlacement(stored.state);
  const result = await deps.launcher.launch({
    jobId,
    attempt,
    clientToken: clientToken(jobId, attempt),
    override: workerOverride(jobId, attempt, input, deps.target),
    ...(placement === undefined ? {} : { placement }),
  });
  const command: JobCommand | PolicyCommand = result.launched
    ? { type: "RecordLaunch", now: deps.clock(), attempt, taskArn: result.taskArn }
    : { type: "RecordLaunchFailure", now: deps.clock(), attempt, failure: result.failure };
  const decide: Decide = jobDecider(deps.policy);
  const change = await changeJob(deps.store, jobId, (current) => decide(current, command), { known: stored });
  if (!result.launched) {
    deps.log.warn("task launch failed", { jobId, attempt, ...result.failure, status: change.after.status });
    if (result.failure.throttled)
      await deps.capacity.launchRate.slowDown(Date.parse(deps.clock()) + THROTTLE_SLOWDOWN_MS);
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

/**
 * Calls RunTask again for a launch with no recorded answer (a redelivery after a crash, the sweeper), at the
 * launch rate like any launch: when no turn comes within the wait, the launch stays as it is, for the
 * sweeper's next run.
 */
export async function resumeLaunch(deps: LaunchDeps, stored: StoredJob): Promise<StoredJob> {
  const refusal = await takeLaunchTurn(deps);
  if (refusal === undefined) return launchAttempt(deps, stored);
  deps.log.warn("resumed launch left for the sweeper's next run", {
    jobId: stored.state.jobId,
    reason: refusal.reason,
  });
  return stored;
}
