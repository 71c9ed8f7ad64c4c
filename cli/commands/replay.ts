// `jobs replay --since T [--status S ...] [--job ID ...]`: re-publishes the stored transitions of the jobs
// changed since T (every status's index over that window, or the jobs named) for consumers that missed
// them, through the publisher the stream uses (jobs/publish-outcomes.ts), with the same sequence numbers:
// consumers drop what they already have by job id and sequence. `--webhook URL` POSTs them instead, and
// `--dry-run` prints them.

import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { CONFIG_SCHEMA } from "../../config/schema";
import { EventBridgeOutcomePublisher } from "../../jobs/aws/eventbridge-publisher";
import { JobNotFoundError } from "../../jobs/errors";
import { type OutcomePublisher, replayJob } from "../../jobs/publish-outcomes";
import { JOB_STATUSES, type JobStatus } from "../../jobs/state";
import { WebhookPublisher } from "../../jobs/webhook-publisher";
import type { CommandContext } from "../context";
import { UsageError } from "../errors";
import { parseStatuses } from "../job-listing";
import { parseTime } from "../time-window";

export interface ReplayOptions {
  readonly since?: string;
  readonly status?: readonly string[];
  readonly job?: readonly string[];
  readonly webhook?: string;
  readonly dryRun?: boolean;
  readonly limit: number;
}

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
  let published = 0;
  const replayed: Array<{ jobId: string; transitions: number }> = [];
  for (const jobId of jobIds) {
    const stored = await store.get(jobId);
    if (stored === undefined) {
      if (options.job?.length) throw new JobNotFoundError(jobId);
      continue; // expired (TTL) between the listing and the read
    }
    const count = await replayJob(publisher, jobId, stored.events, filter, target);
    published += count;
    if (count > 0) replayed.push({ jobId, transitions: count });
  }
  const where = options.dryRun
    ? "printed"
    : options.webhook
      ? `posted to ${options.webhook}`
      : `published to ${ctx.config.eventBus?.value}`;
  if (ctx.json && !options.dryRun) ctx.emit({ since, published, jobs: replayed });
  else ctx.note(`${published} transition(s) of ${replayed.length} job(s) ${where}`);
  return 0;
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
