// The cap on running tasks (the stack's `maxRunningTasks`, like AWS Batch's maximum vCPUs): a pool of slots,
// one held by each job that is launching or running. A job takes its slot before its launch is recorded and
// gives it back with the transition that ends the launch (a stop, a failure, a retry, a cancellation):
// `slotReleasingStore` does that for every workflow in one place. Holding is keyed by job id, so taking or
// giving back twice (at-least-once delivery, a crash and a redelivery) counts once: the pool cannot drift.
// What a crash between a change and its release leaves behind, `repairSlots` (the sweeper) puts right.
// The slots are kept in shards of at most SLOTS_PER_SHARD: a store keeps a shard in one small item, so no
// item grows with the cap, and each takes a share of the writes (DynamoDB allows one item 1,000 write units
// a second). A job takes a free slot of any shard, trying them in an order of its own (from a hash of its
// id), so concurrent launchers spread over the shards; it first reads whether it holds one in any shard, so
// a second taker (a duplicate delivery, a second starter) finds it held rather than taking another.

import type { JobEvent, JobEventType } from "../model/events";
import type { JobState, JobStatus } from "../model/state";
import type { Clock, Log } from "../store/ports";
import { type JobStore, withAfterAppend } from "../store/store";

export interface SlotAnswer {
  /** Whether the job holds a slot now. */
  readonly acquired: boolean;
  /** It held it already: another caller took it for the job (and is starting it), or a redelivery. */
  readonly alreadyHeld: boolean;
  /** The shard of the slot taken here (when not held already): what `giveBack` returns. */
  readonly shard?: number;
}

export interface SlotPool {
  /** How many slots there are: the stack's maxRunningTasks. */
  readonly cap: number;
  /** The shards the slots are kept in (slotShards). */
  readonly shards: SlotShards;
  /** Takes a free slot unless all are taken; a holder keeps its slot (idempotent). */
  acquire(jobId: string, now: string): Promise<SlotAnswer>;
  /** Gives the job's slot back, in every shard (nothing if it holds none): its launch has ended. */
  release(jobId: string): Promise<void>;
  /**
   * Gives back the one slot a caller took (`acquire`'s answer) and did not use, and no other: a second
   * taker of the same job (a duplicate delivery) may hold another, which stays the launching job's.
   */
  giveBack(jobId: string, taken: SlotAnswer): Promise<void>;
  /** Every holder, with when it took its slot: the running tasks against the cap. */
  holders(): Promise<ReadonlyMap<string, string>>;
  /**
   * The sweeper found a job launching or running without a slot: it holds one, over the cap if need be.
   * False when it held one after all (taken since the sweeper read the holders).
   */
  restore(jobId: string, now: string): Promise<boolean>;
}

/** The largest cap (a sweep reads every shard). */
export const MAX_RUNNING_TASKS_LIMIT = 5000;

/**
 * Slots one shard holds at most: its item stays near 1.5 KB (about 60 bytes a holder), so a change costs 2
 * write units, and a cap of 500 spreads its launches' 40 changes a second over 20 items.
 */
export const SLOTS_PER_SHARD = 25;

export interface SlotShards {
  /** Slots of each shard; they add up to the cap. */
  readonly caps: readonly number[];
  /** The order in which a job tries the shards: its own shard (a hash of its id) first, then the next ones. */
  probeOrder(jobId: string): number[];
}

/** The cap split into shards of at most SLOTS_PER_SHARD, as evenly as it goes. */
export function slotShards(cap: number): SlotShards {
  const count = Math.max(1, Math.ceil(cap / SLOTS_PER_SHARD));
  const caps = Array.from({ length: count }, (_, i) => Math.floor(cap / count) + (i < cap % count ? 1 : 0));
  return {
    caps,
    probeOrder(jobId) {
      let hash = 2166136261; // FNV-1a: spreads similar ids (job-1, job-2) over the shards
      for (const char of jobId) hash = Math.imul(hash ^ (char.codePointAt(0) ?? 0), 16777619) >>> 0;
      return caps.map((_, i) => (hash + i) % count);
    },
  };
}

