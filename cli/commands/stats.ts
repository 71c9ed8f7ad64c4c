// `jobs stats`: over the jobs submitted in a window (the by-submitted-day index, paged), counts per status,
// success rate, launches per job and p50/p95 of queue wait, run time and total time (jobs/insights/stats.ts). The
// durations need each job's events, which the index does not carry: one read per job, a few at a time,
// up to --limit jobs. With --sizes, over the same jobs, the size report instead: what the succeeded jobs used
// and the Fargate size that would have served them (jobs/insights/size-recommendation.ts).

import type { Command } from "commander";
import { fargateSizeProblem } from "../../config/fargate";
import { MAX_WINDOW_DAYS } from "../../jobs/adapters/aws/dynamodb-store";
import {
  type CostStats,
  CPU_HEADROOM,
  costStats,
  type Distribution,
  type JobHistory,
  jobStats,
  MEMORY_HEADROOM,
  MIN_MEASURED_JOBS,
  recommendSize,
  type ServiceCostLine,
  SIZE_PERCENTILE,
  type SizeRecommendation,
  serviceCostsPerJob,
  sizeMeasurements,
} from "../../jobs/insights";
import type { TaskSize } from "../../jobs/model";
import { formatUsd, JOB_STATUSES, pricesFor } from "../../jobs/model";
import type { TimeWindow } from "../../jobs/store";
import { COMMAND } from "../command-name";
import { exitCodes, positiveInt, type Registration } from "../command-options";
import type { CommandContext } from "../context";
import { UsageError } from "../errors";
import { formatDuration, formatTime } from "../format";
import { readHistories } from "../job-listing";
import { readMerged } from "../paging";
import { parseWindow, TIME_FORMATS, utcDaysIn } from "../time-window";

export const DEFAULT_STATS_WINDOW = "24h";

