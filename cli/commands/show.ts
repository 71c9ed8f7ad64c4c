// `jobs show <jobId>`: the whole history as a timeline (each event with its time, offset from submission,
// attempt and task), the durations derived from it (jobs/insights/timeline.ts), each attempt's task and outcome, and
// the command that reads each task's logs.

import type { Command } from "commander";
import { placeIn, readWaitingLine, type WaitingLine } from "../../jobs/capacity";
import { type AttemptTimeline, type JobTimeline, jobTimeline } from "../../jobs/insights";
import type { JobEvent } from "../../jobs/model";
import {
  currentDeadline,
  type Deadlines,
  describeCapacity,
  describeTaskSize,
  formatSeconds,
  formatUsd,
  isTerminal,
  type JobCost,
  type JobState,
  jobCost,
  runLimitSeconds,
} from "../../jobs/model";
import { exitCodes, JOB_ID_ARGUMENT, type Registration } from "../command-options";
import type { CommandContext } from "../context";
import {
  firstClause,
  formatDuration,
  formatTime,
  renderTable,
  shorten,
  tableWidth,
  wrapText,
} from "../format";
import { currentReason, eventColumns, eventRows, type LogLocation, logLocations, taskId } from "../history";
import { inputName } from "../input-name";
import { lookUpJob } from "../job-lookup";
import { ARTEFACTS_DESCRIPTION, type OutputLocation, outputLocation } from "../outputs";
import { describeProgress, ProgressReader } from "../progress";

export async function showCommand(ctx: CommandContext, given: string): Promise<number> {
  const stored = await lookUpJob(ctx, given);
  const now = ctx.io.now().toISOString();
  const { state, events } = stored;
  const active = !isTerminal(state.status);
  const timeline = jobTimeline(events, active ? now : undefined);
  const logs = logLocations(timeline.attempts, ctx.config, active);
  // Where the worker writes; only a job that launched a task can have written anything.
  const outputs = timeline.attempts.length > 0 ? outputLocation(ctx.config, state.jobId) : undefined;
  const line = state.status === "WAITING" ? await readWaitingLine(ctx.aws.store()) : undefined;
  const inLine = line === undefined ? undefined : placeInLine(line, state.jobId);
  const progress = await new ProgressReader(ctx).read(state, timeline.attempts);

  if (ctx.json) {
    const cost = { ...jobCost(events), estimate: ctx.config.local };
    ctx.emit({
      job: state,
      events,
      timeline,
      logs,
      ...(outputs ? { outputs } : {}),
      version: stored.version,
      cost,
      ...(inLine === undefined ? {} : { inLine }),
      ...(progress === undefined ? {} : { progress }),
    });
    return 0;
  }
  ctx.say(renderShow(ctx, state, events, timeline, logs, outputs, now, inLine, progress));
  return 0;
}

