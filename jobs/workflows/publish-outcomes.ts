// The outcome publisher's workflow: the jobs table's change stream is the outbox. Each stream record is
// one write; the events it appended become "Job State Change" events (outcome-events.ts) put on the jobs
// bus, in order through the delivery engine (outcome-delivery.ts: `deliverInOrder`). `replay` re-publishes
// stored transitions through the same engine, with its outbox and retries (`replayTransitions`).
//
// Order and duplicates. Lambda reads a shard in order and, with ReportBatchItemFailures, checkpoints
// before the first record reported failed: that record and every later one of the batch come again, the
// earlier ones never do. So records are published one after another, and at the first failure the
// workflow stops and reports that record: nothing after it has been published, so its retry duplicates
// nothing and overtakes nothing (a parallel or continue-on-failure processor would publish later records
// that the retry then publishes again, after the failed one). A record whose image cannot be read
// ("poison") would fail every retry and hold its shard back: it is set aside in the dead-letter queue and
// the batch goes on. Left possible: a PutEvents whose answer was lost, or a record of several events of
// which some were put before one failed, sends those again with the same `sequence` — consumers drop
// them by (jobId, sequence), as at-least-once delivery requires anyway.

import type { DynamoDBBatchResponse, DynamoDBRecord } from "aws-lambda";
import { type JobStateChange, jobStateChanges } from "../boundary/outcome-events";
import { readStreamRecord } from "../boundary/stream-records";
import type { WorkerTarget } from "../boundary/worker-environment";
import type { JobEvent } from "../model/events";
import type { Log } from "../store/ports";
import {
  deliverInOrder,
  describeSequences,
  type OutboxOptions,
  OutcomeOutbox,
  type OutcomePublisher,
} from "./outcome-delivery";

/** Keeps a record no retry can make readable, with why (the publisher's dead-letter queue). */
export interface PoisonRecords {
  setAside(record: unknown, reason: string): Promise<void>;
}

export interface PublishDeps {
  readonly publisher: OutcomePublisher;
  readonly poison: PoisonRecords;
  /** Where outputs are (the success event names the job's output location). */
  readonly target: Pick<WorkerTarget, "outputBucket" | "outputPrefix">;
  readonly log: Log;
}

export async function publishStreamRecords(
  deps: PublishDeps,
  records: readonly DynamoDBRecord[],
): Promise<DynamoDBBatchResponse> {
  for (const record of records) {
    const sequenceNumber = record.dynamodb?.SequenceNumber;
    // Without its sequence number a record cannot be reported alone: the whole batch is retried (bisected).
    if (sequenceNumber === undefined) throw new Error("stream record without a SequenceNumber");
    const failed = { batchItemFailures: [{ itemIdentifier: sequenceNumber }] };
    const reading = readStreamRecord(record);
    if (reading.kind === "skip") continue;
    if (reading.kind === "poison") {
      deps.log.warn("stream record set aside", { sequenceNumber, reason: reading.reason });
      try {
        await deps.poison.setAside(record, reading.reason);
      } catch (error) {
        deps.log.warn("could not set the record aside; retrying from it", { sequenceNumber, error });
        return failed;
      }
      continue;
    }
    const changes = jobStateChanges(reading.jobId, reading.events, reading.from, deps.target);
    const pass = await deliverInOrder(deps.publisher, changes);
    if (pass.error !== undefined) {
      deps.log.warn("publishing failed; retrying from this record", {
        sequenceNumber,
        jobId: reading.jobId,
        delivered: describeSequences(pass.delivered),
        owed: describeSequences(pass.owed),
        error: pass.error.message,
      });
      return failed;
    }
    deps.log.info("published", { jobId: reading.jobId, sequences: changes.map((c) => c.sequence) });
  }
  return { batchItemFailures: [] };
}

export interface ReplayFilter {
  /** Only transitions recorded at or after this time (ISO-8601). */
  readonly since: string;
  /** Only transitions into these statuses; all when absent. */
  readonly statuses?: ReadonlySet<string>;
}

/** The stored transitions of one job that a replay re-publishes, oldest first, with their original sequence. */
export function transitionsToReplay(
  jobId: string,
  events: readonly JobEvent[],
  filter: ReplayFilter,
  target: PublishDeps["target"],
): JobStateChange[] {
  return jobStateChanges(jobId, events, 0, target).filter(
    (change) => change.at >= filter.since && (filter.statuses?.has(change.status) ?? true),
  );
}

export interface ReplayCounts {
  /** Accepted by the receiver in this run. */
  readonly sent: number;
  /** Already delivered by an earlier run of the same replay (its outbox says so). */
  readonly skipped: number;
  /** Not delivered: each job's first refused event and the ones held back behind it; still owed. */
  readonly failed: number;
  /** The jobs still owed events, with what and why. */
  readonly owed: ReadonlyArray<{ jobId: string; owed: string; error?: string }>;
}

/**
 * Re-publishes jobs' transitions through the delivery engine, in order per job, with its retries: an outbox
 * in `options.store` (a replay's cursor: run again with the same one, what was delivered is skipped and
 * what is owed sent). `jobs` yields each job's transitions; jobs proceed independently.
 */
export async function replayTransitions(
  options: OutboxOptions,
  jobs: AsyncIterable<readonly JobStateChange[]>,
): Promise<ReplayCounts> {
  // Skipped: delivered by an earlier run, as the outbox was before this one sent anything.
  const deliveredBefore = new Map(
    (await options.store.load()).map((record) => [record.jobId, record.deliveredThrough]),
  );
  const outbox = await OutcomeOutbox.open(options);
  let skipped = 0;
  try {
    for await (const changes of jobs) {
      skipped += changes.filter((c) => c.sequence <= (deliveredBefore.get(c.jobId) ?? 0)).length;
      await outbox.add(changes);
    }
    await outbox.settled();
  } finally {
    await outbox.close();
  }
  const owed = outbox.owed();
  return {
    sent: outbox.delivered,
    skipped,
    failed: owed.reduce((sum, job) => sum + job.owed.length, 0),
    owed: owed.map((job) => ({
      jobId: job.jobId,
      owed: describeSequences(job.owed),
      ...(job.gaveUp === undefined ? {} : { error: job.gaveUp.message }),
    })),
  };
}

export { OutcomePublishError, type OutcomePublisher } from "./outcome-delivery";