/** The statuses in which a job holds a slot: its task is being launched or may be running. */
export const SLOT_STATUSES = ["LAUNCHING", "LAUNCHED", "RUNNING"] as const satisfies readonly JobStatus[];

export function holdsSlot(state: JobState): boolean {
  return (SLOT_STATUSES as readonly string[]).includes(state.status);
}

/**
 * Events with which a launch ends: every transition out of a slot-holding status appends one of them (or
 * a JobWaiting for a throttled launch, back in line).
 * A change that appends one and leaves the job without a slot gives the slot back.
 */
const LAUNCH_ENDING_EVENTS: ReadonlySet<JobEventType> = new Set<JobEventType>([
  "TaskLaunchFailed",
  "TaskStopped",
  "TaskLost",
  "JobSucceeded",
  "JobFailed",
  "JobTimedOut",
  "JobCancelled",
]);

export function endsLaunch(events: readonly JobEvent[], after: JobState): boolean {
  const ending = (event: JobEvent) =>
    LAUNCH_ENDING_EVENTS.has(event.type) || (event.type === "JobWaiting" && event.throttled === true);
  return !holdsSlot(after) && events.some(ending);
}

/**
 * The store every workflow that runs with the cap changes jobs through: a change that ends a job's launch
 * gives its slot back once it is stored. A crash between the two leaves the slot held until the sweeper's
 * `repairSlots` sees the job no longer launching or running.
 */
export function slotReleasingStore(store: JobStore, slots: SlotPool): JobStore {
  return withAfterAppend(store, async (jobId, events, state) => {
    if (endsLaunch(events, state)) await slots.release(jobId);
  });
}

/** A slot taken this recently may belong to a launch about to be recorded: repair leaves it alone. */
export const SLOT_REPAIR_GRACE_SECONDS = 120;

export interface SlotRepair {
  /** Held by jobs no longer launching or running (a crash after the change, before the release). */
  readonly released: readonly string[];
  /** Jobs launching or running that held no slot (a lost write): counted again. */
  readonly restored: readonly string[];
  /** Slots held after the repair. */
  readonly inUse: number;
}

/**
 * Makes the pool agree with the jobs actually in flight, from the status index (no scan): a holder whose
 * job is not launching or running (read back one by one, consistently) gives its slot back, and a job in
 * flight without a slot gets one.
 */
export async function repairSlots(
  deps: { readonly store: JobStore; readonly slots: SlotPool; readonly clock: Clock; readonly log: Log },
  graceSeconds = SLOT_REPAIR_GRACE_SECONDS,
): Promise<SlotRepair> {
  const now = deps.clock();
  const holders = await deps.slots.holders();
  const inFlight = new Set<string>();
  for (const status of SLOT_STATUSES) {
    let cursor: string | undefined;
    do {
      const page = await deps.store.listByStatus(status, { limit: 100, ...(cursor ? { cursor } : {}) });
      for (const job of page.jobs) inFlight.add(job.jobId);
      cursor = page.cursor;
    } while (cursor !== undefined);
  }
  const released: string[] = [];
  const cutoff = Date.parse(now) - graceSeconds * 1000;
  for (const [jobId, since] of holders) {
    if (inFlight.has(jobId) || Date.parse(since) > cutoff) continue;
    const stored = await deps.store.get(jobId); // the index may lag: the item says for sure
    if (stored !== undefined && holdsSlot(stored.state)) continue;
    await deps.slots.release(jobId);
    released.push(jobId);
  }
  const restored: string[] = [];
  for (const jobId of inFlight) {
    if (holders.has(jobId)) continue;
    const stored = await deps.store.get(jobId);
    if (stored === undefined || !holdsSlot(stored.state)) continue;
    if (await deps.slots.restore(jobId, now)) restored.push(jobId);
  }
  const inUse = holders.size - released.length + restored.length;
  if (released.length > 0 || restored.length > 0)
    deps.log.warn("running-task slots repaired", { released, restored, inUse, cap: deps.slots.cap });
  return { released, restored, inUse };
}
