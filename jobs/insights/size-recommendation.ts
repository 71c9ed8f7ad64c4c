// Sizes from history (`jobs stats --sizes`): what the recent successful jobs used — the worker's peak memory
// and CPU time of its whole process tree, recorded on TaskStopped from its outcome file — against the size
// they ran with, and the Fargate size that would have served them: the 95th percentile of peak memory and of
// vCPUs used, each with 25 % headroom, rounded up to a valid Fargate CPU/memory pair of AWS's table
// (task-size.ts). Pure: callers choose the jobs and pass their histories; prices come from fargate-prices.ts.

import type { AttemptCost, JobEvent, TaskLaunchRequested, TaskStopped } from "../model/events";
import { chargedRates, type FargatePrices } from "../model/fargate-prices";
import { FARGATE_CPU_SIZES, fargateMemoryOptions, type TaskSize } from "../model/task-size";
import { type JobHistory, percentile } from "./stats";

/** The percentile of peak memory and of vCPUs used the recommendation covers: 1 job in 20 may exceed it. */
export const SIZE_PERCENTILE = 95;
/** Memory added above that percentile: a peak that varies with the input needs room, and OOM kills a job. */
export const MEMORY_HEADROOM = 0.25;
/** CPU added above that percentile: less CPU only slows a job, but the measure is an average over its run. */
export const CPU_HEADROOM = 0.25;
/** Below this many measured jobs a percentile says little: the report shows them but recommends nothing. */
export const MIN_MEASURED_JOBS = 10;

/** What one successful attempt used, and the size it ran with when the history says. */
export interface SizeMeasurement {
  readonly jobId: string;
  /** Peak resident memory of the whole process tree, MiB. */
  readonly peakMemoryMb: number;
  /** CPU time over the attempt's run time (the container running); absent when either is unknown. */
  readonly vcpusUsed?: number;
  /**
   * The size the attempt's launch recorded (TaskLaunchRequested), else the one its recorded cost gives (ECS's
   * task-level size); absent when neither does (a launch recorded before launches had sizes, and no price).
   */
  readonly size?: TaskSize;
  /** From the attempt's recorded cost; absent when no cost was recorded (no price for the task). */
  readonly architecture?: AttemptCost["architecture"];
  /** The region whose prices the attempt's cost used. */
  readonly region?: string;
}

export interface Measurements {
  readonly measured: readonly SizeMeasurement[];
  /** Succeeded jobs whose successful attempt carries no peak memory (an older worker, or no /proc). */
  readonly unmeasured: number;
}

/** The succeeded jobs' successful attempts and what they used. Other jobs are not looked at. */
export function sizeMeasurements(histories: readonly JobHistory[]): Measurements {
  const measured: SizeMeasurement[] = [];
  let unmeasured = 0;
  for (const { state, events } of histories) {
    if (state.status !== "SUCCEEDED") continue;
    const stop = successfulStop(events);
    const peak = stop?.workerOutcome?.peakMemoryMb;
    if (stop === undefined || peak === undefined) {
      unmeasured++;
      continue;
    }
    const vcpus = vcpusUsed(stop);
    const size = launchOf(events, stop.attempt)?.size ?? costSize(stop);
    measured.push({
      jobId: state.jobId,
      peakMemoryMb: peak,
      ...(vcpus === undefined ? {} : { vcpusUsed: vcpus }),
      ...(size === undefined ? {} : { size }),
      ...(stop.cost === undefined
        ? {}
        : { architecture: stop.cost.architecture, region: stop.cost.prices.region }),
    });
  }
  return { measured, unmeasured };
}

/** The stop of the attempt that succeeded: the last TaskStopped without a failure. */
function successfulStop(events: readonly JobEvent[]): TaskStopped | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i];
    if (event?.type === "TaskStopped" && event.failure === undefined) return event;
  }
  return undefined;
}

/** The launch of `attempt`: its last TaskLaunchRequested (a resumed launch records the same request). */
function launchOf(events: readonly JobEvent[], attempt: number): TaskLaunchRequested | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i];
    if (event?.type === "TaskLaunchRequested" && event.attempt === attempt) return event;
  }
  return undefined;
}

/** The task-level size ECS reported, as the attempt's cost recorded it. */
function costSize(stop: TaskStopped): TaskSize | undefined {
  if (stop.cost === undefined) return undefined;
  return { cpu: Math.round(stop.cost.vcpu * 1024), memoryMib: Math.round(stop.cost.memoryGb * 1024) };
}

