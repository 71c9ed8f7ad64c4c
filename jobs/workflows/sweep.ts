// The sweeper's workflow: every job finishes, whatever message or event goes missing. One run pages through
// the active jobs (the status index, oldest change first, never a Scan), reads what each needs
// (deadlines.ts) and acts through the job model, recording each action with its reason:
// - past a deadline: TaskStopRequested, then StopTask; the STOPPED event (or ECS forgetting the task)
//   then retries a launch that never ran, or times out a job that ran too long;
// - no news for a while: DescribeTasks (batched) and the outcome applied as the task-state handler would;
//   a task ECS no longer knows is recorded as lost and retried as an infrastructure failure;
// - LAUNCHING with no answer: the task found by `startedBy` is recorded, or RunTask is called again with
//   the same client token while it is valid, or the launch is given up and retried with a new one;
// - RETRYING past its due time: the retry message is sent again (the dispatcher ignores duplicates).
// Then the running-task slots are made to agree with the jobs in flight (slots.ts), and waiting jobs are
// started into whatever slots are free (start-waiting.ts), whatever stop events went missing.
// Every write is conditional (changeJob), so two sweeps at once and the handlers beside them are safe.

import type { WorkerTarget } from "../boundary/worker-environment";
import type { Capacity } from "../capacity/admission";
import { repairSlots, type SlotRepair } from "../capacity/slots";
import {
  type Deadlines,
  launchExpired,
  MIN_DEADLINE_SECONDS,
  plusSeconds,
  SWEPT_STATUSES,
  type SweepAction,
  sweepAction,
} from "../model/deadlines";
import type { JobCommand, PolicyCommand } from "../model/decide";
import { jobDecider } from "../model/decide";
import type { RetryPolicy } from "../model/retry-policy";
import type { JobState } from "../model/state";
import type {
  Clock,
  DescribedTask,
  Log,
  RetryQueue,
  TaskControl,
  TaskLauncher,
  WorkerOutcomeReader,
} from "../store/ports";
import { changeJob, type JobChange, type JobStore } from "../store/store";
import { resumeLaunch } from "./launch-attempt";
import { sendPendingRetry } from "./pending-retry";
import { startWaitingJobs } from "./start-waiting";
import { applyObservation } from "./track-task";

export interface SweepDeps {
  readonly store: JobStore;
  readonly tasks: TaskControl;
  readonly launcher: TaskLauncher;
  readonly retryQueue: RetryQueue;
  readonly target: WorkerTarget;
  readonly policy: RetryPolicy;
  readonly deadlines: Deadlines;
  readonly clock: Clock;
  readonly log: Log;
  readonly capacity: Capacity;
  /** Jobs examined in one run at most: the work of a run is bounded. */
  readonly maxJobs: number;
  /** Reads what the worker said about a stopped attempt, as the task-state handler does. */
  readonly outcomeReader?: WorkerOutcomeReader;
  /**
   * Where each status's listing stopped at the bound, kept between runs (the handler keeps it for as long
   * as its Lambda stays warm; without it, or after a cold start, a run starts from the oldest job).
   */
  readonly resume?: Map<string, string>;
}

export const SWEEP_ACTIONS = [
  "stopRequested",
  "taskLost",
  "observationApplied",
  "launchFound",
  "launchResumed",
  "retryResent",
] as const;
export type SweepActionName = (typeof SWEEP_ACTIONS)[number];

export interface SweepReport {
  readonly examined: number;
  /** Actions that recorded something, by kind. */
  readonly actions: Record<SweepActionName, number>;
  /** Jobs whose handling failed (logged; the next run tries again). */
  readonly errors: number;
  /** False when the run stopped at `maxJobs` with active jobs left unexamined. */
  readonly complete: boolean;
  /** The running-task slots put right; absent when that failed (logged, counted in errors). */
  readonly slots?: SlotRepair;
  /** Waiting jobs started into free slots. */
  readonly started: number;
}

const PAGE_SIZE = 100;