function renderShow(
  ctx: CommandContext,
  state: JobState,
  events: readonly JobEvent[],
  timeline: JobTimeline,
  logs: readonly LogLocation[],
  outputs: OutputLocation | undefined,
  now: string,
  inLine: InLine | undefined,
  progress: Awaited<ReturnType<ProgressReader["read"]>>,
): string {
  const p = ctx.paint;
  const width = tableWidth(ctx.io.stdout, ctx.wide);
  // Tables are indented by two columns.
  const tables = { width: width === undefined ? undefined : width - 2 };
  const out: string[] = [];
  out.push(`${p.paint("bold", `Job ${state.jobId}`)}  ${p.status(state.status)}`);
  const field = (name: string, value: string | undefined, wrap = false) => {
    if (value === undefined || value === "") return;
    // In full: a reason wraps under itself; a URL stays on one line, whole, to be copied.
    const [first, ...more] =
      width === undefined || !wrap ? [value] : wrapText(value, Math.max(20, width - 13));
    out.push(`  ${name.padEnd(10)} ${first}`, ...more.map((line) => `${" ".repeat(13)}${line}`));
  };
  // By its name first (a `submit` upload's key ends in ".upload"), then the URL whole, to be copied.
  const url = state.input?.videoUrl;
  field("input", url === undefined ? undefined : inputName(url));
  if (url !== undefined && inputName(url) !== url) field("url", url);
  field("video id", state.input?.videoId);
  field("params", state.input?.params === undefined ? undefined : JSON.stringify(state.input.params), true);
  field("source", describeSource(state));
  field(
    "submitted",
    state.submittedAt &&
      `${formatTime(state.submittedAt)} (${formatDuration(Date.parse(now) - Date.parse(state.submittedAt))} ago)`,
  );
  field("finished", state.finishedAt && formatTime(state.finishedAt));
  field("attempt", state.attempt === 0 ? undefined : describeAttempts(state, timeline.attempts));
  field("in line", inLine === undefined ? undefined : describePlace(inLine));
  field(
    "progress",
    progress === undefined
      ? undefined
      : (progress.error ?? describeProgress(progress.progress, new Date(now))),
  );
  field("deadline", describeDeadline(state, ctx.config.deadlines, now));
  field("reason", currentReason(state), true);
  field("exit code", state.exitCode === undefined ? undefined : String(state.exitCode));

  out.push("", p.paint("bold", "History"));
  out.push(indent(renderTable(eventRows(events, timeline.submittedAt), eventColumns(p), p, tables)));

  const d = timeline.durations;
  out.push("", p.paint("bold", "Durations"));
  out.push(
    `  queued ${formatDuration(d.queued)}   provisioning ${formatDuration(d.provisioning)}   image pull ${formatDuration(d.imagePull)}   running ${formatDuration(d.running)}   total ${formatDuration(d.total)}${timeline.finishedAt === undefined && d.total !== undefined ? " (so far)" : ""}`,
  );

  if (timeline.attempts.length > 0) {
    out.push("", p.paint("bold", "Attempts"));
    out.push(indent(renderTable(timeline.attempts, attemptColumns(), p, tables)));
    out.push(...placementLines(timeline.attempts));
    // Whole ARNs do not fit 80 columns: the table has the task ids, -o wide (and --json) the ARNs.
    if (ctx.wide) {
      for (const attempt of timeline.attempts) {
        if (attempt.taskArn !== undefined) out.push(`  task ${attempt.attempt}: ${attempt.taskArn}`);
      }
    }
  }
  out.push(...costLines(ctx, jobCost(events)));
  if (outputs !== undefined) {
    out.push("", p.paint("bold", "Outputs"));
    out.push(`  ${outputs.url}`);
    // Only a job that succeeded has them all; of another, `outputs` lists what its worker did write.
    if (state.status === "SUCCEEDED") out.push(`  ${ARTEFACTS_DESCRIPTION}`);
    else
      out.push(
        p.paint(
          "dim",
          `  (${isTerminal(state.status) ? "it did not succeed" : "not finished"}: the artefacts come with success only)`,
        ),
      );
    out.push(p.paint("dim", `  list them: ${ctx.command("outputs", state.jobId)}`));
    out.push(
      p.paint("dim", `  download them: ${ctx.command("outputs", state.jobId, "--download", state.jobId)}`),
    );
  }
  if (logs.length > 0) {
    out.push("", p.paint("bold", "Logs"));
    const last = logs.at(-1);
    if (last !== undefined) {
      const follow = active(state) ? ["-f"] : [];
      out.push(
        `  ${ctx.command("logs", state.jobId, ...follow)}${logs.length > 1 ? "   (earlier attempts: --attempt N)" : ""}`,
      );
    }
    if (ctx.wide || ctx.config.localLogDirectory !== undefined) {
      for (const log of logs) out.push(p.paint("dim", `  attempt ${log.attempt}: ${log.command}`));
    } else {
      out.push(p.paint("dim", "  (each attempt's `aws logs tail` command: -o wide)"));
    }
    if (ctx.config.logGroup === undefined && ctx.config.localLogDirectory === undefined) {
      out.push(
        p.paint("dim", "  (worker log group unknown: pass --log-group, set JOBS_LOG_GROUP or use --stack)"),
      );
    }
  }
  return `${out.join("\n")}\n`;
}

