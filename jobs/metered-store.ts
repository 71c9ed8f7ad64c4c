// A JobStore that measures what it stores: after each successful append, the metric points of the events
// appended (metricsOfEvents) go to a Metrics port. Every workflow changes jobs through its store, so
// wrapping the store is the one place metrics are emitted; a conflicting append stored nothing and
// emits nothing (its retry, decided again, emits what it stores). Likewise the slot pool: each slot taken
// or given back reports the running tasks against the cap (runningTaskPoints).

import type { JobEvent } from "./events";
import { type Metrics, metricsOfEvents, runningTaskPoints } from "./metrics";
import type { SlotPool } from "./slots";
import type { JobState, JobStatus } from "./state";
import type { JobPage, JobStore, PageRequest, StoredJob, TimeWindow } from "./store";

export function meteredStore(store: JobStore, metrics: Metrics): JobStore {
  return new MeteredJobStore(store, metrics);
}

class MeteredJobStore implements JobStore {
  constructor(
    private readonly store: JobStore,
    private readonly metrics: Metrics,
  ) {}

  get(jobId: string): Promise<StoredJob | undefined> {
    return this.store.get(jobId);
  }

  async append(
    jobId: string,
    expectedVersion: number,
    events: readonly JobEvent[],
    state: JobState,
  ): Promise<void> {
    await this.store.append(jobId, expectedVersion, events, state);
    for (const point of metricsOfEvents(events, state)) this.metrics.add(point);
  }

  listByStatus(status: JobStatus, page: PageRequest, window?: TimeWindow): Promise<JobPage> {
    return this.store.listByStatus(status, page, window);
  }

  listBySubmission(window: TimeWindow, page: PageRequest): Promise<JobPage> {
    return this.store.listBySubmission(window, page);
  }
}

/** A SlotPool that reports the slots in use against the cap whenever one is taken or given back. */
export function meteredSlotPool(pool: SlotPool, metrics: Metrics): SlotPool {
  const report = (inUse: number) => {
    for (const point of runningTaskPoints(inUse, pool.cap)) metrics.add(point);
  };
  return {
    cap: pool.cap,
    async acquire(jobId, now) {
      const answer = await pool.acquire(jobId, now);
      report(answer.inUse);
      return answer;
    },
    async release(jobId) {
      const inUse = await pool.release(jobId);
      report(inUse);
      return inUse;
    },
    holders: () => pool.holders(),
    restore: (jobId, now) => pool.restore(jobId, now),
  };
}
