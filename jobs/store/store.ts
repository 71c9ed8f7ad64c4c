// The job store port: where histories live, and the one way they change. `changeJob` reads a job, decides,
// and appends the new events together with the folded state in one conditional write; when another writer
// got there first it re-reads and decides again, a bounded number of times.

import { ConcurrencyConflictError, TooManyConflictsError } from "../model/errors";
import type { JobEvent } from "../model/events";
import { evolve, foldEvents, type JobState, type JobStatus } from "../model/state";

export interface StoredJob {
  readonly state: JobState;
  readonly events: readonly JobEvent[];
  /** Number of writes so far; the condition of the next one. 0 for a job not stored yet. */
  readonly version: number;
}

export interface JobPage {
  /**
   * Newest first. A listed state may lack the fields read only with the job itself (READ_WITH_THE_JOB_ONLY
   * in table-schema.ts: where its launches run); `get` the job for those.
   */
  readonly jobs: readonly JobState[];
  /** Pass back to get the next page; absent on the last page. */
  readonly cursor?: string;
}

export interface PageRequest {
  readonly limit: number;
  readonly cursor?: string;
  /** Newest first unless asked otherwise (the sweeper works oldest first). */
  readonly oldestFirst?: boolean;
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
  /** Jobs in one status, most recently changed first (or least), optionally only those changed within a window. */
  listByStatus(status: JobStatus, page: PageRequest, window?: TimeWindow): Promise<JobPage>;
  /** Jobs submitted within a window, newest first. */
  listBySubmission(window: TimeWindow, page: PageRequest): Promise<JobPage>;
}

export interface JobChange {
  readonly before: JobState;
  readonly after: JobState;
  /** The events this change appended (empty when the decision was "nothing to do"). */
  readonly events: readonly JobEvent[];
  /** The job as stored after the change: whole history, state and version. */
  readonly stored: StoredJob;
}

export const DEFAULT_MAX_TRIES = 8;

/**
 * Reads the job (or starts from `known`, the job as this caller last wrote it, saving a read), decides, and
 * appends; on a conflict it reads again and decides again, up to `maxTries` times.
 */
export async function changeJob(
  store: JobStore,
  jobId: string,
  decision: (state: JobState) => JobEvent[],
  options: { readonly known?: StoredJob; readonly maxTries?: number } = {},
): Promise<JobChange> {
  const maxTries = options.maxTries ?? DEFAULT_MAX_TRIES;
  let known = options.known;
  for (let tries = 1; tries <= maxTries; tries++) {
    const stored = known ?? (await store.get(jobId));
    known = undefined;
    const before = stored?.state ?? foldEvents(jobId, []);
    const version = stored?.version ?? 0;
    const events = decision(before);
    if (events.length === 0) {
      return { before, after: before, events, stored: stored ?? { state: before, events: [], version } };
    }
    const after = events.reduce(evolve, before);
    try {
      await store.append(jobId, version, events, after);
      return {
        before,
        after,
        events,
        stored: { state: after, events: [...(stored?.events ?? []), ...events], version: version + 1 },
      };
    } catch (error) {
      if (!(error instanceof ConcurrencyConflictError)) throw error;
    }
  }
  throw new TooManyConflictsError(jobId, maxTries);
}

/**
 * The store with `afterAppend` run after each successful append (a conflicting one stored nothing, so runs
 * nothing): how a concern that follows every change of a job (metrics, running-task slots) is added to every
 * workflow in one place.
 */
export function withAfterAppend(
  store: JobStore,
  afterAppend: (jobId: string, events: readonly JobEvent[], state: JobState) => Promise<void> | void,
): JobStore {
  return {
    get: (jobId) => store.get(jobId),
    listByStatus: (status, page, window) => store.listByStatus(status, page, window),
    listBySubmission: (window, page) => store.listBySubmission(window, page),
    async append(jobId, expectedVersion, events, state) {
      await store.append(jobId, expectedVersion, events, state);
      await afterAppend(jobId, events, state);
    },
  };
}
