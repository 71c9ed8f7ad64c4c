// The capacity of one process, in memory: a SlotPool with the DynamoDB one's semantics (idempotent per job,
// the cap checked atomically) and the launch rate, for tests, benchmarks and simulations of the model.

import type { Capacity } from "./admission";
import { type LaunchRateLimits, MAX_LAUNCH_WAIT_MS, MemoryLaunchRate } from "./launch-rate";
import { realSleep, type Sleep } from "./ports";
import type { SlotAnswer, SlotPool } from "./slots";

/** Limits no test or simulation reaches unless it means to. */
export const UNBOUNDED_LAUNCH_RATE: LaunchRateLimits = { ratePerSecond: 1_000_000, burst: 1_000_000 };

export function memoryCapacity(
  options: {
    readonly cap?: number;
    readonly limits?: LaunchRateLimits;
    readonly sleep?: Sleep;
    readonly maxLaunchWaitMs?: number;
  } = {},
): Capacity & { readonly slots: MemorySlotPool } {
  return {
    slots: new MemorySlotPool(options.cap ?? 100_000),
    launchRate: new MemoryLaunchRate(options.limits ?? UNBOUNDED_LAUNCH_RATE),
    sleep: options.sleep ?? realSleep,
    maxLaunchWaitMs: options.maxLaunchWaitMs ?? MAX_LAUNCH_WAIT_MS,
  };
}

export class MemorySlotPool implements SlotPool {
  private readonly held = new Map<string, string>();

  constructor(readonly cap: number) {}

  async acquire(jobId: string, now: string): Promise<SlotAnswer> {
    if (!this.held.has(jobId) && this.held.size >= this.cap)
      return { acquired: false, inUse: this.held.size };
    if (!this.held.has(jobId)) this.held.set(jobId, now);
    return { acquired: true, inUse: this.held.size };
  }

  async release(jobId: string): Promise<number> {
    this.held.delete(jobId);
    return this.held.size;
  }

  async holders(): Promise<ReadonlyMap<string, string>> {
    return new Map(this.held);
  }

  async restore(jobId: string, now: string): Promise<void> {
    if (!this.held.has(jobId)) this.held.set(jobId, now);
  }
}
