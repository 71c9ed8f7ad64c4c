// What the console's page asks for, answered through the same jobs/ queries and workflows as the jobs CLI:
// the list through the table's indexes (cli/job-listing.ts; never a scan), a job by id or unique prefix
// (jobs/store/find-job.ts), its timeline, cost, progress, logs and outputs (the CLI's readers), the statistics
// (jobs/insights/stats.ts, cost-stats.ts, size-recommendation.ts, activity.ts), and retry and cancel
// (jobs/workflows/retry-job.ts, jobs/workflows/cancel-job.ts, with the CLI's adapters). Nothing here holds a credential for the page.

import { GetObjectCommand } from "@aws-sdk/client-s3";
import { required } from "../../cli/config";
import { whoRanIt } from "../../cli/context";
import { clusterOfTask, currentReason, describeEvent, logLocations } from "../../cli/history";
import { readHistories, readJobList } from "../../cli/job-listing";
import { listOutputs, type OutputObject, outputLocation } from "../../cli/outputs";
import { ProgressReader, type WorkerProgress } from "../../cli/progress";
import { parseWindow } from "../../cli/time-window";
import { type LogLine, logSourceOf } from "../../cli/worker-logs";
import { EcsTaskControl } from "../../jobs/adapters/aws/ecs-task-control";
import { SqsRetryQueue } from "../../jobs/adapters/aws/sqs-retry-queue";
import {
  type Activity,
  activity,
  type CostStats,
  costStats,
  type JobStats,
  type JobTimeline,
  jobStats,
  jobTimeline,
  recommendSize,
  type SizeRecommendation,
  sizeMeasurements,
} from "../../jobs/insights";
import type { JobEvent } from "../../jobs/model";
import { isTerminal, type JobCost, type JobState, jobCost, pricesFor } from "../../jobs/model";
import { findJob } from "../../jobs/store";
import { cancelJob, type RetryAdvice, retryAdvice, retryJob } from "../../jobs/workflows";
import type { Connection } from "./connection";

export interface ListQuery {
  readonly status?: readonly string[];
  readonly since?: string;
  readonly input?: string;
  readonly idPrefix?: string;
  readonly cursor?: string;
  readonly limit: number;
  // Tenant and priority filters join here once jobs carry them (a later issue): a field each, passed to
  // readJobList's filter like `input`.
}

export interface ListAnswer {
  readonly jobs: readonly JobState[];
  readonly cursor?: string;
  readonly window?: { readonly from: string; readonly to: string };
  readonly source: string;
}

export async function listJobs(c: Connection, query: ListQuery): Promise<ListAnswer> {
  const { page, window } = await readJobList(
    c.aws.store(),
    {
      limit: query.limit,
      pageSize: 100,
      ...(query.status === undefined || query.status.length === 0 ? {} : { status: query.status }),
      ...(query.since === undefined ? {} : { since: query.since }),
      ...(query.input === undefined ? {} : { input: query.input }),
      ...(query.idPrefix === undefined ? {} : { idPrefix: query.idPrefix }),
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
    },
    c.config.deadlines,
    new Date(),
  );
  return {
    // The reason the job is where it is now (a running retry carries no older attempt's failure), as `list` shows.
    jobs: page.jobs.map(({ reason: _stored, ...job }) => {
      const reason = currentReason({ ...job, reason: _stored } as JobState);
      return reason === undefined ? job : { ...job, reason };
    }),
    ...(page.cursor === undefined ? {} : { cursor: page.cursor }),
    ...(window === undefined ? {} : { window }),
    source: c.config.table?.source ?? "",
  };
}

export interface JobAnswer {
  readonly job: JobState;
  readonly events: ReadonlyArray<JobEvent & { readonly description: string }>;
  readonly timeline: JobTimeline;
  readonly cost: JobCost & { readonly estimate: boolean };
  readonly progress?: { readonly progress?: WorkerProgress; readonly error?: string };
  readonly outputs: readonly OutputObject[];
  readonly outputsError?: string;
  /** Attempts that launched a task, whose logs can be read. */
  readonly logAttempts: readonly number[];
  readonly canRetry: boolean;
  readonly canCancel: boolean;
  readonly retry?: RetryAdvice;
  readonly now: string;
}

