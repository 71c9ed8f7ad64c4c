// Paging through the store's listings (JobStore.listByStatus / listBySubmission, which query the table's
// indexes page by page) up to a limit, merging several listings newest first (`jobs list --status FAILED
// --status TIMED_OUT`). The store's cursors are opaque, so the CLI's own cursor records, per listing, the
// store cursor of the page it stopped in and how many of that page's jobs were already shown; the next run
// reads that page again and skips them.

import type { JobState } from "../jobs/model";
import type { JobPage, PageRequest, TimeWindow } from "../jobs/store";
import { UsageError } from "./errors";

export interface Listing {
  /** Names the listing in the cursor (e.g. the status); unique among the listings merged. */
  readonly key: string;
  readonly fetch: (page: PageRequest) => Promise<JobPage>;
  /** The listing's sort key (updatedAt for a status, submittedAt for submissions): newest first. */
  readonly sortKey: (job: JobState) => string;
}

interface Position {
  /** Store cursor of the page to read; absent for the first page. */
  readonly cursor?: string;
  /** Jobs of that page already shown. */
  readonly skip: number;
}

/** What a --cursor carries: where each listing stopped, and the window it was read in. */
export interface ListCursor {
  readonly v: 1;
  readonly pageSize: number;
  /** Listings not yet exhausted. */
  readonly positions: Readonly<Record<string, Position>>;
  /**
   * The window of the first page, kept so that "--since 2h" means the same jobs on every page (a window
   * moving with the clock would shift the pages under the skips).
   */
  readonly window?: TimeWindow;
}

export interface MergedPage {
  readonly jobs: readonly JobState[];
  /** Pass back as --cursor for the next jobs; absent when there are no more. */
  readonly cursor?: string;
  /** Store pages read (each one index query, or one per day for submissions). */
  readonly pagesRead: number;
}

export async function readMerged(
  listings: readonly Listing[],
  options: {
    readonly limit: number;
    readonly pageSize: number;
    /** Where the previous page stopped (decodeListCursor). */
    readonly start?: ListCursor | undefined;
    readonly window?: TimeWindow | undefined;
  },
): Promise<MergedPage> {
  const { start, window } = options;
  const pageSize = start?.pageSize ?? options.pageSize;
  let pagesRead = 0;
  const streams = listings
    .filter((l) => start === undefined || l.key in start.positions)
    .map((listing) => {
      const position = start?.positions[listing.key] ?? { skip: 0 };
      return {
        listing,
        pageCursor: position.cursor,
        skip: position.skip,
        buffer: [] as JobState[],
        next: undefined as string | undefined,
        loaded: false,
        exhausted: false,
      };
    });

  type Stream = (typeof streams)[number];
  /** Makes sure the stream's buffer holds its next job, reading pages as needed. */
  const fill = async (s: Stream): Promise<void> => {
    while (s.buffer.length === 0 && !s.exhausted) {
      if (s.loaded) {
        if (s.next === undefined) {
          s.exhausted = true;
          return;
        }
        s.pageCursor = s.next;
        s.skip = 0;
      }
      const page = await s.listing.fetch({
        limit: pageSize,
        ...(s.pageCursor === undefined ? {} : { cursor: s.pageCursor }),
      });
      pagesRead++;
      s.loaded = true;
      s.buffer = page.jobs.slice(s.skip);
      s.next = page.cursor;
      if (s.buffer.length === 0 && s.next === undefined) s.exhausted = true;
    }
  };

  const jobs: JobState[] = [];
  while (jobs.length < options.limit) {
    await Promise.all(streams.map(fill));
    let newest: Stream | undefined;
    for (const s of streams) {
      const head = s.buffer[0];
      if (head === undefined) continue;
      if (newest === undefined || s.listing.sortKey(head) > s.listing.sortKey(newest.buffer[0] as JobState)) {
        newest = s;
      }
    }
    if (newest === undefined) break;
    jobs.push(newest.buffer.shift() as JobState);
    newest.skip++;
  }

  const positions: Record<string, Position> = {};
  for (const s of streams) {
    if (s.buffer.length > 0 || !s.loaded) {
      positions[s.listing.key] = {
        ...(s.pageCursor === undefined ? {} : { cursor: s.pageCursor }),
        skip: s.skip,
      };
    } else if (s.next !== undefined) {
      positions[s.listing.key] = { cursor: s.next, skip: 0 };
    }
  }
  const more = Object.keys(positions).length > 0;
  if (!more) return { jobs, pagesRead };
  const cursor: ListCursor = { v: 1, pageSize, positions, ...(window === undefined ? {} : { window }) };
  return { jobs, cursor: Buffer.from(JSON.stringify(cursor)).toString("base64url"), pagesRead };
}

/** Reads a --cursor; `keys` are the listings of this command, which must include every one it names. */
export function decodeListCursor(text: string, keys: readonly string[]): ListCursor {
  const invalid = () =>
    new UsageError(
      "invalid --cursor",
      "pass the cursor the previous list printed, with the same --status, filters and time window",
    );
  let data: unknown;
  try {
    data = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    throw invalid();
  }
  if (typeof data !== "object" || data === null) throw invalid();
  const { v, pageSize, positions, window } = data as Partial<ListCursor>;
  if (
    v !== 1 ||
    typeof pageSize !== "number" ||
    pageSize < 1 ||
    typeof positions !== "object" ||
    positions === null
  ) {
    throw invalid();
  }
  if (window !== undefined && (typeof window?.from !== "string" || typeof window?.to !== "string"))
    throw invalid();
  for (const [key, position] of Object.entries(positions)) {
    if (!keys.includes(key) || typeof position?.skip !== "number") throw invalid();
  }
  return data as ListCursor;
}
