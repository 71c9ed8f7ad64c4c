// `jobs show <jobId>`: the whole history as a timeline (each event with its time, offset from submission,
// attempt and task), the durations derived from it (jobs/timeline.ts), each attempt's task and outcome, and
// the command that reads each task's logs.

import { formatUsd, type JobCost, jobCost } from "../../jobs/cost";
import { JobNotFoundError } from "../../jobs/errors";
import type { JobEvent } from "../../jobs/events";
import { isTerminal, type JobState } from "../../jobs/state";
import { type AttemptTimeline, type JobTimeline, jobTimeline } from "../../jobs/timeline";
import type { CommandContext } from "../context";
import { formatDuration, formatTime, renderTable, truncate } from "../format";
import { eventColumns, eventRows, type LogLocation, logLocations, taskId } from "../history";

export async function showCommand(ctx: CommandContext, jobId: string): Promise<number> {
  const stored = await ctx.aws.store().get(jobId);
  if (stored === undefined) throw new JobNotFoundError(jobId);
  const now = ctx.io.now().toISOString();
  const { state, events } = stored;
  const active = !isTerminal(state.status);
  const timeline = jobTimeline(events, active ? now : undefined);
  const logs = logLocations(timeline.attempts, ctx.config, active);

  if (ctx.json) {
    const cost = { ...jobCost(events), estimate: ctx.config.local };
    ctx.emit({ job: state, events, timeline, logs, version: stored.version, cost });
    return 0;
  }
  ctx.say(renderShow(ctx, state, events, timeline, logs, now));
  return 0;
}

function renderShow(
  ctx: CommandContext,
  state: JobState,
  events: readonly JobEvent[],
  timeline: JobTimeline,
  logs: readonly LogLocation[],
  now: string,
): string {
  const p = ctx.paint;
  const out: string[] = [];
  out.push(`${p.paint("bold", `Job ${state.jobId}`)}  ${p.status(state.status)}`);
  const field = (name: string, value: string | undefined) => {
    if (value !== undefined && value !== "") out.push(`  ${name.padEnd(10)} ${value}`);
  };
  field("input", state.input?.videoUrl);
  field("video id", state.input?.videoId);
  field("params", state.input?.params === undefined ? undefined : JSON.stringify(state.input.params));
  field("source", describeSource(state));
  field(
    "submitted",
    state.submittedAt &&
      `${formatTime(state.submittedAt)} (${formatDuration(Date.parse(now) - Date.parse(state.submittedAt))} ago)`,
  );
  field("finished", state.finishedAt && formatTime(state.finishedAt));
  field(
    "attempt",
    state.attempt === 0
      ? undefined
      : `${state.attempt} launched; ${state.attemptsUsed} failed attempt(s) counted, ${state.infraRetries} infrastructure retr${state.infraRetries === 1 ? "y" : "ies"}`,
  );
  field("reason", state.reason && (state.status === "SUCCEEDED" ? undefined : state.reason));
  field("exit code", state.exitCode === undefined ? undefined : String(state.exitCode));

  out.push("", p.paint("bold", "History"));
  out.push(indent(renderTable(eventRows(events, timeline.submittedAt), eventColumns(p), p)));

  const d = timeline.durations;
  out.push(p.paint("bold", "Durations"));
  out.push(
    `  queued ${formatDuration(d.queued)}   provisioning ${formatDuration(d.provisioning)}   image pull ${formatDuration(d.imagePull)}   running ${formatDuration(d.running)}   total ${formatDuration(d.total)}${timeline.finishedAt === undefined && d.total !== undefined ? " (so far)" : ""}`,
  );

  if (timeline.attempts.length > 0) {
    out.push("", p.paint("bold", "Attempts"));
    out.push(indent(renderTable(timeline.attempts, attemptColumns(), p)));
    for (const attempt of timeline.attempts) {
      if (attempt.taskArn !== undefined) out.push(`  task ${attempt.attempt}: ${attempt.taskArn}`);
    }
  }
  out.push(...costLines(ctx, jobCost(events)));
  if (logs.length > 0) {
    out.push("", p.paint("bold", "Logs"));
    for (const log of logs) out.push(`  attempt ${log.attempt}: ${log.command}`);
    if (ctx.config.logGroup === undefined && ctx.config.localLogDirectory === undefined) {
      out.push(
        p.paint("dim", "  (worker log group unknown: pass --log-group, set JOBS_LOG_GROUP or use --stack)"),
      );
    }
  }
  return `${out.join("\n")}\n`;
}

/** Each stopped attempt's Fargate cost and the total; local mode's are estimates from local timings. */
function costLines(ctx: CommandContext, cost: JobCost): string[] {
  if (cost.attempts.length === 0 && cost.unpriced === 0) return [];
  const label = ctx.config.local ? " (estimate: local timings, the stack's task size)" : "";
  const out = ["", ctx.paint.paint("bold", `Cost${label}`)];
  for (const { attempt, cost: c } of cost.attempts) {
    out.push(
      `  attempt ${attempt}: ${formatUsd(c.usd)}  ${c.billedSeconds} s x ${c.vcpu} vCPU, ${c.memoryGb} GB${c.extraStorageGib > 0 ? `, +${c.extraStorageGib} GiB storage` : ""}, ${c.architecture}, ${c.capacityProvider}  (${c.prices.region} prices of ${c.prices.asOf})`,
    );
  }
  if (cost.unpriced > 0)
    out.push(`  ${cost.unpriced} attempt(s) without a price (no task size or no price for the region)`);
  out.push(`  total: ${formatUsd(cost.totalUsd)} Fargate compute`);
  return out;
}

function attemptColumns() {
  return [
    { header: "#", value: (a: AttemptTimeline) => String(a.attempt), align: "right" as const },
    { header: "TASK", value: (a: AttemptTimeline) => (a.taskArn === undefined ? "-" : taskId(a.taskArn)) },
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
    { header: "OUTCOME", value: (a: AttemptTimeline) => truncate(outcome(a), 100) },
  ];
}

function outcome(attempt: AttemptTimeline): string {
  if (attempt.launchFailure) return `launch failed: ${attempt.launchFailure.reason}`;
  if (!attempt.stopped) return attempt.ran ? "running" : attempt.taskArn ? "starting" : "launching";
  if (attempt.failure) return `${attempt.failure.kind}: ${attempt.failure.description}`;
  return [attempt.stopCode, "succeeded"].filter(Boolean).join(": ");
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
    .split("\n")
    .map((line) => (line === "" ? line : `  ${line}`))
    .join("\n");
}