export interface StatsOptions {
  readonly since?: string;
  readonly until?: string;
  readonly limit: number;
  readonly pageSize: number;
  /** The size report instead of the statistics. */
  readonly sizes?: boolean;
  /** The stack's task size (workerCpu, workerMemoryMb), for jobs whose history records none. */
  readonly cpu?: number;
  readonly memory?: number;
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
  const stackSize = stackSizeOf(options);
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
  const truncated = page.cursor !== undefined;
  if (options.sizes)
    return sizesReport(ctx, window, histories, { stackSize, truncated, limit: options.limit });
  const stats = jobStats(histories);
  const cost = costStats(histories);
  const services = serviceCostsPerJob();

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
  const label = ctx.config.local ? " (estimate: local timings)" : "";
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

/** --cpu and --memory: both or neither, only with --sizes (the statistics read no size), a valid Fargate size. */
function stackSizeOf(options: StatsOptions): TaskSize | undefined {
  if (options.cpu === undefined && options.memory === undefined) return undefined;
  if (!options.sizes) {
    throw new UsageError(
      `${options.cpu === undefined ? "--memory" : "--cpu"} goes with --sizes`,
      "add --sizes for the size report, or drop --cpu/--memory",
    );
  }
  if (options.cpu === undefined || options.memory === undefined) {
    throw new UsageError("--cpu and --memory go together", "give the stack's workerCpu and workerMemoryMb");
  }
  const problem = fargateSizeProblem(options.cpu, options.memory);
  if (problem !== undefined) throw new UsageError(`--cpu/--memory: ${problem}`);
  return { cpu: options.cpu, memoryMib: options.memory };
}

function sizesReport(
  ctx: CommandContext,
  window: TimeWindow,
  histories: readonly JobHistory[],
  options: { readonly stackSize?: TaskSize; readonly truncated: boolean; readonly limit: number },
): number {
  const measurements = sizeMeasurements(histories);
  const region = ctx.config.region?.value;
  const report = recommendSize({
    measurements,
    ...(options.stackSize === undefined ? {} : { stackSize: options.stackSize }),
    ...(region === undefined ? {} : { region }),
    pricesFor: (r) => pricesFor(r),
  });
  const recorded = measurements.measured.some((m) => m.size !== undefined);
  if (ctx.json) {
    ctx.emit({
      window,
      sizes: {
        ...report,
        currentFrom: report.current === undefined ? null : recorded ? "history" : "--cpu/--memory",
        rules: {
          percentile: SIZE_PERCENTILE,
          memoryHeadroom: MEMORY_HEADROOM,
          cpuHeadroom: CPU_HEADROOM,
          minMeasuredJobs: MIN_MEASURED_JOBS,
        },
      },
      ...(options.truncated ? { truncated: true, limit: options.limit } : {}),
    });
    return 0;
  }
  const p = ctx.paint;
  const succeeded = report.measured + report.unmeasured;
  const out = [
    p.paint("bold", `Sizes from the jobs submitted ${formatTime(window.from)} .. ${formatTime(window.to)}`) +
      (options.truncated ? p.paint("yellow", ` (the newest ${options.limit} only)`) : ""),
  ];
  const row = (name: string, text: string) => `  ${name.padEnd(13)} ${text}`;
  out.push(
    row(
      "measured",
      `${report.measured} of ${succeeded} succeeded job(s)${report.unmeasured > 0 ? ` (${report.unmeasured} recorded no peak memory)` : ""}`,
    ),
  );
  if (report.peakMemoryMb !== undefined) {
    const m = report.peakMemoryMb;
    out.push(row("peak memory", `p50 ${mib(m.p50)}   p95 ${mib(m.p95)}   max ${mib(m.max)}`));
  }
  const v = report.vcpusUsed;
  out.push(
    row(
      "vCPUs used",
      v === undefined
        ? "- (no job gave its CPU time)"
        : `p50 ${v.p50.toFixed(2)}   p95 ${v.p95.toFixed(2)}   max ${v.max.toFixed(2)}   (${report.cpuMeasured} job(s))`,
    ),
  );
  out.push(
    row(
      "current",
      report.current === undefined
        ? "unknown: the history records no size (give --cpu and --memory)"
        : `${sizeText(report.current)}, ${report.architecture}${recorded ? "" : " (--cpu/--memory)"}${report.otherSizes > 0 ? `; ${report.otherSizes} job(s) ran with another size` : ""}`,
    ),
  );
  out.push(...recommendationLines(ctx, report));
  ctx.say(out.join("\n"));
  return 0;
}

function recommendationLines(ctx: CommandContext, report: SizeRecommendation): string[] {
  const p = ctx.paint;
  const row = (name: string, text: string) => `  ${name.padEnd(13)} ${text}`;
  const { recommended, need } = report;
  if (recommended === undefined || need === undefined) {
    return [row("recommended", `none yet: ${report.noRecommendation ?? "nothing measured"}`)];
  }
  const out = [row("recommended", p.paint("bold", sizeText(recommended)))];
  out.push(
    p.paint(
      "dim",
      `                p${SIZE_PERCENTILE} peak ${mib(need.peakMemoryP95Mb)} + ${pct(MEMORY_HEADROOM)} = ${mib(need.memoryNeededMib)}; ${
        need.vcpusP95 === undefined
          ? "CPU unmeasured"
          : `p${SIZE_PERCENTILE} ${need.vcpusP95.toFixed(2)} vCPU + ${pct(CPU_HEADROOM)} = ${need.vcpusNeeded.toFixed(2)}`
      }`,
    ),
  );
  const s = report.saving;
  out.push(
    row(
      "saving",
      s === undefined
        ? `- (${report.current === undefined ? "no current size" : (report.noPrices ?? "no prices")})`
        : `${s.perJobHourUsd < 0 ? "-" : ""}${formatUsd(Math.abs(s.perJobHourUsd))} per job-hour, ${s.percent.toFixed(1)}% of the current size`,
    ),
  );
  if (s !== undefined) {
    out.push(
      p.paint(
        "dim",
        `                ${formatUsd(s.currentPerHourUsd)}/h -> ${formatUsd(s.recommendedPerHourUsd)}/h: ${report.region} On-Demand, ${s.asOf}`,
      ),
    );
  }
  out.push(
    row(
      "would OOM",
      `${report.wouldRunOutOfMemory} of ${report.measured} measured job(s) peaked above ${mib(recommended.memoryMib)}`,
    ),
  );
  out.push(
    p.paint("dim", `  stack config: workerCpu ${recommended.cpu}, workerMemoryMb ${recommended.memoryMib}`),
  );
  return out;
}

function sizeText(size: TaskSize): string {
  return `${size.cpu / 1024} vCPU, ${size.memoryMib} MiB`;
}

function mib(value: number): string {
  return `${Math.round(value)} MiB`;
}

function pct(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

/** Declares `stats` on the program: its arguments, options, help and action. */
export function registerStatsCommand(program: Command, { run }: Registration): void {
  program
    .command("stats")
    .description(
      "counts per status, success rate, attempts per job, p50/p95 of queue wait and run time; --sizes: task size",
    )
    .option("--since <time>", "start of the window (default: 24h)")
    .option("--until <time>", "end of the window (default: now)")
    .option("--limit <n>", "examine at most this many jobs (the newest)", positiveInt, 1000)
    .option("--page-size <n>", "jobs per index query", positiveInt, 100)
    .option("--sizes", "recommend the worker's CPU and memory from what the succeeded jobs used")
    .option(
      "--cpu <units>",
      "with --sizes: the stack's workerCpu, for jobs whose history records no size",
      positiveInt,
    )
    .option("--memory <MiB>", "with --sizes: the stack's workerMemoryMb (with --cpu)", positiveInt)
    .addHelpText(
      "after",
      `\nOver the jobs submitted in the window. Times: ${TIME_FORMATS}.\nqueue wait: submitted -> first task created; run time: the worker running, summed over attempts.\nsuccess rate: SUCCEEDED of SUCCEEDED + FAILED + TIMED_OUT (cancelled and rejected left out).\n\n--sizes: over the SUCCEEDED jobs in the window, the peak memory and the CPU time the worker recorded for\nits successful attempt. Recommends the smallest Fargate size that covers the p${SIZE_PERCENTILE} of peak memory plus\n${MEMORY_HEADROOM * 100}% and the p${SIZE_PERCENTILE} of vCPUs used (CPU time / run time) plus ${CPU_HEADROOM * 100}%, once ${MIN_MEASURED_JOBS} jobs are measured; shows the\nsaving per job-hour against the size they ran with (On-Demand, the repository's price table) and how\nmany measured jobs would have run out of memory at the recommended size.\n${exitCodes()}\n\nExamples:\n  ${COMMAND} stats --since 7d\n  ${COMMAND} stats --sizes --since 7d\n  ${COMMAND} stats --sizes --since 7d --cpu 1024 --memory 2048 --json`,
    )
    .action((opts, command: Command) => run(command, (ctx) => statsCommand(ctx, opts)));
}
