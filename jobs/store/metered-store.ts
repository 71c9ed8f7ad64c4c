// A JobStore that measures what it stores: after each successful append, the metric points of the events
// appended (metricsOfEvents) go to a Metrics port. Every workflow changes jobs through its store, so
// wrapping the store is the one place metrics are emitted; a conflicting append stored nothing and
// emits nothing (its retry, decided again, emits what it stores). The slot pool reports the running tasks
// against the cap (runningTaskPoints) whenever it is read whole.

import type { SlotPool } from "../capacity/slots";
import { type Metrics, metricsOfEvents, runningTaskPoints } from "../model/metrics";
import { type JobStore, withAfterAppend } from "./store";

export function meteredStore(store: JobStore, metrics: Metrics): JobStore {
  return withAfterAppend(store, (_jobId, events, state) => {
    for (const point of metricsOfEvents(events, state)) metrics.add(point);
  });
}

/**
 * A SlotPool that reports the slots in use against the cap whenever all of them are read (the sweeper's
 * repair, every run): a shard's change alone does not know the total.
 */
export function meteredSlotPool(pool: SlotPool, metrics: Metrics): SlotPool {
  return {
    cap: pool.cap,
    shards: pool.shards,
    acquire: (jobId, now) => pool.acquire(jobId, now),
    release: (jobId) => pool.release(jobId),
    giveBack: (jobId, taken) => pool.giveBack(jobId, taken),
    async holders() {
      const holders = await pool.holders();
      for (const point of runningTaskPoints(holders.size, pool.cap)) metrics.add(point);
      return holders;
    },
    restore: (jobId, now) => pool.restore(jobId, now),
  };
}
