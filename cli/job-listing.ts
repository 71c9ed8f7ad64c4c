// Reading a list of jobs through the table's indexes (never a scan), for `jobs list` and the job console:
// with statuses, the by-status index per status (most recently changed first), merged; without, the
// by-submitted-day index over a time window (default: the last 24 hours). Filters the index cannot apply
// (video id, input text, id prefix, overdue) run on the pages it returns. Also the one reader of many
// histories (`stats`, the console's charts): one read per job, a few at a time.

import { MAX_WINDOW_DAYS } from "../jobs/adapters/aws/dynamodb-store";
import type { JobHistory } from "../jobs/insights";
import {
  type Deadlines,
  isJobStatus,
  isOverdue,
  JOB_STATUSES,
  type JobState,
  type JobStatus,
  SWEPT_STATUSES,
} from "../jobs/model";
import type { JobStore, TimeWindow } from "../jobs/store";
import { UsageError } from "./errors";
import { decodeListCursor, type Listing, type MergedPage, readMerged } from "./paging";
import { parseWindow, utcDaysIn } from "./time-window";

export const DEFAULT_LIST_WINDOW = "24h";
const READ_CONCURRENCY = 8;

export interface JobListQuery {
  readonly status?: readonly string[];
  readonly since?: string;
  readonly until?: string;
  readonly limit: number;
  readonly cursor?: string;
  readonly pageSize: number;
  /** Only jobs with this video id. */
  readonly videoId?: string;
  /** Only jobs whose input URL contains this text (case-insensitive). */
  readonly input?: string;
  /** Only jobs whose id starts with this text. */
  readonly idPrefix?: string;
  /** Only active jobs past a deadline or a retry's due time: what the sweeper acts on. */
  readonly overdue?: boolean;
}

export interface JobList {
  readonly page: MergedPage;
  readonly statuses: readonly JobStatus[];
  readonly window: TimeWindow | undefined;
  /** Whether the caller's window was the default one (nothing given, no cursor). */
  readonly defaultWindow: boolean;
}

export async function readJobList(
  store: JobStore,
  query: JobListQuery,
  deadlines: Deadlines,
  now: Date,
): Promise<JobList> {
  // --overdue looks at the active statuses (or those given) and keeps the jobs the sweeper acts on.
  const statuses = parseStatuses(query.status ?? (query.overdue ? [...SWEPT_STATUSES] : []));
  const finished = statuses.filter((status) => !(SWEPT_STATUSES as readonly string[]).includes(status));
  if (query.overdue && finished.length > 0) {
    throw new UsageError(
      `--overdue lists active jobs only; ${finished.join(", ")} ${finished.length === 1 ? "is" : "are"} not active`,
      `active statuses: ${SWEPT_STATUSES.join(", ")} (or leave --status out)`,
    );
  }
  const keys = statuses.length > 0 ? statuses : ["submitted"];
  const start = query.cursor === undefined ? undefined : decodeListCursor(query.cursor, keys);
  const window =
    start !== undefined
      ? start.window
      : parseWindow(query, now, statuses.length > 0 ? undefined : DEFAULT_LIST_WINDOW);
  const wanted = jobFilter(query, deadlines, now.toISOString());

  let listings: Listing[];
  if (statuses.length > 0) {
    listings = statuses.map((status) => ({
      key: status,
      fetch: (page) => store.listByStatus(status, page, window),
      sortKey: (job) => job.updatedAt ?? "",
    }));
  } else {
    if (window === undefined) throw new Error("unreachable: a listing by submission always has a window");
    const submitted = window;
    if (utcDaysIn(submitted) > MAX_WINDOW_DAYS) {
      throw new UsageError(
        `invalid time window: ${utcDaysIn(submitted)} days is longer than ${MAX_WINDOW_DAYS} days`,
        "narrow --since/--until, or list by status (--status), which has no such limit",
      );
    }
    listings = [
      {
        key: "submitted",
        fetch: (page) => store.listBySubmission(submitted, page),
        sortKey: (job) => job.submittedAt ?? "",
      },
    ];
  }
  const page = await readMerged(wanted === undefined ? listings : listings.map((l) => filtered(l, wanted)), {
    limit: query.limit,
    pageSize: query.pageSize,
    start,
    window,
  });
  return {
    page,
    statuses,
    window,
    defaultWindow: statuses.length === 0 && query.since === undefined && start === undefined,
  };
}

/** The histories of the jobs listed; a job deleted (TTL) between the listing and the read is left out. */
export async function readHistories(store: JobStore, jobs: readonly JobState[]): Promise<JobHistory[]> {
  const histories: JobHistory[] = [];
  for (let i = 0; i < jobs.length; i += READ_CONCURRENCY) {
    const batch = await Promise.all(jobs.slice(i, i + READ_CONCURRENCY).map((job) => store.get(job.jobId)));
    for (const stored of batch) {
      if (stored !== undefined) histories.push({ state: stored.state, events: stored.events });
    }
  }
  return histories;
}

/** The --video-id / --input / id prefix / --overdue filter, if any. */
function jobFilter(
  query: JobListQuery,
  deadlines: Deadlines,
  now: string,
): ((job: JobState) => boolean) | undefined {
  const videoId = query.videoId;
  const input = query.input?.toLowerCase();
  const idPrefix = query.idPrefix;
  const overdue = query.overdue === true;
  if (videoId === undefined && input === undefined && idPrefix === undefined && !overdue) return undefined;
  return (job) =>
    (videoId === undefined || job.input?.videoId === videoId) &&
    (input === undefined || (job.input?.videoUrl.toLowerCase().includes(input) ?? false)) &&
    (idPrefix === undefined || job.jobId.startsWith(idPrefix)) &&
    (!overdue || isOverdue(job, deadlines, now));
}

/**
 * A listing whose pages hold only the matching jobs. The filter runs on the pages the index returns (the
 * index cannot filter on these), so a selective filter reads more pages; --cursor positions count the
 * filtered pages, which is consistent as long as the same filter is given again.
 */
function filtered(listing: Listing, keep: (job: JobState) => boolean): Listing {
  return {
    ...listing,
    fetch: async (request) => {
      const page = await listing.fetch(request);
      return { ...page, jobs: page.jobs.filter(keep) };
    },
  };
}

export function parseStatuses(values: readonly string[]): JobStatus[] {
  const statuses: JobStatus[] = [];
  for (const value of values.flatMap((v) => v.split(","))) {
    const status = value.trim().toUpperCase().replace(/-/g, "_");
    if (status === "") continue;
    if (!isJobStatus(status)) {
      throw new UsageError(`unknown status "${value}"`, `use one of ${JOB_STATUSES.join(", ")}`);
    }
    if (!statuses.includes(status)) statuses.push(status);
  }
  return statuses;
}
