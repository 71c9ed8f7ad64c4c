// Statistics over a set of job histories: counts per status, success rate, launches per job and the
// distribution (p50/p95) of queue wait, run time and total time. Pure: callers choose the jobs (e.g. those
// submitted in a time window, listed through the store's indexes) and pass their histories.

import type { JobEvent } from "../model/events";
import { JOB_STATUSES, type JobState, type JobStatus } from "../model/state";
import { jobTimeline } from "./timeline";

export interface Distribution {
  /** Values measured (jobs for which the history tells). */
  readonly count: number;
  readonly p50?: number;
  readonly p95?: number;
  readonly max?: number;
  readonly mean?: number;
}

export interface JobStats {
  readonly jobs: number;
  readonly byStatus: Readonly<Record<JobStatus, number>>;
  /**
   * SUCCEEDED / (SUCCEEDED + FAILED + TIMED_OUT): of the jobs that ran to an outcome. Cancelled jobs (a
   * person's decision) and rejected messages (never jobs that ran) are left out. Absent when none finished.
   */
  readonly successRate?: number;
  /** Launches per job (retries and infrastructure relaunches included), over the jobs launched at least once. */
  readonly attempts: Distribution & { readonly histogram: Readonly<Record<string, number>> };
  /** Submitted -> first task created, in ms. */
  readonly queueWait: Distribution;
  /** Time the worker ran, summed over the job's attempts, in ms (stopped tasks only). */
  readonly runTime: Distribution;
  /** Submitted -> finished, in ms (finished jobs, rejections excepted). */
  readonly totalTime: Distribution;
}

export interface JobHistory {
  readonly state: JobState;
  readonly events: readonly JobEvent[];
}

export function jobStats(histories: readonly JobHistory[]): JobStats {
  const byStatus = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
  const queueWait: number[] = [];
  const runTime: number[] = [];
  const totalTime: number[] = [];
  const attempts: number[] = [];
  for (const { state, events } of histories) {
    if (state.status === "NEW") continue;
    byStatus[state.status]++;
    if (state.attempt > 0) attempts.push(state.attempt);
    const timeline = jobTimeline(events);
    if (timeline.durations.queued !== undefined) queueWait.push(timeline.durations.queued);
    if (timeline.durations.running !== undefined) runTime.push(timeline.durations.running);
    if (state.status !== "REJECTED" && timeline.durations.total !== undefined && timeline.finishedAt)
      totalTime.push(timeline.durations.total);
  }
  const outcomes = byStatus.SUCCEEDED + byStatus.FAILED + byStatus.TIMED_OUT;
  const histogram: Record<string, number> = {};
  for (const n of attempts) histogram[String(n)] = (histogram[String(n)] ?? 0) + 1;
  return {
    jobs: histories.filter((h) => h.state.status !== "NEW").length,
    byStatus,
    ...(outcomes === 0 ? {} : { successRate: byStatus.SUCCEEDED / outcomes }),
    attempts: { ...distribution(attempts), histogram },
    queueWait: distribution(queueWait),
    runTime: distribution(runTime),
    totalTime: distribution(totalTime),
  };
}

export function distribution(values: readonly number[]): Distribution {
  if (values.length === 0) return { count: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted[sorted.length - 1] as number,
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
  };
}

/** Nearest-rank percentile of values sorted ascending: always one of the values, never interpolated. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error("percentile of no values");
  if (!(p > 0 && p <= 100)) throw new Error(`percentile must be in (0, 100], got ${p}`);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[rank - 1] as number;
}
