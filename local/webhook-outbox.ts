// Local mode's `--webhook URL`: every Job State Change goes through the delivery engine's outbox
// (jobs/workflows/outcome-delivery.ts), kept in the state folder (outbox/, one file per job), so an event the receiver
// did not accept — a 5xx, a refused connection, no answer in time — is sent again with backoff until it is,
// a job's next event only after it, and what is owed when local mode stops or is killed is sent at the next
// start. Each delivery and each failure is a line of the log, saying what is still owed.
//
// Events written while no outbox was told of them (local mode killed between a handler's write and its
// report) are found at start: every job changed since the last start's look (a second before it, should the
// clock step back) is read again, and what its history has beyond the outbox's record is added (the outbox
// drops what it already has). Nothing writes jobs while the look runs (the handlers start after it), so
// every change before it is in the outbox once it is done; the mark then moves to its start, and a restart
// reads only the jobs changed since, however many the state folder holds.

import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { FileOutboxStore } from "../jobs/adapters/file/file-outbox";
import { WEBHOOK_TIMEOUT_MS, WebhookPublisher } from "../jobs/adapters/http/webhook-publisher";
import type { WorkerTarget } from "../jobs/boundary";
import { type JobStateChange, jobStateChanges } from "../jobs/boundary";
import { JOB_STATUSES } from "../jobs/model";
import type { JobStore } from "../jobs/store";
import {
  DEFAULT_RETRY,
  describeSequences,
  type OutboxListener,
  OutcomeOutbox,
  type RetrySchedule,
} from "../jobs/workflows";

export interface WebhookDelivery {
  readonly url: string;
  /** A POST not answered in this long is taken as not accepted; default 10 s. */
  readonly timeoutMs?: number;
  /** Backoff between tries; default 0.5 s doubling to 30 s, forever. */
  readonly retry?: RetrySchedule;
  /** Where the log lines go. */
  readonly say: (line: string) => void;
}

export interface LocalWebhookOutbox {
  add(changes: readonly JobStateChange[]): Promise<void>;
  /** Resolves once nothing is owed (true), or after `timeoutMs` (false). */
  settled(timeoutMs: number): Promise<boolean>;
  /** The last sequence of the job the outbox has had (0: none). */
  newestSequence(jobId: string): number;
  /** Events still owed, per job. */
  owed(): Array<{ jobId: string; owed: readonly JobStateChange[] }>;
  /** Stops retrying and says what is still owed (sent at the next start). */
  close(): Promise<void>;
}

/** The state folder's part that holds the outbox. */
export const OUTBOX_FOLDER = "outbox";
/** In the outbox folder: when the last start's look began (jobs changed since then are checked at a start). */
const OPENED_AT_FILE = "opened-at";
/** How far before the last look a start looks again: a clock stepped back must not hide a change. */
const LOOK_BACK_MS = 1_000;

export async function openWebhookOutbox(
  stateDirectory: string,
  delivery: WebhookDelivery,
  store: JobStore,
  target: Pick<WorkerTarget, "outputBucket" | "outputPrefix">,
): Promise<LocalWebhookOutbox> {
  const directory = path.join(stateDirectory, OUTBOX_FOLDER);
  const openedAt = await firstOpened(directory);
  const { say, url } = delivery;
  let outbox: OutcomeOutbox | undefined;
  let failedSinceNothingOwed = false;
  let saidNothingOwed = false;
  const listener: OutboxListener = {
    delivered(jobId, changes) {
      for (const change of changes) say(`webhook: delivered ${jobId} #${change.sequence} ${change.event}`);
      if (failedSinceNothingOwed && outbox?.owed().length === 0) {
        failedSinceNothingOwed = false;
        saidNothingOwed = true;
        say("webhook: nothing owed");
      }
    },
    notDelivered(jobId, { error, owed, tries, retryInMs }) {
      failedSinceNothingOwed = true;
      saidNothingOwed = false;
      const retry =
        retryInMs === undefined
          ? "given up for now"
          : `try ${tries + 1} in ${(retryInMs / 1000).toFixed(1)} s`;
      say(
        `webhook: ${jobId} #${owed[0]?.sequence} not delivered: ${error.message}; owed ${describeSequences(owed)}; ${retry}`,
      );
    },
  };
  outbox = await OutcomeOutbox.open({
    publisher: new WebhookPublisher(url, fetch, delivery.timeoutMs ?? WEBHOOK_TIMEOUT_MS),
    store: new FileOutboxStore(directory),
    retry: delivery.retry ?? DEFAULT_RETRY,
    listener,
  });
  const opened = outbox;
  const owedAtStart = opened.owed();
  if (owedAtStart.length > 0) {
    failedSinceNothingOwed = true;
    const events = owedAtStart.reduce((sum, job) => sum + job.owed.length, 0);
    say(
      `webhook: ${events} event(s) of ${owedAtStart.length} job(s) owed from an earlier run (${owedAtStart.map((job) => `${job.jobId} ${describeSequences(job.owed)}`).join(", ")}); delivering them to ${url}`,
    );
  }
  const lookStarted = Date.now();
  await addUnreported(opened, store, target, openedAt);
  await markLooked(directory, new Date(lookStarted - LOOK_BACK_MS).toISOString());
  return {
    async add(changes) {
      await opened.add(changes);
    },
    settled: (timeoutMs) => opened.settled(timeoutMs),
    owed: () => opened.owed(),
    newestSequence: (jobId) => opened.newestSequence(jobId),
    async close() {
      await opened.close();
      const owed = opened.owed();
      if (owed.length === 0 && saidNothingOwed) return;
      say(
        owed.length === 0
          ? "webhook: nothing owed"
          : `webhook: still owed ${owed.map((job) => `${job.jobId} ${describeSequences(job.owed)}`).join(", ")} (sent at the next start with --webhook)`,
      );
    },
  };
}

async function firstOpened(directory: string): Promise<string> {
  const file = path.join(directory, OPENED_AT_FILE);
  const recorded = await readFile(file, "utf8").catch(() => undefined);
  if (recorded !== undefined && !Number.isNaN(Date.parse(recorded.trim()))) return recorded.trim();
  const now = new Date().toISOString();
  await mkdir(directory, { recursive: true });
  await writeFile(file, `${now}\n`);
  return now;
}

/** Records where the next start's look begins; written whole (a kill mid-write leaves the old mark). */
async function markLooked(directory: string, since: string): Promise<void> {
  const file = path.join(directory, OPENED_AT_FILE);
  await writeFile(`${file}.writing`, `${since}\n`);
  await rename(`${file}.writing`, file);
}

/** Adds the events of every job changed since `since` that the outbox has not had (the rest it drops). */
async function addUnreported(
  outbox: OutcomeOutbox,
  store: JobStore,
  target: Pick<WorkerTarget, "outputBucket" | "outputPrefix">,
  since: string,
): Promise<void> {
  const window = { from: since, to: new Date(Date.now() + 60_000).toISOString() };
  for (const status of JOB_STATUSES) {
    let cursor: string | undefined;
    do {
      const page = await store.listByStatus(
        status,
        { limit: 100, ...(cursor === undefined ? {} : { cursor }) },
        window,
      );
      for (const { jobId } of page.jobs) {
        const stored = await store.get(jobId);
        if (stored !== undefined) await outbox.add(jobStateChanges(jobId, stored.events, 0, target));
      }
      cursor = page.cursor;
    } while (cursor !== undefined);
  }
}
