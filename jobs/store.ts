// The job store port: where histories live, and the one way they change. `changeJob` reads a job, decides,
// and appends the new events together with the folded state in one conditional write; when another writer
// got there first it re-reads and decides again, a bounded number of times.

import { ConcurrencyConflictError, TooManyConflictsError } from "./errors.js";
import type { JobEvent } from "./events.js";
import { evolve, foldEvents, type JobState, type JobStatus } from "./state.js";

export interface StoredJob {
  readonly state: JobState;
  readonly events: readonly JobEvent[];
  /** Number of writes so far; the condition of the next one. 0 for a job not stored yet. */
  readonly version: number;
}

export interface JobPage {
  /** Newest first. */
  readonly jobs: readonly JobState[];
  /** Pass back to get the next page; absent on the last page. */
  readonly cursor?: string;
}

export interface PageRequest {
  readonly limit: number;
  readonly cursor?: string;
}

export interface TimeWindow {
  /** Inclusive bounds, ISO-8601. */
  readonly from: string;
  readonly to: string;
}

export interface JobStore {
  get(jobId: string): Promise<StoredJob | undefined>;
  /**
   * Appends events and stores `state` (their fold over the stored history) if the job is still at
   * `expectedVersion`; throws ConcurrencyConflictError otherwise.
   */
  append(jobId: string, expectedVersion: number, events: readonly JobEvent[], state: JobState): Promise<void>;
  /** Jobs in one status, most recently changed first, optionally only those changed within a window. */
  listByStatus(status: JobStatus, page: PageRequest, window?: TimeWindow): Promise<JobPage>;
  /** Jobs submitted within a window, newest first. */
  listBySubmission(window: TimeWindow, page: PageRequest): Promise<JobPage>;
}

export interface JobChange {
  readonly before: JobState;
  readonly after: JobState;
  /** The events this change appended (empty when the decision was "nothing to do"). */
  readonly events: readonly JobEvent[];
  /** The whole history after the change. */
  readonly history: readonly JobEvent[];
}

export const DEFAULT_MAX_TRIES = 8;

export async function changeJob(
  store: JobStore,
  jobId: string,
  decision: (state: JobState) => JobEvent[],
  maxTries = DEFAULT_MAX_TRIES,
): Promise<JobChange> {
  for (let tries = 1; tries <= maxTries; tries++) {
    const stored = await store.get(jobId);
    const before = stored?.state ?? foldEvents(jobId, []);
    const history = stored?.events ?? [];
    const events = decision(before);
    if (events.length === 0) return { before, after: before, events, history };
    const after = events.reduce(evolve, before);
    try {
      await store.append(jobId, stored?.version ?? 0, events, after);
      return { before, after, events, history: [...history, ...events] };
    } catch (error) {
      if (!(error instanceof ConcurrencyConflictError)) throw error;
    }
  }
  throw new TooManyConflictsError(jobId, maxTries);
}
