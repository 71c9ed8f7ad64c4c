// An in-memory JobStore with the same semantics as the DynamoDB one (conditional append, newest-first
// listings, opaque cursors), for tests of the model and workflows that need no database.

import { ConcurrencyConflictError } from "./errors";
import type { JobEvent } from "./events";
import type { JobState, JobStatus } from "./state";
import type { JobPage, JobStore, PageRequest, StoredJob, TimeWindow } from "./store";

export class MemoryJobStore implements JobStore {
  private readonly jobs = new Map<string, StoredJob>();

  async get(jobId: string): Promise<StoredJob | undefined> {
    return this.jobs.get(jobId);
  }

  async append(
    jobId: string,
    expectedVersion: number,
    events: readonly JobEvent[],
    state: JobState,
  ): Promise<void> {
    const stored = this.jobs.get(jobId);
    if ((stored?.version ?? 0) !== expectedVersion)
      throw new ConcurrencyConflictError(jobId, expectedVersion);
    this.jobs.set(jobId, {
      state,
      events: [...(stored?.events ?? []), ...events],
      version: expectedVersion + 1,
    });
  }

  async listByStatus(status: JobStatus, page: PageRequest, window?: TimeWindow): Promise<JobPage> {
    const matching = [...this.jobs.values()]
      .map((job) => job.state)
      .filter((job) => job.status === status && within(job.updatedAt, window));
    return paginate(matching, (job) => job.updatedAt ?? "", page);
  }

  async listBySubmission(window: TimeWindow, page: PageRequest): Promise<JobPage> {
    const matching = [...this.jobs.values()]
      .map((job) => job.state)
      .filter((job) => within(job.submittedAt, window));
    return paginate(matching, (job) => job.submittedAt ?? "", page);
  }
}

function within(time: string | undefined, window: TimeWindow | undefined): boolean {
  if (window === undefined) return true;
  return time !== undefined && time >= window.from && time <= window.to;
}

function paginate(jobs: JobState[], sortKey: (job: JobState) => string, page: PageRequest): JobPage {
  const newestFirst = (a: JobState, b: JobState) =>
    sortKey(b).localeCompare(sortKey(a)) || b.jobId.localeCompare(a.jobId);
  const sorted = jobs.sort(page.oldestFirst ? (a, b) => newestFirst(b, a) : newestFirst);
  const start = page.cursor === undefined ? 0 : Number(page.cursor);
  const slice = sorted.slice(start, start + page.limit);
  const next = start + page.limit;
  return next < sorted.length ? { jobs: slice, cursor: String(next) } : { jobs: slice };
}