/**
 * Where each attempt ran ("attempt 2 · 1 vCPU 4 GiB · On-Demand"), and why when a retry moved it (bigger after
 * running out of memory, On-Demand after Spot); nothing for histories from before sizes were recorded.
 */
function placementLines(attempts: readonly AttemptTimeline[]): string[] {
  if (attempts.every((a) => a.size === undefined && a.capacity === undefined)) return [];
  return attempts.map((a) => {
    const where = [
      `attempt ${a.attempt}`,
      a.size === undefined ? "the task definition's size" : describeTaskSize(a.size),
      describeCapacity(a.capacity ?? "FARGATE"),
    ].join(" · ");
    return `  ${where}${a.placementChange === undefined ? "" : ` (${a.placementChange})`}`;
  });
}

/** Each stopped attempt's Fargate cost and the total; local mode's are estimates from local timings. */
function costLines(ctx: CommandContext, cost: JobCost): string[] {
  if (cost.attempts.length === 0 && cost.unpriced === 0) return [];
  const label = ctx.config.local ? " (estimate: local timings)" : "";
  const out = ["", ctx.paint.paint("bold", `Cost${label}`)];
  const prices = new Set<string>();
  for (const { attempt, cost: c } of cost.attempts) {
    out.push(
      `  attempt ${attempt}: ${formatUsd(c.usd)}  ${c.billedSeconds} s x ${c.vcpu} vCPU, ${c.memoryGb} GB${c.extraStorageGib > 0 ? `, +${c.extraStorageGib} GiB storage` : ""}, ${c.architecture}, ${c.capacityProvider}`,
    );
    prices.add(`${c.prices.region} prices of ${c.prices.asOf}`);
  }
  // Said once rather than on each attempt's line: the lines fit 80 columns.
  if (cost.unpriced > 0)
    out.push(`  ${cost.unpriced} attempt(s) without a price (no task size or no price for the region)`);
  out.push(`  total: ${formatUsd(cost.totalUsd)} Fargate compute (${[...prices].join("; ") || "no prices"})`);
  return out;
}

function attemptColumns() {
  return [
    { header: "#", value: (a: AttemptTimeline) => String(a.attempt), align: "right" as const },
    {
      header: "TASK",
      value: (a: AttemptTimeline) => (a.taskArn === undefined ? "-" : taskId(a.taskArn)),
      shrink: shorten,
      min: 8,
    },
    {
      header: "PROVISIONING",
      value: (a: AttemptTimeline) => formatDuration(a.durations.provisioning),
      align: "right" as const,
    },
    {
      header: "IMAGE PULL",
      value: (a: AttemptTimeline) => formatDuration(a.durations.imagePull),
      align: "right" as const,
    },
    {
      header: "RUNNING",
      value: (a: AttemptTimeline) => formatDuration(a.durations.running),
      align: "right" as const,
    },
    {
      header: "EXIT",
      value: (a: AttemptTimeline) => (a.exitCode === undefined ? "-" : String(a.exitCode)),
      align: "right" as const,
    },
    // Its first clause, wrapped under itself (the history above has the whole text).
    {
      header: "OUTCOME",
      value: (a: AttemptTimeline) => firstClause(outcome(a)),
      wrap: true,
      min: 16,
    },
  ];
}

/**
 * "2 launched; 2 failed, 1 relaunched after an infrastructure failure": counted from the attempts
 * themselves (the state's attemptsUsed is the retry budget spent, which a retry by hand starts afresh).
 */
function describeAttempts(state: JobState, attempts: readonly AttemptTimeline[]): string {
  const failed = attempts.filter((a) => a.failure !== undefined || a.launchFailure !== undefined).length;
  const parts = [`${state.attempt} launched`];
  parts.push(failed === 0 ? "none failed" : `${failed} failed`);
  if (state.infraRetries > 0)
    parts.push(
      `${state.infraRetries} relaunched after an infrastructure failure (not counted against maxAttempts)`,
    );
  return parts.join("; ");
}

