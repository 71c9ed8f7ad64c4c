// The capacity of one process, in memory: a SlotPool with the DynamoDB one's semantics (idempotent per job,
// the cap checked atomically) and the launch rate, for tests, benchmarks and simulations of the model.

import type { Capacity } from "../../capacity/admission";
import { type LaunchRateLimits, MAX_LAUNCH_WAIT_MS, MemoryLaunchRate } from "../../capacity/launch-rate";
import { type SlotAnswer, type SlotPool, type SlotShards, slotShards } from "../../capacity/slots";
import { realSleep, type Sleep } from "../../store/ports";

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
  readonly shards: SlotShards;
  private readonly held: Array<Map<string, string>>;

  constructor(readonly cap: number) {
    this.shards = slotShards(cap);
    this.held = this.shards.caps.map(() => new Map());
  }

  async acquire(jobId: string, now: string): Promise<SlotAnswer> {
    if (this.held.some((held) => held.has(jobId))) return { acquired: true, alreadyHeld: true };
    for (const shard of this.shards.probeOrder(jobId)) {
      const held = this.held[shard] as Map<string, string>;
      if (held.size >= (this.shards.caps[shard] ?? 0)) continue;
      held.set(jobId, now);
      return { acquired: true, alreadyHeld: false, shard };
    }
    return { acquired: false, alreadyHeld: false };
  }

  async release(jobId: string): Promise<void> {
    for (const held of this.held) held.delete(jobId);
  }

  async giveBack(jobId: string, taken: SlotAnswer): Promise<void> {
    if (taken.shard !== undefined) this.held[taken.shard]?.delete(jobId);
  }

  async holders(): Promise<ReadonlyMap<string, string>> {
    return new Map(this.held.flatMap((held) => [...held]));
  }

  async restore(jobId: string, now: string): Promise<boolean> {
    if (this.held.some((held) => held.has(jobId))) return false;
    const [home = 0] = this.shards.probeOrder(jobId);
    this.held[home]?.set(jobId, now);
    return true;
  }
}
