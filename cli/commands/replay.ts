// `jobs replay --since T [--status S ...] [--job ID ...]`: re-publishes the stored transitions of the jobs
// changed since T (every status's index over that window, or the jobs named) for consumers that missed
// them, through the publisher the stream uses (jobs/workflows/publish-outcomes.ts), with the same sequence numbers:
// consumers drop what they already have by job id and sequence. `--webhook URL` POSTs them instead, and
// `--dry-run` prints them. Every target goes through the delivery engine (jobs/workflows/outcome-delivery.ts): per
// job in order, retried with backoff, what was not accepted left owed; `--outbox DIR` keeps that record,
// so the same command again skips what was delivered and sends what is owed. It reports the counts.

import path from "node:path";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { Command } from "commander";
import { CONFIG_SCHEMA } from "../../config/schema";
import { EventBridgeOutcomePublisher } from "../../jobs/adapters/aws/eventbridge-publisher";
import { FileOutboxStore } from "../../jobs/adapters/file/file-outbox";
import { WebhookPublisher, webhookUrlProblem } from "../../jobs/adapters/http/webhook-publisher";
import type { JobStateChange } from "../../jobs/boundary";
import { JOB_STATUSES, JobNotFoundError, type JobStatus } from "../../jobs/model";
import {
  MemoryOutboxStore,
  type OutboxStore,
  type OutcomePublisher,
  type ReplayCounts,
  replayTransitions,
  transitionsToReplay,
} from "../../jobs/workflows";
import { COMMAND } from "../command-name";
import { positiveInt, type Registration } from "../command-options";
import type { CommandContext } from "../context";
import { EXIT_ERROR, UsageError } from "../errors";
import { parseStatuses } from "../job-listing";
import { parseTime, TIME_FORMATS } from "../time-window";

export interface ReplayOptions {
  readonly since?: string;
  readonly status?: readonly string[];
  readonly job?: readonly string[];
  readonly webhook?: string;
  readonly dryRun?: boolean;
  readonly outbox?: string;
  readonly tries?: number;
  readonly limit: number;
}

/** Tries of one event before a replay leaves its job owed: about 7 s of backoff (0.5, 1, 2, 4 s). */
export const REPLAY_TRIES = 5;
const REPLAY_RETRY = { baseDelayMs: 500, maxDelayMs: 10_000 };

export async function replayCommand(
  ctx: CommandContext,
  options: ReplayOptions,
  publisherOverride?: OutcomePublisher,
): Promise<number> {
  if (options.since === undefined)
    throw new UsageError("replay needs --since", "e.g. --since 2h or --since 2026-11-01");
  const now = ctx.io.now();
  const since = parseTime(options.since, now, "--since", "start").toISOString();
  const statuses = parseStatuses(options.status ?? []);
  const webhookProblem = options.webhook === undefined ? undefined : webhookUrlProblem(options.webhook);
  if (webhookProblem !== undefined)
    throw new UsageError(
      `--webhook must be an http:// or https:// URL, got "${options.webhook}" (${webhookProblem})`,
      "e.g. --webhook http://127.0.0.1:9000/hook",
    );
  const publisher = publisherOverride ?? makePublisher(ctx, options);
  const bucket = ctx.config.bucket?.value;
  if (bucket === undefined)
    throw new UsageError(
      "no uploads bucket configured (success events name the output location in it)",
      "pass --bucket NAME, set UPLOADS_BUCKET, or use --stack NAME or --local",
    );
  const target = {
    outputBucket: bucket,
    outputPrefix: ctx.io.env.JOBS_OUTPUT_PREFIX?.trim() || CONFIG_SCHEMA.outputPrefix.default,
  };
  const filter = { since, ...(statuses.length > 0 ? { statuses: new Set<string>(statuses) } : {}) };

  const store = ctx.aws.store();
  const jobIds = options.job?.length
    ? [...new Set(options.job)]
    : await jobsChangedSince(ctx, since, now, options.limit);
  const replayed: Array<{ jobId: string; transitions: number }> = [];
  async function* transitionsOfEachJob(): AsyncGenerator<readonly JobStateChange[]> {
    for (const jobId of jobIds) {
      const stored = await store.get(jobId);
      if (stored === undefined) {
        if (options.job?.length) throw new JobNotFoundError(jobId);
        continue; // expired (TTL) between the listing and the read
      }
      const changes = transitionsToReplay(jobId, stored.events, filter, target);
      if (changes.length > 0) replayed.push({ jobId, transitions: changes.length });
      yield changes;
    }
  }
  const outbox: OutboxStore =
    options.outbox === undefined
      ? new MemoryOutboxStore()
      : new FileOutboxStore(path.resolve(ctx.io.cwd, options.outbox));
  const counts = await replayTransitions(
    {
      publisher,
      store: outbox,
      retry: { ...REPLAY_RETRY, maxTries: options.tries ?? REPLAY_TRIES },
      // PutEvents takes 10 entries a call; a webhook gets one POST at a time.
      batchSize: options.webhook === undefined && !options.dryRun ? 10 : 1,
    },
    transitionsOfEachJob(),
  );
  const where = options.dryRun
    ? "printed"
    : options.webhook
      ? `posted to ${options.webhook}`
      : `published to ${ctx.config.eventBus?.value}`;
  if (ctx.json && !options.dryRun)
    ctx.emit({
      since,
      published: counts.sent,
      sent: counts.sent,
      skipped: counts.skipped,
      failed: counts.failed,
      jobs: replayed,
      owed: counts.owed,
    });
  else ctx.note(`${countsLine(counts)}: transition(s) of ${replayed.length} job(s) ${where}`);
  if (counts.failed === 0) return 0;
  for (const job of counts.owed)
    ctx.note(`owed: ${job.jobId} ${job.owed}${job.error === undefined ? "" : ` (${job.error})`}`);
  ctx.note(
    options.outbox === undefined
      ? "run it again with --outbox DIR to keep what was delivered and resume from what is owed"
      : `run the same command again (same --outbox ${options.outbox}) to send what is owed`,
  );
  return EXIT_ERROR;
}

