// What the burst benchmark checks, read from the stored job histories alone (not from any counter): every job
// ended SUCCEEDED (none lost, none FAILED), each job launched one task, and the tasks that ran at once never
// outnumbered the cap — each task's life taken from ECS's own timings recorded in the history (created at
// launch, stopped), so the overlap is what ECS ran, not what the pipeline believed.

import type { JobEvent } from "../jobs/model";
import type { StoredJob } from "../jobs/store";

export interface HistoryReport {
  readonly jobs: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Jobs with no history, or one that never reached a terminal status. */
  readonly lost: number;
  /** Jobs that ended otherwise (TIMED_OUT, CANCELLED, REJECTED). */
  readonly otherEnd: number;
  /** Jobs with more than one TaskLaunched, or events naming more than one task. */
  readonly launchedTwice: number;
  /** Most tasks alive at once (ECS's createdAt to stoppedAt, as recorded). */
  readonly maxRunning: number;
  /** Each task's launch (ECS createdAt), ms from the epoch, ascending. */
  readonly launchesMs: readonly number[];
  /** Each TaskLaunched's record time, ms from the epoch, ascending. */
  readonly launchesRecordedMs: readonly number[];
  /** TaskLaunchFailed events for throttling (ECS refused RunTask for its rate). */
  readonly throttledLaunches: number;
  /** Jobs that waited in line for a slot (a JobWaiting event). */
  readonly waited: number;
  /** Waiting jobs whose launch was requested after that of a job that joined the line later. */
  readonly overtaken: number;
}

interface TaskLife {
  startMs?: number;
  stopMs?: number;
}

/** Reads the histories of `jobIds`; a task with no recorded stop counts as alive until `endMs`. */
export function checkHistories(
  jobIds: readonly string[],
  stored: ReadonlyMap<string, StoredJob | undefined>,
  endMs: number,
): HistoryReport {
  let succeeded = 0;
  let failed = 0;
  let lost = 0;
  let otherEnd = 0;
  let launchedTwice = 0;
  let throttledLaunches = 0;
  const lives: TaskLife[] = [];
  const launchesRecordedMs: number[] = [];
  const line: Array<{ joinedMs: number; startedMs: number }> = [];
  for (const jobId of jobIds) {
    const job = stored.get(jobId);
    const status = job?.state.status;
    if (status === "SUCCEEDED") succeeded++;
    else if (status === "FAILED") failed++;
    else if (status === "TIMED_OUT" || status === "CANCELLED" || status === "REJECTED") otherEnd++;
    else lost++;
    const events = job?.events ?? [];
    const tasks = tasksOf(events);
    const launched = events.filter((e) => e.type === "TaskLaunched");
    if (launched.length > 1 || tasks.size > 1) launchedTwice++;
    for (const e of launched) launchesRecordedMs.push(Date.parse(e.at));
    throttledLaunches += events.filter((e) => e.type === "TaskLaunchFailed" && e.throttled).length;
    lives.push(...tasks.values());
    const turn = firstWait(events);
    if (turn !== undefined) line.push(turn);
  }
  const launchesMs = lives.flatMap((life) => (life.startMs === undefined ? [] : [life.startMs]));
  return {
    jobs: jobIds.length,
    succeeded,
    failed,
    lost,
    otherEnd,
    launchedTwice,
    maxRunning: maxOverlap(lives, endMs),
    launchesMs: launchesMs.sort((a, b) => a - b),
    launchesRecordedMs: launchesRecordedMs.sort((a, b) => a - b),
    throttledLaunches,
    waited: line.length,
    overtaken: overtaken(line),
  };
}

/** When the job first joined the line, and when its launch was next requested (never: not started). */
function firstWait(events: readonly JobEvent[]): { joinedMs: number; startedMs: number } | undefined {
  const joined = events.findIndex((e) => e.type === "JobWaiting");
  if (joined === -1) return undefined;
  const started = events.slice(joined).find((e) => e.type === "TaskLaunchRequested");
  return {
    joinedMs: Date.parse((events[joined] as JobEvent).at),
    startedMs: started === undefined ? Number.POSITIVE_INFINITY : Date.parse(started.at),
  };
}

/** How many waiting jobs a later joiner started before (oldest first is the line's promise). */
function overtaken(line: ReadonlyArray<{ joinedMs: number; startedMs: number }>): number {
  const byJoining = [...line].sort((a, b) => a.joinedMs - b.joinedMs);
  let count = 0;
  let earliestLaterStart = Number.POSITIVE_INFINITY;
  // From the last to join back to the first: is there a later joiner that started earlier?
  for (let i = byJoining.length - 1; i >= 0; ) {
    // Jobs that joined at the same moment have no order among them.
    let j = i;
    while (
      j >= 0 &&
      (byJoining[j] as { joinedMs: number }).joinedMs === (byJoining[i] as { joinedMs: number }).joinedMs
    )
      j--;
    const group = byJoining.slice(j + 1, i + 1);
    for (const job of group) if (earliestLaterStart < job.startedMs) count++;
    for (const job of group) earliestLaterStart = Math.min(earliestLaterStart, job.startedMs);
    i = j;
  }
  return count;
}

/** Every task a job's events name, with its life as ECS timed it (or as the pipeline recorded it). */
function tasksOf(events: readonly JobEvent[]): Map<string, TaskLife> {
  const tasks = new Map<string, TaskLife>();
  const life = (taskArn: string) => {
    const found = tasks.get(taskArn) ?? {};
    tasks.set(taskArn, found);
    return found;
  };
  for (const event of events) {
    switch (event.type) {
      case "TaskLaunched":
        life(event.taskArn).startMs ??= Date.parse(event.at);
        break;
      case "TaskRunning":
      case "TaskStopped": {
        const task = life(event.taskArn);
        const created = event.timings.createdAt;
        if (created !== undefined) task.startMs = Date.parse(created);
        const stopped = event.type === "TaskStopped" ? event.timings.stoppedAt : undefined;
        if (stopped !== undefined) task.stopMs = Date.parse(stopped);
        else if (event.type === "TaskStopped") task.stopMs ??= Date.parse(event.at);
        break;
      }
      default:
        break;
    }
  }
  return tasks;
}

/** Most intervals [start, stop) open at once; a stop and a start at the same moment do not overlap. */
function maxOverlap(lives: readonly TaskLife[], endMs: number): number {
  const edges: Array<[number, number]> = [];
  for (const { startMs, stopMs } of lives) {
    if (startMs === undefined) continue;
    edges.push([startMs, +1], [stopMs ?? endMs, -1]);
  }
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let most = 0;
  for (const [, step] of edges) {
    open += step;
    most = Math.max(most, open);
  }
  return most;
}