export async function sweep(deps: SweepDeps): Promise<SweepReport> {
  const now = deps.clock();
  const actions = Object.fromEntries(SWEEP_ACTIONS.map((name) => [name, 0])) as Record<
    SweepActionName,
    number
  >;
  const count = (name: SweepActionName, change?: JobChange) => {
    if (change === undefined || change.events.length > 0) actions[name]++;
  };
  let examined = 0;
  let errors = 0;
  let complete = true;
  const toDescribe: Array<{ readonly job: JobState; readonly taskArn: string }> = [];
  // A job changed more recently than the shortest deadline or quiet period cannot be past any of them.
  const shortest = Math.min(MIN_DEADLINE_SECONDS, deps.deadlines.launchSeconds, deps.deadlines.quietSeconds);
  const window = { from: "1970-01-01T00:00:00.000Z", to: plusSeconds(now, -shortest) };

  // A job whose handling failed is logged and counted; the run goes on, the next one tries it again.
  const failed = (job: JobState, error: unknown) => {
    errors++;
    deps.log.warn("sweep of a job failed", { jobId: job.jobId, status: job.status, error: String(error) });
  };
  const guarded = async (job: JobState, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      failed(job, error);
    }
  };

  // Each status has its share of the bound, so a burst in one (a throttling storm of RETRYING jobs) cannot
  // keep the others from being looked at; a status cut short resumes where it stopped on the next run.
  const share = Math.max(1, Math.ceil(deps.maxJobs / SWEPT_STATUSES.length));
  for (const status of SWEPT_STATUSES) {
    let cursor = deps.resume?.get(status);
    let seen = 0;
    do {
      const limit = Math.min(PAGE_SIZE, share - seen);
      if (limit <= 0) break;
      const page = await deps.store.listByStatus(
        status,
        { limit, oldestFirst: true, ...(cursor === undefined ? {} : { cursor }) },
        window,
      );
      cursor = page.cursor;
      for (const job of page.jobs) {
        examined++;
        seen++;
        const action = sweepAction(job, deps.deadlines, now);
        if (action.kind === "describe") toDescribe.push({ job, taskArn: action.taskArn });
        else if (action.kind !== "none") await guarded(job, () => act(deps, job, action, count));
      }
    } while (cursor !== undefined);
    if (cursor === undefined) {
      deps.resume?.delete(status);
    } else {
      complete = false;
      deps.resume?.set(status, cursor);
    }
  }

  await describeAndApply(deps, toDescribe, count, failed);

  let slots: SlotRepair | undefined;
  let started = 0;
  try {
    slots = await repairSlots({ ...deps, slots: deps.capacity.slots });
  } catch (error) {
    errors++;
    deps.log.warn("repairing the running-task slots failed", { error: String(error) });
  }
  try {
    started = await startWaitingJobs(deps, deps.capacity.slots.cap);
  } catch (error) {
    errors++;
    deps.log.warn("starting waiting jobs failed", { error: String(error) });
  }

  const report = { examined, actions, errors, complete, ...(slots === undefined ? {} : { slots }), started };
  deps.log.info("sweep done", { ...report });
  if (!complete) {
    deps.log.warn("sweep stopped at its bound; the next run continues where it stopped", {
      maxJobs: deps.maxJobs,
    });
  }
  return report;
}

type Count = (name: SweepActionName, change?: JobChange) => void;

async function act(
  deps: SweepDeps,
  job: JobState,
  action: Exclude<SweepAction, { kind: "none" } | { kind: "describe" }>,
  count: Count,
): Promise<void> {
  switch (action.kind) {
    case "stop":
      return stopForDeadline(deps, job, action, count);
    case "find-launch":
      return resolveLaunch(deps, job, count);
    case "resend-retry": {
      const change = await record(deps, job.jobId, {
        type: "ResendRetry",
        now: deps.clock(),
        attempt: action.attempt,
        reason: "retry overdue: its message was lost or never sent",
        notWithinSeconds: deps.deadlines.quietSeconds,
      });
      if (change.events.length === 0) return;
      await deps.retryQueue.sendRetry(job.jobId, action.attempt, 0);
      count("retryResent");
      deps.log.info("overdue retry sent again", { jobId: job.jobId, attempt: action.attempt });
      return;
    }
  }
}

async function stopForDeadline(
  deps: SweepDeps,
  job: JobState,
  action: Extract<SweepAction, { kind: "stop" }>,
  count: Count,
): Promise<void> {
  const change = await record(deps, job.jobId, {
    type: "RequestStop",
    now: deps.clock(),
    attempt: job.attempt,
    deadline: action.deadline,
    reason: action.reason,
  });
  const current = change.after;
  if (current.stopRequested === undefined || current.taskArn === undefined) return; // moved on meanwhile
  count("stopRequested", change);
  deps.log.info("deadline passed: stopping the task", { jobId: job.jobId, reason: action.reason });
  const known = await deps.tasks.stop(current.taskArn, `video-jobs sweeper: ${action.reason}`);
  if (!known) await recordLost(deps, current, "ECS no longer knows the task the sweeper stopped", count);
}