function outcome(attempt: AttemptTimeline): string {
  if (attempt.launchFailure) return `launch failed: ${attempt.launchFailure.reason}`;
  if (!attempt.stopped) return attempt.ran ? "running" : attempt.taskArn ? "starting" : "launching";
  if (attempt.failure) return `${attempt.failure.kind}: ${attempt.failure.description}`;
  // A success's stop code is always the essential container exiting: the history has it.
  return "succeeded";
}

function active(state: JobState): boolean {
  return !isTerminal(state.status);
}

function describeSource(state: JobState): string | undefined {
  const source = state.source;
  if (source === undefined) return undefined;
  switch (source.kind) {
    case "s3":
      return `S3 upload s3://${source.bucket}/${source.key}${source.versionId ? ` (version ${source.versionId})` : ""}`;
    case "message":
      return "job message";
    case "cli":
      return "jobs CLI";
  }
}

function indent(text: string): string {
  return text
    .replace(/\n$/, "")
    .split("\n")
    .map((line) => (line === "" ? line : `  ${line}`))
    .join("\n");
}

/** A waiting job's place among the jobs waiting for a slot (1: starts next), when it was found in line. */
interface InLine {
  readonly place?: number;
  readonly waiting: number;
  /** More jobs wait than were read: `waiting` is a lower bound. */
  readonly more: boolean;
}

function placeInLine(line: WaitingLine, jobId: string): InLine {
  const place = placeIn(line, jobId);
  return { ...(place === undefined ? {} : { place }), waiting: line.jobIds.length, more: line.truncated };
}

function describePlace(inLine: InLine): string {
  const of = `${inLine.waiting}${inLine.more ? "+" : ""} waiting`;
  if (inLine.place === undefined)
    return inLine.more
      ? `waiting for a running-task slot, behind the first ${of} (the line is read that far)`
      : `waiting for a running-task slot (${of}; the index has not caught up with this job yet)`;
  const next = inLine.place === 1 ? ": starts next" : "";
  return `${ordinal(inLine.place)} of ${of} for a running-task slot, oldest first${next}`;
}

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : (["th", "st", "nd", "rd"][n % 10] ?? "th");
  return `${n}${suffix}`;
}

/** When the sweeper will act on the job, if it has a deadline: a launch, a run, a retry's due time. */
function describeDeadline(state: JobState, deadlines: Deadlines, now: string): string | undefined {
  if (state.stopRequested !== undefined && !isTerminal(state.status)) {
    return `missed its ${state.stopRequested} deadline: the sweeper asked ECS to stop the task`;
  }
  if (state.status === "RETRYING" && state.retryDueAt !== undefined) {
    return `retry due ${formatTime(state.retryDueAt)} (${relative(state.retryDueAt, now)})`;
  }
  const due = currentDeadline(state, deadlines);
  if (due === undefined) return undefined;
  const what =
    due.deadline === "run"
      ? `timed out at ${formatTime(due.at)}`
      : `launch retried at ${formatTime(due.at)} unless it runs by then`;
  const limit = due.deadline === "run" ? runLimitSeconds(state, deadlines) : deadlines.launchSeconds;
  return `${what} (${relative(due.at, now)}; ${formatSeconds(limit)} ${due.deadline === "run" ? "run" : "launch"} deadline)`;
}

function relative(at: string, now: string): string {
  const ms = Date.parse(at) - Date.parse(now);
  return ms >= 0 ? `in ${formatDuration(ms)}` : `overdue by ${formatDuration(-ms)}: the sweeper acts on it`;
}

/** Declares `show` on the program: its arguments, options, help and action. */
export function registerShowCommand(program: Command, { run }: Registration): void {
  program
    .command("show")
    .description("a job's whole history: timeline, durations, attempts, outputs, and how to read its logs")
    .argument("<jobId>", JOB_ID_ARGUMENT)
    .addHelpText("after", `\n${exitCodes()}`)
    .action((jobId: string, _opts, command: Command) => run(command, (ctx) => showCommand(ctx, jobId)));
}
