// An in-memory JobStore with the same semantics as the DynamoDB one (conditional append, newest-first
// listings, opaque cursors), for tests of the model and workflows that need no database.

import { ConcurrencyConflictError } from "../../model/errors";
import type { JobEvent } from "../../model/events";
import type { JobState, JobStatus } from "../../model/state";
import type { JobPage, JobStore, PageRequest, StoredJob, TimeWindow } from "../../store/store";

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

/** Where a job stands in a listing: its sort key, then its id (as an index's range key, then the table's). */
type Position = readonly [key: string, jobId: string];

function paginate(jobs: JobState[], sortKey: (job: JobState) => string, page: PageRequest): JobPage {
  const newestFirst = (a: Position, b: Position) => b[0].localeCompare(a[0]) || b[1].localeCompare(a[1]);
  const order = page.oldestFirst ? (a: Position, b: Position) => newestFirst(b, a) : newestFirst;
  const position = (job: JobState): Position => [sortKey(job), job.jobId];
  // The cursor is the position of the last job returned, as DynamoDB's LastEvaluatedKey is: jobs that left
  // the listing meanwhile shift nothing (an offset would skip as many jobs as had left).
  const after = page.cursor === undefined ? undefined : readCursor(page.cursor);
  const rest = jobs
    .filter((job) => after === undefined || order(position(job), after) > 0)
    .sort((a, b) => order(position(a), position(b)));
  const slice = rest.slice(0, page.limit);
  const last = slice.at(-1);
  return last !== undefined && rest.length > slice.length
    ? { jobs: slice, cursor: Buffer.from(JSON.stringify(position(last))).toString("base64url") }
    : { jobs: slice };
}

function readCursor(cursor: string): Position {
  let position: unknown;
  try {
    position = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    position = undefined;
  }
  const [key, jobId] = Array.isArray(position) ? position : [];
  if (typeof key !== "string" || typeof jobId !== "string")
    throw new Error(`not a cursor of this listing: "${cursor}"`);
  return [key, jobId];
}