/** LAUNCHING with no answer: record the task ECS has for the attempt, or launch again, or give up. */
async function resolveLaunch(deps: SweepDeps, job: JobState, count: Count): Promise<void> {
  const found = (await deps.tasks.findByJob(job.jobId)).find((t) => t.observation.attempt === job.attempt);
  if (found !== undefined) {
    const change = await record(deps, job.jobId, {
      type: "RecordLaunch",
      now: deps.clock(),
      attempt: job.attempt,
      taskArn: found.observation.taskArn,
    });
    count("launchFound", change);
    await apply(deps, found, count);
    return;
  }
  const now = deps.clock();
  if (launchExpired(job, deps.deadlines, now)) {
    await recordLost(deps, job, "no task was started for the launch before its deadline", count);
    return;
  }
  const change = await record(deps, job.jobId, {
    type: "ResumeLaunch",
    now,
    attempt: job.attempt,
    reason:
      "launch had no recorded answer and ECS has no task for it: RunTask again with the same client token",
  });
  if (change.events.length === 0) return;
  count("launchResumed");
  const stored = await resumeLaunch(deps, change.stored);
  await sendPendingRetry(stored, deps.retryQueue);
}

async function describeAndApply(
  deps: SweepDeps,
  jobs: ReadonlyArray<{ readonly job: JobState; readonly taskArn: string }>,
  count: Count,
  failed: (job: JobState, error: unknown) => void,
): Promise<void> {
  if (jobs.length === 0) return;
  let described: Awaited<ReturnType<TaskControl["describe"]>>;
  try {
    described = await deps.tasks.describe(jobs.map((j) => j.taskArn));
  } catch (error) {
    for (const { job } of jobs) failed(job, error);
    return;
  }
  const byArn = new Map(described.tasks.map((task) => [task.observation.taskArn, task]));
  const missing = new Set(described.missing);
  for (const { job, taskArn } of jobs) {
    try {
      const task = byArn.get(taskArn);
      if (task !== undefined) {
        // Nothing new since the listing (the usual case for a long-running task): no read, no write. The
        // stored version can only be higher than the listed one, so this skips nothing decide would take.
        const news = job.lastEcsVersion === undefined || task.observation.ecsVersion > job.lastEcsVersion;
        if (news) await apply(deps, task, count);
        // A task asked to stop that still runs: ask again (StopTask is idempotent).
        if (job.stopRequested !== undefined && task.observation.lastStatus !== "STOPPED") {
          await deps.tasks.stop(taskArn, `video-jobs sweeper: ${job.reason ?? "deadline passed"}`);
        }
      } else if (missing.has(taskArn)) {
        await recordLost(deps, job, "ECS no longer knows the task (its events were missed)", count);
      }
    } catch (error) {
      failed(job, error);
    }
  }
}

/** Applies what ECS says about a task through the task-state handler's own path. */
async function apply(deps: SweepDeps, task: DescribedTask, count: Count): Promise<void> {
  const outcome = await applyObservation(deps, task.jobId, task.observation);
  if ("recorded" in outcome && outcome.recorded.length > 0) count("observationApplied");
}

async function recordLost(deps: SweepDeps, job: JobState, reason: string, count: Count): Promise<void> {
  const change = await record(deps, job.jobId, {
    type: "RecordTaskLost",
    now: deps.clock(),
    attempt: job.attempt,
    ...(job.taskArn === undefined ? {} : { taskArn: job.taskArn }),
    reason,
  });
  count("taskLost", change);
  if (change.events.length > 0)
    deps.log.warn("task lost", { jobId: job.jobId, attempt: job.attempt, reason });
  await sendPendingRetry(change.stored, deps.retryQueue);
}

function record(deps: SweepDeps, jobId: string, command: JobCommand | PolicyCommand): Promise<JobChange> {
  const decide = jobDecider(deps.policy);
  return changeJob(deps.store, jobId, (state) => decide(state, command));
}
