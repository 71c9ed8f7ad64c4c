// `jobs list`: jobs newest first, through the table's indexes (never a scan). With --status, the by-status
// index per status (most recently changed first), merged; without, the by-submitted-day index over a time
// window (default: the last 24 hours). Reads pages up to --limit and prints a --cursor for the rest.

import { MAX_WINDOW_DAYS } from "../../jobs/aws/dynamodb-store";
import { type Deadlines, isOverdue, SWEPT_STATUSES } from "../../jobs/deadlines";
import { isJobStatus, isTerminal, JOB_STATUSES, type JobState, type JobStatus } from "../../jobs/state";
import type { JobStore, TimeWindow } from "../../jobs/store";
import { span } from "../../jobs/timeline";
import { placeIn, readWaitingLine } from "../../jobs/waiting-line";
import type { CommandContext } from "../context";
import { UsageError } from "../errors";
import {
  type Column,
  formatDuration,
  formatTime,
  renderTable,
  shortenPath,
  tableWidth,
  truncate,
  truncateWords,
} from "../format";
import { currentReason } from "../history";
import { decodeListCursor, type Listing, readMerged } from "../paging";
import { parseWindow, utcDaysIn } from "../time-window";

export const DEFAULT_LIST_WINDOW = "24h";

export interface ListOptions {
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
  /** Only active jobs past a deadline or a retry's due time: what the sweeper acts on. */
  readonly overdue?: boolean;
}

export async function listCommand(ctx: CommandContext, options: ListOptions): Promise<number> {
  const now = ctx.io.now();
  // --overdue looks at the active statuses (or those given) and keeps the jobs the sweeper acts on.
  const statuses = parseStatuses(options.status ?? (options.overdue ? [...SWEPT_STATUSES] : []));
  const finished = statuses.filter((status) => !(SWEPT_STATUSES as readonly string[]).includes(status));
  if (options.overdue && finished.length > 0) {
    throw new UsageError(
      `--overdue lists active jobs only; ${finished.join(", ")} ${finished.length === 1 ? "is" : "are"} not active`,
      `active statuses: ${SWEPT_STATUSES.join(", ")} (or leave --status out)`,
    );
  }
  const keys = statuses.length > 0 ? statuses : ["submitted"];
  const start = options.cursor === undefined ? undefined : decodeListCursor(options.cursor, keys);
  const window =
    start !== undefined
      ? start.window
      : parseWindow(options, now, statuses.length > 0 ? undefined : DEFAULT_LIST_WINDOW);
  const store = ctx.aws.store();
  const wanted = jobFilter(options, ctx.config.deadlines, now.toISOString());

  let listings: Listing[];
  if (statuses.length > 0) {
    listings = statuses.map((status) => ({
      key: status,
      fetch: (page) => store.listByStatus(status, page, window),
      sortKey: (job) => job.updatedAt ?? "",
    }));
  } else {
    const submitted = window as TimeWindow; // always set without --status (default window)
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
    limit: options.limit,
    pageSize: options.pageSize,
    start,
    window,
  });

  if (ctx.json) {
    ctx.emit({
      jobs: page.jobs,
      ...(page.cursor === undefined ? {} : { cursor: page.cursor }),
      order: statuses.length > 0 ? "updatedAt" : "submittedAt",
      ...(statuses.length > 0 ? { statuses } : {}),
      ...(window === undefined ? {} : { window }),
    });
    return 0;
  }
  const what = `${options.overdue ? "overdue (past a deadline or a retry's due time) " : ""}${describeListing(statuses, window)}`;
  if (page.jobs.length === 0) {
    ctx.say(`no jobs ${what}`);
    if (statuses.length === 0 && options.since === undefined && start === undefined) {
      ctx.say(ctx.paint.paint("dim", "(the default window is the last 24 hours: widen it with --since 7d)"));
    }
    return 0;
  }
  const places = await placesInLine(store, page.jobs);
  ctx.say(
    renderTable(page.jobs, jobColumns(ctx, now, places), ctx.paint, {
      width: tableWidth(ctx.io.stdout, ctx.wide),
    }),
  );
  ctx.say(
    ctx.paint.paint(
      "dim",
      `${page.jobs.length} job${page.jobs.length === 1 ? "" : "s"} ${what}, newest first`,
    ),
  );
  if (page.cursor !== undefined) {
    ctx.say(`more jobs: run the same command with --cursor ${page.cursor}`);
  }
  return 0;
}

/** The place in line of each waiting job listed (read only when one is listed). */
async function placesInLine(store: JobStore, jobs: readonly JobState[]): Promise<Map<string, number>> {
  const places = new Map<string, number>();
  if (!jobs.some((job) => job.status === "WAITING")) return places;
  const line = await readWaitingLine(store);
  for (const job of jobs) {
    const place = placeIn(line, job.jobId);
    if (place !== undefined) places.set(job.jobId, place);
  }
  return places;
}

/**
 * The reason's meaningful words: a failure after retries reads "failed after 3 attempts; last: <why>",
 * and the attempts are a column of their own, so the list shows <why>.
 */
function listReason(job: JobState): string {
  const reason = currentReason(job) ?? "";
  const last = reason.lastIndexOf("; last: ");
  return last < 0 ? reason : reason.slice(last + "; last: ".length);
}

/** The --video-id / --input / --overdue filter, if any. */
function jobFilter(
  options: ListOptions,
  deadlines: Deadlines,
  now: string,
): ((job: JobState) => boolean) | undefined {
  const videoId = options.videoId;
  const input = options.input?.toLowerCase();
  const overdue = options.overdue === true;
  if (videoId === undefined && input === undefined && !overdue) return undefined;
  return (job) =>
    (videoId === undefined || job.input?.videoId === videoId) &&
    (input === undefined || (job.input?.videoUrl.toLowerCase().includes(input) ?? false)) &&
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

function describeListing(statuses: readonly JobStatus[], window: TimeWindow | undefined): string {
  const range = window === undefined ? "" : ` ${formatTime(window.from)} .. ${formatTime(window.to)}`;
  return statuses.length > 0
    ? `in ${statuses.join(" or ")}${window === undefined ? "" : `, changed${range}`}`
    : `submitted${range}`;
}

/** `places`: each waiting job's place in line (1: starts next), when known. */
export function jobColumns(
  ctx: CommandContext,
  now: Date,
  places: ReadonlyMap<string, number> = new Map(),
): Column<JobState>[] {
  const nowIso = now.toISOString();
  return [
    // A unique start of an id is enough for the other commands, so a cut id is still usable.
    { header: "ID", value: (job) => job.jobId, shrink: truncate, soft: 12, min: 10 },
    {
      header: "STATUS",
      value: (job) => {
        const place = job.status === "WAITING" ? places.get(job.jobId) : undefined;
        return place === undefined ? job.status : `${job.status} #${place}`;
      },
      paint: (job, text) => ctx.paint.status(job.status, text),
    },
    { header: "ATTEMPT", value: (job) => String(job.attempt), align: "right", optional: true },
    { header: "INPUT", value: (job) => job.input?.videoUrl ?? "-", shrink: shortenPath, min: 20 },
    { header: "AGE", value: (job) => formatDuration(span(job.submittedAt, nowIso)), align: "right" },
    {
      header: "DURATION",
      value: (job) => {
        const active = !isTerminal(job.status);
        const text = formatDuration(span(job.submittedAt, active ? nowIso : job.finishedAt));
        return active && text !== "-" ? `${text}…` : text;
      },
      align: "right",
      optional: true,
    },
    { header: "REASON", value: (job) => listReason(job), shrink: truncateWords, min: 20 },
  ];
}