/** CPU seconds over the seconds the container ran (started -> execution stopped). */
function vcpusUsed(stop: TaskStopped): number | undefined {
  const cpuSeconds = stop.workerOutcome?.cpuSeconds;
  const from = stop.timings.startedAt;
  const to = stop.timings.executionStoppedAt ?? stop.timings.stoppedAt;
  if (cpuSeconds === undefined || from === undefined || to === undefined) return undefined;
  const seconds = (Date.parse(to) - Date.parse(from)) / 1000;
  return Number.isFinite(seconds) && seconds > 0 ? cpuSeconds / seconds : undefined;
}

/**
 * The smallest Fargate size with at least `memoryMib` of memory and `vcpus` of CPU: the smallest CPU that
 * covers both (a larger CPU only raises the memory floor and the price), then its smallest memory that
 * covers the need. Undefined past the table's largest size.
 */
export function smallestFargateSize(memoryMib: number, vcpus: number): TaskSize | undefined {
  for (const cpu of FARGATE_CPU_SIZES) {
    if (cpu < vcpus * 1024) continue;
    const memory = fargateMemoryOptions(cpu).find((option) => option >= memoryMib);
    if (memory !== undefined) return { cpu, memoryMib: memory };
  }
  return undefined;
}

/** What the size needs to cover: the percentiles, and those with headroom. */
export interface SizeNeed {
  readonly peakMemoryP95Mb: number;
  readonly memoryNeededMib: number;
  /** Absent when no measured job gave its CPU time. */
  readonly vcpusP95?: number;
  readonly vcpusNeeded: number;
}

/** The need of a set of measurements (at least one). */
export function sizeNeed(measured: readonly SizeMeasurement[]): SizeNeed {
  if (measured.length === 0) throw new Error("no measurements to size from");
  const memory = [...measured.map((m) => m.peakMemoryMb)].sort((a, b) => a - b);
  const cpu = measured.flatMap((m) => (m.vcpusUsed === undefined ? [] : [m.vcpusUsed])).sort((a, b) => a - b);
  const peakMemoryP95Mb = percentile(memory, SIZE_PERCENTILE);
  const vcpusP95 = cpu.length === 0 ? undefined : percentile(cpu, SIZE_PERCENTILE);
  return {
    peakMemoryP95Mb,
    memoryNeededMib: peakMemoryP95Mb * (1 + MEMORY_HEADROOM),
    ...(vcpusP95 === undefined ? {} : { vcpusP95 }),
    vcpusNeeded: (vcpusP95 ?? 0) * (1 + CPU_HEADROOM),
  };
}

/** On-Demand USD per hour of a size (vCPU and memory; storage is not part of the size); undefined without
 * a price for the architecture. */
export function hourlyPrice(
  size: TaskSize,
  prices: FargatePrices,
  architecture: AttemptCost["architecture"],
): number | undefined {
  const rate = chargedRates(prices, architecture, false);
  if (rate === undefined) return undefined;
  return (size.cpu / 1024) * rate.vcpuHour + (size.memoryMib / 1024) * rate.gbHour;
}

export interface SizeRecommendationInput {
  readonly measurements: Measurements;
  /** The stack's size, for jobs whose history records none (the CLI's --cpu/--memory). */
  readonly stackSize?: TaskSize;
  /** The region to price in when no recorded cost names one. */
  readonly region?: string;
  readonly architecture?: AttemptCost["architecture"];
  /** The prices of a region (fargate-prices.ts's pricesFor); undefined when there are none. */
  readonly pricesFor: (region: string) => FargatePrices | undefined;
}

export interface SizeRecommendation {
  readonly measured: number;
  readonly unmeasured: number;
  /** Measured jobs that gave their CPU time. */
  readonly cpuMeasured: number;
  readonly peakMemoryMb?: { readonly p50: number; readonly p95: number; readonly max: number };
  readonly vcpusUsed?: { readonly p50: number; readonly p95: number; readonly max: number };
  /** The size most measured jobs ran with (as their history records it), else the stack's size given. */
  readonly current?: TaskSize;
  /** Measured jobs that ran with another size than `current` (an out-of-memory retry's larger size, say). */
  readonly otherSizes: number;
  readonly architecture: AttemptCost["architecture"];
  readonly region?: string;
  /** Why there is no recommendation (too few measured jobs, beyond Fargate's largest size). */
  readonly noRecommendation?: string;
  readonly need?: SizeNeed;
  readonly recommended?: TaskSize;
  /** Measured jobs whose peak memory is above the recommended memory: they would have run out of it. */
  readonly wouldRunOutOfMemory?: number;
  /** Against the current size, On-Demand, per hour a job runs; absent without prices or a current size. */
  readonly saving?: {
    readonly currentPerHourUsd: number;
    readonly recommendedPerHourUsd: number;
    readonly perJobHourUsd: number;
    /** Of the current size's price; negative when the recommendation is larger. */
    readonly percent: number;
    readonly asOf: string;
  };
  /** Set when the region (or none is known) has no prices for the architecture, so no saving can be given. */
  readonly noPrices?: string;
}