function countsLine(counts: ReplayCounts): string {
  return `sent ${counts.sent}, skipped ${counts.skipped}, failed ${counts.failed}`;
}

/** Every job whose last change is within [since, now]: each status's index over that window. */
async function jobsChangedSince(
  ctx: CommandContext,
  since: string,
  now: Date,
  limit: number,
): Promise<string[]> {
  const store = ctx.aws.store();
  const window = { from: since, to: now.toISOString() };
  const ids: string[] = [];
  for (const status of JOB_STATUSES as readonly JobStatus[]) {
    let cursor: string | undefined;
    do {
      const page = await store.listByStatus(
        status,
        { limit: 100, ...(cursor === undefined ? {} : { cursor }) },
        window,
      );
      ids.push(...page.jobs.map((job) => job.jobId));
      cursor = page.cursor;
      if (ids.length >= limit)
        throw new UsageError(
          `more than ${limit} jobs changed since ${since}`,
          "narrow --since, name jobs with --job, or raise --limit",
        );
    } while (cursor !== undefined);
  }
  return ids;
}

function makePublisher(ctx: CommandContext, options: ReplayOptions): OutcomePublisher {
  if (options.dryRun) {
    return {
      async publish(changes) {
        for (const change of changes) ctx.io.stdout.write(`${JSON.stringify(change)}\n`);
      },
    };
  }
  if (options.webhook !== undefined) return new WebhookPublisher(options.webhook);
  const bus = ctx.config.eventBus;
  if (bus === undefined)
    throw new UsageError(
      "no jobs bus configured",
      "set JOBS_EVENT_BUS, use --stack NAME (output eventBusName), or pass --webhook URL or --dry-run",
    );
  const region = ctx.config.region?.value;
  const credentials = ctx.config.credentials;
  const client = new EventBridgeClient({
    ...(region === undefined ? {} : { region }),
    ...(credentials === undefined ? {} : { credentials }),
  });
  return new EventBridgeOutcomePublisher(client, bus.value);
}

/** Declares `replay` on the program: its arguments, options, help and action. */
export function registerReplayCommand(program: Command, { run }: Registration): void {
  program
    .command("replay")
    .description("re-publish the stored transitions of jobs changed since a time, as Job State Change events")
    .option("--since <time>", "transitions recorded at or after this time (required)")
    .option("--status <status...>", "only transitions into these statuses (repeatable, or comma-separated)")
    .option("--job <jobId...>", "only these jobs (repeatable)")
    .option("--webhook <url>", "POST them to this URL instead of the jobs bus")
    .option("--dry-run", "print them (JSON lines) instead of publishing")
    .option(
      "--outbox <dir>",
      "record in DIR what the receiver accepted and what is owed, per job; the same command again with the same DIR resumes (one DIR per replay: it keeps the last sequence delivered, so a wider --status would skip what lies below it)",
    )
    .option("--tries <n>", "tries of one event before its job is left owed", positiveInt, REPLAY_TRIES)
    .option("--limit <n>", "refuse to replay more jobs than this", positiveInt, 10_000)
    .addHelpText(
      "after",
      `\nThe jobs bus: JOBS_EVENT_BUS or --stack (output eventBusName). Each event keeps its original sequence,\nso consumers drop the ones they have (by job id and sequence). Times: ${TIME_FORMATS}.\nEvents of one job go out in order, the next only once the one before was accepted; one not accepted is\ntried again with backoff (--tries), then left owed with the rest of its job's. It reports what was sent,\nskipped (already delivered, per --outbox) and failed (owed), and exits 1 when anything is owed.\n\nExamples:\n  ${COMMAND} replay --since 2h --status SUCCEEDED --stack dev\n  ${COMMAND} replay --since 2026-11-01 --job s3-4f2a --dry-run\n  ${COMMAND} replay --since 1d --webhook http://127.0.0.1:9000/hook --outbox ./replay-outbox`,
    )
    .action((opts, command: Command) => run(command, (ctx) => replayCommand(ctx, opts)));
}