export async function readJob(c: Connection, idOrPrefix: string): Promise<JobAnswer> {
  const stored = await findJob(c.aws.store(), idOrPrefix, { now: new Date() });
  const now = new Date().toISOString();
  const { state, events } = stored;
  const active = !isTerminal(state.status);
  const timeline = jobTimeline(events, active ? now : undefined);
  const progress = await new ProgressReader(c.ctx).read(state, timeline.attempts);
  let outputs: OutputObject[] = [];
  let outputsError: string | undefined;
  const location = timeline.attempts.length > 0 ? outputLocation(c.config, state.jobId) : undefined;
  if (location !== undefined) {
    try {
      outputs = await listOutputs(c.aws.s3(), location);
    } catch (error) {
      outputsError = `outputs not readable: ${(error as Error).message}`;
    }
  }
  const canRetry = state.status === "FAILED" || state.status === "TIMED_OUT" || state.status === "CANCELLED";
  return {
    job: state,
    events: events.map((event) => ({ ...event, description: describeEvent(event) })),
    timeline,
    cost: { ...jobCost(events), estimate: c.config.local },
    ...(progress === undefined ? {} : { progress }),
    outputs,
    ...(outputsError === undefined ? {} : { outputsError }),
    logAttempts: logLocations(timeline.attempts, c.config, active).map((l) => l.attempt),
    canRetry,
    canCancel: active,
    ...(canRetry ? { retry: retryAdvice(stored, c.config.maxWorkerMemoryMb) } : {}),
    now,
  };
}

export interface LogsAnswer {
  readonly attempt: number;
  readonly lines: readonly LogLine[];
  /** Where the log is: a file path, or a log group and stream (names, not credentials). */
  readonly where: string;
  /** The job is finished, or this attempt stopped: no more lines will come. */
  readonly complete: boolean;
}

/** An attempt's log from its `from`-th line (the page follows by asking again from where it got to). */
export async function readLogs(
  c: Connection,
  jobId: string,
  attempt: number | undefined,
  from: number,
): Promise<LogsAnswer> {
  const stored = await findJob(c.aws.store(), jobId, { now: new Date() });
  const active = !isTerminal(stored.state.status);
  const timeline = jobTimeline(stored.events, active ? new Date().toISOString() : undefined);
  const locations = logLocations(timeline.attempts, c.config, active);
  const location = attempt === undefined ? locations.at(-1) : locations.find((l) => l.attempt === attempt);
  if (location === undefined)
    throw new NotFound(
      `attempt ${attempt ?? "(latest)"} of job ${stored.state.jobId} launched no task: it has no log`,
    );
  const source = logSourceOf(location, () => c.aws.logs());
  const ran = timeline.attempts.find((a) => a.attempt === location.attempt);
  const complete = !active || ran?.stopped === true;
  const lines = await source.read(complete);
  return { attempt: location.attempt, lines: lines.slice(from), where: source.description, complete };
}

export interface OutputBody {
  readonly body: AsyncIterable<Uint8Array>;
  readonly contentType: string;
  readonly length?: number;
}

/** One of the job's outputs, by its name under the job's prefix (only a name `listOutputs` gave). */
export async function readOutput(c: Connection, jobId: string, name: string): Promise<OutputBody> {
  const location = outputLocation(c.config, jobId);
  if (location === undefined) throw new NotFound("no uploads bucket configured: outputs cannot be read");
  const known = (await listOutputs(c.aws.s3(), location)).find((o) => o.name === name);
  if (known === undefined) throw new NotFound(`job ${jobId} has no output "${name}"`);
  const object = await c.aws.s3().send(new GetObjectCommand({ Bucket: location.bucket, Key: known.key }));
  if (object.Body === undefined) throw new NotFound(`output "${name}" has no body`);
  return {
    body: object.Body as AsyncIterable<Uint8Array>,
    contentType: contentTypeOf(name),
    ...(object.ContentLength === undefined ? {} : { length: object.ContentLength }),
  };
}

