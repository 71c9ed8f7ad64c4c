// `jobs stats`: over the jobs submitted in a window (the by-submitted-day index, paged), counts per status,
// success rate, launches per job and p50/p95 of queue wait, run time and total time (jobs/stats.ts). The
// durations need each job's events, which the index does not carry: one read per job, a few at a time,
// up to --limit jobs.

import { MAX_WINDOW_DAYS } from "../../jobs/aws/dynamodb-store";
import { formatUsd } from "../../jobs/cost";
import { type CostStats, costStats } from "../../jobs/cost-stats";
import { type ServiceCostLine, serviceCostsPerJob } from "../../jobs/service-costs";
import { JOB_STATUSES, type JobState } from "../../jobs/state";
import { type Distribution, type JobHistory, jobStats } from "../../jobs/stats";
import type { JobStore } from "../../jobs/store";
import type { CommandContext } from "../context";
import { UsageError } from "../errors";
import { formatDuration, formatTime } from "../format";
import { readMerged } from "../paging";
import { parseWindow, utcDaysIn } from "../time-window";

export const DEFAULT_STATS_WINDOW = "24h";
const READ_CONCURRENCY = 8;

export interface StatsOptions {
  readonly since?: string;
  readonly until?: string;
  readonly limit: number;
  readonly pageSize: number;
}

export async function statsCommand(ctx: CommandContext, options: StatsOptions): Promise<number> {
  const window = parseWindow(options, ctx.io.now(), DEFAULT_STATS_WINDOW);
  if (window === undefined) throw new Error("unreachable: stats always has a window");
  if (utcDaysIn(window) > MAX_WINDOW_DAYS) {
    throw new UsageError(
      `invalid time window: ${utcDaysIn(window)} days is longer than ${MAX_WINDOW_DAYS} days`,
      "narrow --since/--until",
    );
  }
  const store = ctx.aws.store();
  const page = await readMerged(
    [
      {
        key: "submitted",
        fetch: (p) => store.listBySubmission(window, p),
        sortKey: (j) => j.submittedAt ?? "",
      },
    ],
    { limit: options.limit, pageSize: options.pageSize, window },
  );
  const histories = await readHistories(store, page.jobs);
  const stats = jobStats(histories);
  const cost = costStats(histories);
  const services = serviceCostsPerJob();
  const truncated = page.cursor !== undefined;

  if (ctx.json) {
    ctx.emit({
      window,
      ...stats,
      cost: { ...cost, estimate: ctx.config.local, servicesPerJob: services },
      ...(truncated ? { truncated: true, limit: options.limit } : {}),
    });
    return 0;
  }
  const p = ctx.paint;
  const out: string[] = [];
  out.push(
    p.paint("bold", `Jobs submitted ${formatTime(window.from)} .. ${formatTime(window.to)}: ${stats.jobs}`) +
      (truncated ? p.paint("yellow", ` (the newest ${options.limit} only: raise --limit)`) : ""),
  );
  if (stats.jobs === 0) {
    out.push("no jobs in this window (widen it with --since 7d)");
    ctx.say(out.join("\n"));
    return 0;
  }
  const counts = JOB_STATUSES.filter((s) => stats.byStatus[s] > 0).map(
    (s) => `${p.status(s)} ${stats.byStatus[s]}`,
  );
  out.push(`  ${"status".padEnd(13)} ${counts.join("   ")}`);
  out.push(
    `  ${"success rate".padEnd(13)} ${
      stats.successRate === undefined
        ? "- (none finished)"
        : `${(stats.successRate * 100).toFixed(1)}% of ${stats.byStatus.SUCCEEDED + stats.byStatus.FAILED + stats.byStatus.TIMED_OUT} that ran to an outcome`
    }`,
  );
  const a = stats.attempts;
  out.push(
    `  ${"attempts/job".padEnd(13)} ${
      a.count === 0
        ? "-"
        : `mean ${a.mean?.toFixed(2)}   p50 ${a.p50}   p95 ${a.p95}   max ${a.max}   (${Object.entries(
            a.histogram,
          )
            .map(([n, c]) => `${n}: ${c} job${c === 1 ? "" : "s"}`)
            .join(", ")})`
    }`,
  );
  out.push("");
  out.push(`  ${"".padEnd(13)} ${"p50".padStart(9)} ${"p95".padStart(9)} ${"max".padStart(9)}   jobs`);
  const line = (name: string, d: Distribution) =>
    `  ${name.padEnd(13)} ${formatDuration(d.p50).padStart(9)} ${formatDuration(d.p95).padStart(9)} ${formatDuration(d.max).padStart(9)}   ${d.count}`;
  out.push(line("queue wait", stats.queueWait));
  out.push(line("run time", stats.runTime));
  out.push(line("total", stats.totalTime));
  out.push(
    p.paint(
      "dim",
      "  queue wait: submitted -> first task created; run time: worker running, summed over attempts; total: submitted -> finished",
    ),
  );
  out.push(...costLines(ctx, cost, services));
  ctx.say(out.join("\n"));
  return 0;
}

/** Fargate compute recorded per attempt, then the estimate for the services around it, kept apart. */
function costLines(ctx: CommandContext, cost: CostStats, services: readonly ServiceCostLine[]): string[] {
  const label = ctx.config.local ? " (estimate: local timings, the stack's task size)" : "";
  const out = ["", ctx.paint.paint("bold", `Fargate compute${label}`)];
  out.push(
    `  ${"total".padEnd(13)} ${formatUsd(cost.totalUsd)} over ${cost.pricedAttempts} attempt(s)${cost.unpriced > 0 ? ` (${cost.unpriced} without a price)` : ""}`,
  );
  out.push(
    `  ${"per success".padEnd(13)} ${cost.perSucceededJobUsd === undefined ? "- (none succeeded)" : `${formatUsd(cost.perSucceededJobUsd)} (all attempts over ${cost.succeededJobs} succeeded job(s))`}`,
  );
  out.push(
    `  ${"failed".padEnd(13)} ${formatUsd(cost.failedAttemptsUsd)}${cost.failedShare === undefined ? "" : ` (${(cost.failedShare * 100).toFixed(1)}% spent on attempts that failed)`}`,
  );
  out.push(
    "",
    ctx.paint.paint("bold", "Other services per job (estimate from measured call counts, not recorded)"),
  );
  for (const line of services) {
    const range =
      line.lowUsd === line.highUsd
        ? formatUsd(line.lowUsd)
        : `${formatUsd(line.lowUsd)}-${formatUsd(line.highUsd)}`;
    out.push(`  ${line.service.padEnd(13)} ${range}  ${ctx.paint.paint("dim", line.basis)}`);
  }
  return out;
}

async function readHistories(store: JobStore, jobs: readonly JobState[]): Promise<JobHistory[]> {
  const histories: JobHistory[] = [];
  for (let i = 0; i < jobs.length; i += READ_CONCURRENCY) {
    const batch = await Promise.all(jobs.slice(i, i + READ_CONCURRENCY).map((job) => store.get(job.jobId)));
    for (const stored of batch) {
      // A job deleted (TTL) between the listing and the read is simply not counted.
      if (stored !== undefined) histories.push({ state: stored.state, events: stored.events });
    }
  }
  return histories;
}
