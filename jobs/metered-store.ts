// A JobStore that measures what it stores: after each successful append, the metric points of the events
// appended (metricsOfEvents) go to a Metrics port. Every workflow changes jobs through its store, so
// wrapping the store is the one place metrics are emitted; a conflicting append stored nothing and
// emits nothing (its retry, decided again, emits what it stores).

import type { JobEvent } from "./events";
import { type Metrics, metricsOfEvents } from "./metrics";
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