/** By extension, never the stored content type: an object cannot make itself a page. */
export function contentTypeOf(name: string): string {
  if (/\.jpe?g$/i.test(name)) return "image/jpeg";
  if (/\.png$/i.test(name)) return "image/png";
  if (/\.json$/i.test(name)) return "application/json; charset=utf-8";
  if (/\.(txt|log)$/i.test(name)) return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

export interface StatsAnswer {
  readonly window: { readonly from: string; readonly to: string };
  readonly stats: JobStats;
  readonly cost: CostStats & { readonly estimate: boolean };
  readonly activity: Activity;
  readonly sizes: SizeRecommendation;
  readonly truncated: boolean;
  readonly limit: number;
}

export async function readStats(c: Connection, since: string, limit: number): Promise<StatsAnswer> {
  const window = parseWindow({ since }, new Date(), since);
  if (window === undefined) throw new Error("unreachable: stats always has a window");
  const store = c.aws.store();
  const { page } = await readJobList(store, { since, limit, pageSize: 100 }, c.config.deadlines, new Date());
  const histories = await readHistories(store, page.jobs);
  const region = c.config.region?.value;
  return {
    window,
    stats: jobStats(histories),
    cost: { ...costStats(histories), estimate: c.config.local },
    activity: activity(histories, window),
    sizes: recommendSize({
      measurements: sizeMeasurements(histories),
      ...(region === undefined ? {} : { region }),
      pricesFor: (r) => pricesFor(r),
    }),
    truncated: page.cursor !== undefined,
    limit,
  };
}

export interface ActionAnswer {
  readonly jobId: string;
  readonly status: string;
  readonly message: string;
}

export async function retry(c: Connection, idOrPrefix: string, force: boolean): Promise<ActionAnswer> {
  const queueUrl = required(c.config, "queueUrl").value;
  const stored = await findJob(c.aws.store(), idOrPrefix, { now: new Date() });
  const advice = retryAdvice(stored, c.config.maxWorkerMemoryMb);
  if (advice.refused !== undefined) throw new Refused(advice.refused);
  if (advice.warning !== undefined && !force)
    throw new Refused(`${advice.warning} (confirm to retry anyway)`);
  const { change, attempt } = await retryJob(
    {
      store: c.aws.store(),
      retryQueue: new SqsRetryQueue(c.aws.sqs(), queueUrl),
      clock: () => new Date().toISOString(),
    },
    stored.state.jobId,
    `retried by hand (job console, ${whoRanIt(c.ctx)})`,
  );
  return {
    jobId: stored.state.jobId,
    status: change.after.status,
    message: `retry scheduled: attempt ${attempt} is on its way (history kept: ${change.stored.events.length} events)`,
  };
}

export async function cancel(c: Connection, idOrPrefix: string): Promise<ActionAnswer> {
  const known = await findJob(c.aws.store(), idOrPrefix, { now: new Date() });
  const cluster =
    c.config.cluster?.value ??
    (known.state.taskArn === undefined ? undefined : clusterOfTask(known.state.taskArn));
  const tasks =
    cluster === undefined
      ? undefined
      : new EcsTaskControl(c.aws.ecs(), { clusterArn: cluster, workerContainerName: c.config.containerName });
  const { change, stopped } = await cancelJob(
    { store: c.aws.store(), clock: () => new Date().toISOString(), ...(tasks ? { tasks } : {}) },
    known.state.jobId,
    `cancelled by hand (job console, ${whoRanIt(c.ctx)})`,
  );
  return {
    jobId: known.state.jobId,
    status: change.after.status,
    message: `cancelled (was ${change.before.status})${stopped.length > 0 ? `; stopping ${stopped.length} task(s)` : "; no task was running"}`,
  };
}

/** Answered 404. */
export class NotFound extends Error {}
/** Answered 409: the action is refused as the CLI would refuse it. */
export class Refused extends Error {}
