// Series over a set of job histories, for the console's charts: jobs per hour by outcome, failure reasons,
// cost per day and per outcome, and the share of attempts that ran on Spot. Pure, like stats.ts beside it
// (which gives the p50/p95 of waiting and running), over the histories the caller chose and read.

import { jobCost, roundUsd } from "../model/cost";
import type { JobStatus } from "../model/state";
import type { JobHistory } from "./stats";
import { jobTimeline } from "./timeline";

export interface HourCount {
  /** Start of the UTC hour, ISO-8601. */
  readonly hour: string;
  /** Jobs submitted in that hour, by the status they are in now. */
  readonly byStatus: Readonly<Partial<Record<JobStatus, number>>>;
}

export interface Activity {
  readonly perHour: readonly HourCount[];
  /** Why the failed and timed-out jobs failed (their last attempt's failure kind, or how they ended), most first. */
  readonly failureReasons: ReadonlyArray<{ readonly reason: string; readonly jobs: number }>;
  /** Fargate cost of the jobs submitted each UTC day, oldest first. */
  readonly costPerDay: ReadonlyArray<{ readonly day: string; readonly usd: number }>;
  readonly costPerOutcome: Readonly<Partial<Record<JobStatus, number>>>;
  /** Attempts launched on FARGATE_SPOT, of those whose capacity the history records. */
  readonly spot: { readonly attempts: number; readonly ofAttempts: number; readonly share?: number };
}

const HOUR_MS = 3_600_000;

export function activity(histories: readonly JobHistory[], window: { from: string; to: string }): Activity {
  const hours = new Map<string, Partial<Record<JobStatus, number>>>();
  // Every hour of the window, so a quiet hour shows as one.
  for (
    let t = Math.floor(Date.parse(window.from) / HOUR_MS) * HOUR_MS;
    t <= Date.parse(window.to);
    t += HOUR_MS
  )
    hours.set(new Date(t).toISOString(), {});
  const reasons = new Map<string, number>();
  const days = new Map<string, number>();
  const perOutcome: Partial<Record<JobStatus, number>> = {};
  let spot = 0;
  let placed = 0;
  for (const { state, events } of histories) {
    if (state.status === "NEW" || state.submittedAt === undefined) continue;
    const hour = new Date(Math.floor(Date.parse(state.submittedAt) / HOUR_MS) * HOUR_MS).toISOString();
    const counts = hours.get(hour) ?? {};
    counts[state.status] = (counts[state.status] ?? 0) + 1;
    hours.set(hour, counts);
    const timeline = jobTimeline(events);
    if (state.status === "FAILED" || state.status === "TIMED_OUT") {
      const last = timeline.attempts.at(-1);
      const reason =
        state.status === "TIMED_OUT"
          ? "timed out"
          : (last?.failure?.kind ?? (last?.launchFailure ? "launch failed" : "failed before a launch"));
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
    const usd = jobCost(events).totalUsd;
    const day = state.submittedAt.slice(0, 10);
    days.set(day, (days.get(day) ?? 0) + usd);
    perOutcome[state.status] = (perOutcome[state.status] ?? 0) + usd;
    for (const attempt of timeline.attempts) {
      if (attempt.capacity === undefined) continue;
      placed++;
      if (attempt.capacity === "FARGATE_SPOT") spot++;
    }
  }
  return {
    perHour: [...hours]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([hour, byStatus]) => ({ hour, byStatus })),
    failureReasons: [...reasons]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([reason, jobs]) => ({ reason, jobs })),
    costPerDay: [...days]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([day, usd]) => ({ day, usd: roundUsd(usd) })),
    costPerOutcome: Object.fromEntries(Object.entries(perOutcome).map(([s, usd]) => [s, roundUsd(usd)])),
    spot: { attempts: spot, ofAttempts: placed, ...(placed === 0 ? {} : { share: spot / placed }) },
  };
}
