// Finding a job by its id or a unique prefix of it (people type `show s3-3f9a`, not 36 characters).
// The exact id is one GetItem, whatever the job's age. A prefix has no index to ask (the table's key is
// the id, and DynamoDB's begins_with works only on a sort key): it is matched against the jobs submitted
// in a bounded recent window, read through the store's by-submission listing (one Query per UTC day of the
// window, newest first), never a Scan. An older job is found by its whole id.

import { JobError, JobNotFoundError } from "../model/errors";
import { isJobId } from "../model/job-id";
import type { JobState } from "../model/state";
import type { JobStore, StoredJob, TimeWindow } from "./store";

/** Days back from now in which a prefix is looked for. */
export const PREFIX_WINDOW_DAYS = 30;
/** Candidates named when a prefix is ambiguous; the search stops there. */
export const MAX_CANDIDATES = 10;
const PAGE_SIZE = 500;

/** No job has this id, and none submitted in the window starts with it. */
export class JobPrefixNotFoundError extends JobNotFoundError {
  constructor(
    jobId: string,
    readonly windowDays: number,
  ) {
    super(jobId);
    this.message = `no job with id "${jobId}", nor one submitted in the last ${windowDays} days whose id starts with it`;
  }
}

/** Several jobs start with the prefix: the user must say which. */
export class AmbiguousJobIdError extends JobError {
  constructor(
    readonly prefix: string,
    /** Newest first; at most MAX_CANDIDATES. */
    readonly candidates: readonly JobState[],
    /** Whether the search stopped at MAX_CANDIDATES (there may be more). */
    readonly more: boolean,
  ) {
    super(
      `"${prefix}" is the start of ${more ? `more than ${candidates.length}` : candidates.length} job ids: ${candidates
        .map((job) => job.jobId)
        .join(", ")}${more ? ", ..." : ""}`,
    );
  }
}

export interface FindJobOptions {
  readonly now: Date;
  readonly windowDays?: number;
}

/** The job with this id, else the one job of the window whose id starts with it. */
export async function findJob(
  store: JobStore,
  idOrPrefix: string,
  options: FindJobOptions,
): Promise<StoredJob> {
  const exact = await store.get(idOrPrefix);
  if (exact !== undefined) return exact;
  const windowDays = options.windowDays ?? PREFIX_WINDOW_DAYS;
  // Not even a prefix of a valid id: nothing to look for.
  if (!isJobId(idOrPrefix)) throw new JobNotFoundError(idOrPrefix);
  const window: TimeWindow = {
    from: new Date(options.now.getTime() - windowDays * 86_400_000).toISOString(),
    to: options.now.toISOString(),
  };
  const { matches, more } = await jobsStartingWith(store, idOrPrefix, window);
  const [only] = matches;
  if (only === undefined) throw new JobPrefixNotFoundError(idOrPrefix, windowDays);
  if (matches.length > 1 || more) throw new AmbiguousJobIdError(idOrPrefix, matches, more);
  const stored = await store.get(only.jobId);
  // Deleted (TTL) between the listing and the read.
  if (stored === undefined) throw new JobNotFoundError(only.jobId);
  return stored;
}

async function jobsStartingWith(
  store: JobStore,
  prefix: string,
  window: TimeWindow,
): Promise<{ matches: JobState[]; more: boolean }> {
  const matches: JobState[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listBySubmission(window, {
      limit: PAGE_SIZE,
      ...(cursor === undefined ? {} : { cursor }),
    });
    for (const job of page.jobs) {
      if (!job.jobId.startsWith(prefix)) continue;
      if (matches.length === MAX_CANDIDATES) return { matches, more: true };
      matches.push(job);
    }
    cursor = page.cursor;
  } while (cursor !== undefined);
  return { matches, more: false };
}
