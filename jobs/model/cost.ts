// What one attempt cost on Fargate, from its STOPPED event: billed per second with a one-minute minimum,
// from the start of the image pull until the task stopped, for the task's vCPU and memory (overrides
// included: ECS reports the task-level size it ran with), its CPU architecture, Spot or On-Demand, and the
// ephemeral storage above the free 20 GiB. Pure; prices come from fargate-prices.ts or the stack's override.

import type { AttemptCost, JobEvent, TaskTimings } from "./events";
import { chargedRates, type FargatePrices, FREE_EPHEMERAL_STORAGE_GIB, pricesFor } from "./fargate-prices";

export type CpuArchitecture = AttemptCost["architecture"];

/** What ECS says about the task's size and placement (the event's task-level fields). */
export interface TaskResources {
  /** CPU units (1024 = 1 vCPU). */
  readonly cpuUnits: number;
  readonly memoryMib: number;
  /** `ephemeralStorage.sizeInGiB`; absent means Fargate's default, the free 20 GiB. */
  readonly ephemeralStorageGib?: number;
  /** `capacityProviderName`; absent for a launch type without a capacity provider (On-Demand). */
  readonly capacityProviderName?: string;
  /** From the event's `ecs.cpu-architecture` attribute, when present. */
  readonly architecture?: CpuArchitecture;
}

export interface CostSettings {
  /** The task definition's architecture: used when the event does not name one. */
  readonly architecture: CpuArchitecture;
  /** The stack's price override; otherwise the repository's table for the task's region. */
  readonly prices?: FargatePrices;
}

/** Billing starts when the image pull starts; an event without it falls back to the task's start. */
export function billedSeconds(timings: TaskTimings): number | undefined {
  const from = timings.pullStartedAt ?? timings.startedAt;
  const to = timings.stoppedAt ?? timings.executionStoppedAt;
  if (to === undefined) return undefined;
  if (from === undefined) return 0; // stopped before pulling its image: nothing was provisioned to bill
  const seconds = Math.ceil((Date.parse(to) - Date.parse(from)) / 1000);
  if (Number.isNaN(seconds)) return undefined;
  return Math.max(60, seconds);
}

/**
 * The attempt's cost, or undefined when the stop time or the region's prices are unknown (no entry, or none
 * for the task's architecture, or none for the ephemeral storage it had above 20 GiB).
 */
export function attemptCost(
  task: { readonly taskArn: string; readonly timings: TaskTimings; readonly resources: TaskResources },
  settings: CostSettings,
): AttemptCost | undefined {
  const region = regionOfArn(task.taskArn);
  const seconds = billedSeconds(task.timings);
  const table = region === undefined ? undefined : pricesFor(region, settings.prices);
  if (region === undefined || seconds === undefined || table === undefined) return undefined;
  const { resources } = task;
  const architecture = resources.architecture ?? settings.architecture;
  const spot = resources.capacityProviderName === "FARGATE_SPOT";
  const rates = chargedRates(table, architecture, spot);
  const extraStorageGib = Math.max(
    0,
    (resources.ephemeralStorageGib ?? FREE_EPHEMERAL_STORAGE_GIB) - FREE_EPHEMERAL_STORAGE_GIB,
  );
  // A price the region's entry lacks is not guessed: the attempt records no cost.
  if (rates === undefined || (extraStorageGib > 0 && table.storageGbHour === undefined)) return undefined;
  const spotSource = rates.spotPrice && table.spot !== undefined;
  const prices = {
    region,
    asOf: spotSource ? table.spot.asOf : table.asOf,
    source: spotSource ? `${table.source}; Spot: ${table.spot.source}` : table.source,
    vcpuHour: roundUsd(rates.vcpuHour),
    gbHour: roundUsd(rates.gbHour),
    ...(table.storageGbHour === undefined ? {} : { storageGbHour: table.storageGbHour }),
  };
  const vcpu = resources.cpuUnits / 1024;
  const memoryGb = resources.memoryMib / 1024;
  const perHour =
    vcpu * prices.vcpuHour + memoryGb * prices.gbHour + extraStorageGib * (prices.storageGbHour ?? 0);
  return {
    usd: roundUsd((perHour * seconds) / 3600),
    billedSeconds: seconds,
    vcpu,
    memoryGb,
    extraStorageGib,
    architecture,
    capacityProvider: spot ? "FARGATE_SPOT" : "FARGATE",
    prices,
  };
}

/** The attempts' costs of a history, in order, and their sum. */
export function sumCosts(costs: readonly AttemptCost[]): number {
  return roundUsd(costs.reduce((total, cost) => total + cost.usd, 0));
}

/** Nano-dollar precision: enough for per-second prices, without binary-float noise in stored histories. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e9) / 1e9;
}

function regionOfArn(arn: string): string | undefined {
  const region = arn.split(":")[3];
  return region === undefined || region === "" ? undefined : region;
}

export interface JobCost {
  /** Each stopped attempt's cost, in the order the attempts stopped. */
  readonly attempts: ReadonlyArray<{ readonly attempt: number; readonly cost: AttemptCost }>;
  readonly totalUsd: number;
  /** Stopped attempts that carry no cost (no size in the event, or no price for the region). */
  readonly unpriced: number;
}

/** The cost of a job so far, from its history's TaskStopped events. */
export function jobCost(events: readonly JobEvent[]): JobCost {
  const attempts: Array<{ attempt: number; cost: AttemptCost }> = [];
  let unpriced = 0;
  for (const event of events) {
    if (event.type !== "TaskStopped") continue;
    if (event.cost === undefined) unpriced++;
    else attempts.push({ attempt: event.attempt, cost: event.cost });
  }
  return { attempts, totalUsd: sumCosts(attempts.map((a) => a.cost)), unpriced };
}

/** Dollars with the digits that matter: $12.34, $0.008228, $0.00000327 (per-job service estimates). */
export function formatUsd(usd: number): string {
  if (usd >= 1) return `$${usd.toFixed(2)}`;
  if (usd === 0 || usd >= 0.001) return `$${usd.toFixed(6)}`;
  return `$${usd < 1e-6 ? usd.toFixed(9) : usd.toPrecision(3)}`;
}
