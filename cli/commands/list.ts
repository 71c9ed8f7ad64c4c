// `jobs list`: jobs newest first, through the table's indexes (never a scan; cli/job-listing.ts reads them,
// for the console too). Reads pages up to --limit and prints a --cursor for the rest.

import type { Command } from "commander";
import { placeIn, readWaitingLine } from "../../jobs/capacity";
import { span } from "../../jobs/insights";
import { isTerminal, type JobState, type JobStatus } from "../../jobs/model";
import type { JobStore, TimeWindow } from "../../jobs/store";
import { COMMAND } from "../command-name";
import { exitCodes, positiveInt, type Registration } from "../command-options";
import type { CommandContext } from "../context";
import {
  type Column,
  firstClause,
  formatDuration,
  formatTime,
  renderTable,
  shortenPath,
  tableWidth,
  truncate,
} from "../format";
import { currentReason } from "../history";
import { inputName } from "../input-name";
import { type JobListQuery, readJobList } from "../job-listing";
import { TIME_FORMATS } from "../time-window";

export type ListOptions = JobListQuery;

export async function listCommand(ctx: CommandContext, options: ListOptions): Promise<number> {
  const now = ctx.io.now();
  const store = ctx.aws.store();
  const { page, statuses, window, defaultWindow } = await readJobList(
    store,
    options,
    ctx.config.deadlines,
    now,
  );

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
    if (defaultWindow) {
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
    // A unique start of an id is enough for the other commands, and they take it with its "…", so a cut id
    // copied from here is still usable.
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
    // By its name (`clip.mp4`, not `clip.mp4.upload` nor the bucket's folders); -o wide: the whole URL.
    {
      header: "INPUT",
      value: (job) => (ctx.wide ? (job.input?.videoUrl ?? "-") : inputName(job.input?.videoUrl)),
      shrink: shortenPath,
      min: 16,
    },
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
    // Wrapped under itself, between words, rather than cut: reasons often start alike ("input is not a
    // processable video: ..."), and what differs comes after. Only its first clause: `show` has it all.
    { header: "REASON", value: (job) => firstClause(listReason(job)), wrap: true, min: 24 },
  ];
}

/** Declares `list` on the program: its arguments, options, help and action. */
export function registerListCommand(program: Command, { run }: Registration): void {
  program
    .command("list")
    .description("jobs newest first, read through the table's indexes (never a scan)")
    .option(
      "--status <status...>",
      "only jobs in these statuses (repeatable, or comma-separated), newest change first",
    )
    .option("--since <time>", `start of the window; without --status the default is the last 24 hours`)
    .option("--until <time>", "end of the window (default: now)")
    .option("--video-id <id>", "only jobs with this video id")
    .option("--input <text>", "only jobs whose input URL contains this text (case-insensitive)")
    .option(
      "--overdue",
      "only active jobs past their launch or run deadline, or a retry past its due time: stuck jobs the sweeper acts on",
    )
    .option("--limit <n>", "show at most this many jobs", positiveInt, 50)
    .option("--cursor <cursor>", "continue where a previous list stopped (it prints the cursor)")
    .option("--page-size <n>", "jobs per index query", positiveInt, 100)
    .addHelpText(
      "after",
      `\nTimes: ${TIME_FORMATS}.\nWithout --status, lists the jobs submitted in the window (default: the last 24 hours).\nWith --status, lists the jobs in those statuses, most recently changed first; --since/--until then filter on the time of the last change (default: all time).\n--video-id and --input filter the jobs the index returns (give them again with --cursor).\n${exitCodes()}\n\nExamples:\n  ${COMMAND} list\n  ${COMMAND} list --status FAILED --since 1h\n  ${COMMAND} list --status FAILED TIMED_OUT --limit 20\n  ${COMMAND} list --since 7d --input clip.mp4\n  ${COMMAND} list --overdue\n  ${COMMAND} list --since 2026-11-01 --until 2026-11-02 --json`,
    )
    .action((opts, command: Command) => run(command, (ctx) => listCommand(ctx, opts)));
}