export function recommendSize(input: SizeRecommendationInput): SizeRecommendation {
  const { measured, unmeasured } = input.measurements;
  const current = mostCommonSize(measured) ?? input.stackSize;
  const otherSizes =
    current === undefined
      ? 0
      : measured.filter((m) => m.size !== undefined && !sameSize(m.size, current)).length;
  const architecture = mostCommon(measured.map((m) => m.architecture)) ?? input.architecture ?? "X86_64";
  const region = mostCommon(measured.map((m) => m.region)) ?? input.region;
  const cpuValues = measured.flatMap((m) => (m.vcpusUsed === undefined ? [] : [m.vcpusUsed]));
  const base = {
    measured: measured.length,
    unmeasured,
    cpuMeasured: cpuValues.length,
    ...summary(
      "peakMemoryMb",
      measured.map((m) => m.peakMemoryMb),
    ),
    ...summary("vcpusUsed", cpuValues),
    ...(current === undefined ? {} : { current }),
    otherSizes,
    architecture,
    ...(region === undefined ? {} : { region }),
  };
  if (measured.length < MIN_MEASURED_JOBS) {
    return {
      ...base,
      noRecommendation: `${measured.length} measured job(s); a recommendation needs at least ${MIN_MEASURED_JOBS}`,
    };
  }
  const need = sizeNeed(measured);
  const recommended = smallestFargateSize(need.memoryNeededMib, need.vcpusNeeded);
  if (recommended === undefined) {
    return {
      ...base,
      need,
      noRecommendation: "the need is beyond Fargate's largest size",
    };
  }
  const wouldRunOutOfMemory = measured.filter((m) => m.peakMemoryMb > recommended.memoryMib).length;
  const prices = region === undefined ? undefined : input.pricesFor(region);
  const currentPerHourUsd =
    prices === undefined || current === undefined ? undefined : hourlyPrice(current, prices, architecture);
  const recommendedPerHourUsd =
    prices === undefined ? undefined : hourlyPrice(recommended, prices, architecture);
  const noPrices =
    region === undefined
      ? "no region known"
      : prices === undefined
        ? `no prices for ${region}`
        : recommendedPerHourUsd === undefined
          ? `no ${architecture} prices for ${region}`
          : undefined;
  let saving: SizeRecommendation["saving"];
  if (prices !== undefined && currentPerHourUsd !== undefined && recommendedPerHourUsd !== undefined) {
    saving = {
      currentPerHourUsd,
      recommendedPerHourUsd,
      perJobHourUsd: currentPerHourUsd - recommendedPerHourUsd,
      percent: ((currentPerHourUsd - recommendedPerHourUsd) / currentPerHourUsd) * 100,
      asOf: prices.asOf,
    };
  }
  return {
    ...base,
    need,
    recommended,
    wouldRunOutOfMemory,
    ...(saving === undefined ? {} : { saving }),
    ...(noPrices === undefined ? {} : { noPrices }),
  };
}

function summary<K extends string>(
  key: K,
  values: readonly number[],
): Partial<Record<K, { p50: number; p95: number; max: number }>> {
  if (values.length === 0) return {};
  const sorted = [...values].sort((a, b) => a - b);
  const stats = {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, SIZE_PERCENTILE),
    max: sorted[sorted.length - 1] as number,
  };
  return { [key]: stats } as Partial<Record<K, { p50: number; p95: number; max: number }>>;
}

function sameSize(a: TaskSize, b: TaskSize): boolean {
  return a.cpu === b.cpu && a.memoryMib === b.memoryMib;
}

function mostCommonSize(measured: readonly SizeMeasurement[]): TaskSize | undefined {
  const key = mostCommon(
    measured.map((m) => (m.size === undefined ? undefined : `${m.size.cpu}/${m.size.memoryMib}`)),
  );
  if (key === undefined) return undefined;
  const [cpu, memoryMib] = key.split("/").map(Number);
  return { cpu: cpu as number, memoryMib: memoryMib as number };
}

/** The most frequent defined value; ties go to the one seen first. */
function mostCommon<T>(values: readonly (T | undefined)[]): T | undefined {
  const counts = new Map<T, number>();
  for (const value of values) if (value !== undefined) counts.set(value, (counts.get(value) ?? 0) + 1);
  let best: T | undefined;
  let bestCount = 0;
  for (const [value, count] of counts) {
    if (count > bestCount) {
      best = value;
      bestCount = count;
    }
  }
  return best;
}
