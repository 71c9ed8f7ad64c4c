// The outcome publisher with stream records made from real writes against dynalite (each record: the item
// read before and after a real changeJob): batches, partial failures and their retry (nothing duplicated,
// nothing overtaken), poison records, removals; what consumers receive, checked against the event schema.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type JobStateChange, jobStateChangeSchema } from "../../jobs/boundary/outcome-events";
import type { JobCommand, PolicyCommand } from "../../jobs/model/decide";
import {
  type OutcomePublisher,
  type PoisonRecords,
  publishStreamRecords,
} from "../../jobs/workflows/publish-outcomes";
import { type LocalDynamoDb, startLocalDynamoDb } from "../support/dynamodb";
import { INPUT, stopped } from "../support/factories";
import { StreamRecorder } from "../support/stream-records";

let db: LocalDynamoDb;
let recorder: StreamRecorder;

beforeAll(async () => {
  db = await startLocalDynamoDb();
  recorder = new StreamRecorder(db.client, await db.createTable("outcomes"));
});
afterAll(async () => {
  await db?.stop();
});

const TARGET = { outputBucket: "outputs-bucket", outputPrefix: "results/" };
const at = (second: number) => new Date(Date.UTC(2026, 10, 29, 10, 0, second)).toISOString();
const quiet = { info() {}, warn() {} };

/** A consumer: what the bus received, in order; `failOn` refuses the publish holding that job's sequence once. */
function bus(failOn: Array<[string, number]> = []) {
  const received: JobStateChange[] = [];
  const pending = [...failOn];
  const publisher: OutcomePublisher = {
    async publish(changes) {
      for (const change of changes) {
        const i = pending.findIndex(([job, seq]) => job === change.jobId && seq === change.sequence);
        if (i >= 0) {
          pending.splice(i, 1);
          throw new Error("ThrottlingException");
        }
        received.push(jobStateChangeSchema.parse(change));
      }
    },
  };
  return { publisher, received };
}

function poisonBin(fail = false) {
  const setAside: Array<{ record: unknown; reason: string }> = [];
  const poison: PoisonRecords = {
    async setAside(record, reason) {
      if (fail) throw new Error("SQS unavailable");
      setAside.push({ record, reason });
    },
  };
  return { poison, setAside };
}

/** The writes of a job that fails once (exit 1), then succeeds: 5 writes, 9 events. */
async function retriedJob(jobId: string) {
  const taskArn = (n: number) => `arn:aws:ecs:us-east-1:111122223333:task/video-jobs/${jobId}-${n}`;
  const steps: Array<JobCommand | PolicyCommand> = [
    { type: "Submit", now: at(0), jobId, input: INPUT, source: { kind: "message" } },
    { type: "RecordLaunch", now: at(1), attempt: 1, taskArn: taskArn(1) },
    {
      type: "ObserveTask",
      now: at(30),
      observation: { ...stopped(1, { exitCode: 1 }), taskArn: taskArn(1) },
    },
    { type: "LaunchRetry", now: at(40), attempt: 2 },
    {
      type: "ObserveTask",
      now: at(90),
      observation: { ...stopped(2, { exitCode: 0 }), taskArn: taskArn(2) },
    },
  ];
  const records = [];
  for (const step of steps) records.push(await recorder.write(jobId, step));
  return records;
}

const sequences = (received: readonly JobStateChange[], jobId: string) =>
  received.filter((c) => c.jobId === jobId).map((c) => c.sequence);

describe("publishing from the stream", () => {
  it("publishes every event each write appended, in order, with the job's state after it", async () => {
    const records = await retriedJob("pub-1");
    const { publisher, received } = bus();
    const response = await publishStreamRecords(
      { publisher, poison: poisonBin().poison, target: TARGET, log: quiet },
      records,
    );
    expect(response).toEqual({ batchItemFailures: [] });
    expect(received.map((c) => [c.sequence, c.event, c.status])).toEqual([
      [1, "JobSubmitted", "SUBMITTED"],
      [2, "TaskLaunchRequested", "LAUNCHING"],
      [3, "TaskLaunched", "LAUNCHED"],
      [4, "TaskStopped", "LAUNCHED"],
      [5, "RetryScheduled", "RETRYING"],
      [6, "TaskLaunchRequested", "LAUNCHING"],
      [7, "TaskStopped", "LAUNCHING"],
      [8, "JobSucceeded", "SUCCEEDED"],
    ]);
    expect(received[4]).toMatchObject({
      failure: { reason: "worker exited with code 1", kind: "exit-code", exitCode: 1 },
      attempt: 1,
    });
    expect(received[3]?.failure).toMatchObject({ kind: "exit-code", exitCode: 1 });
    expect(received[7]).toMatchObject({
      jobId: "pub-1",
      attempt: 2,
      input: INPUT,
      output: { url: "s3://outputs-bucket/results/pub-1/" },
      timings: { submittedAt: at(0), finishedAt: at(90) },
    });
    expect(received[7]?.failure).toBeUndefined();
  });

  it("after a failure at record N reports N, publishes nothing after it, and the retry duplicates nothing", async () => {
    const a = await retriedJob("pub-a");
    const b = await retriedJob("pub-b");
    // Interleaved as a shard would hold them (per key in order).
    const batch = [a[0], b[0], a[1], b[1], a[2], b[2]].filter((r) => r !== undefined);
    const { publisher, received } = bus([["pub-a", 3]]); // a's RecordLaunch write (sequence 3) fails once
    const deps = { publisher, poison: poisonBin().poison, target: TARGET, log: quiet };

    const first = await publishStreamRecords(deps, batch);
    expect(first).toEqual({ batchItemFailures: [{ itemIdentifier: a[1]?.dynamodb?.SequenceNumber }] });
    expect(sequences(received, "pub-a")).toEqual([1, 2]);
    expect(sequences(received, "pub-b")).toEqual([1, 2]); // b's record after the failure waits too

    // Lambda retries from the reported record: it and everything after it, nothing before.
    const second = await publishStreamRecords(deps, batch.slice(2));
    expect(second).toEqual({ batchItemFailures: [] });
    expect(sequences(received, "pub-a")).toEqual([1, 2, 3, 4, 5]);
    expect(sequences(received, "pub-b")).toEqual([1, 2, 3, 4, 5]);
  });

  it("sets aside a poison record and goes on; a record it cannot set aside is retried", async () => {
    const good = await retriedJob("pub-p");
    const poison = recorder.record("pub-x", undefined, {
      jobId: { S: "pub-x" },
      version: { N: "1" },
      events: { L: [{ M: { type: { S: "SomethingElse" }, at: { S: at(0) } } }] },
    });
    const batch = [good[0], poison, good[1]].filter((r) => r !== undefined);
    const bin = poisonBin();
    const { publisher, received } = bus();
    const response = await publishStreamRecords(
      { publisher, poison: bin.poison, target: TARGET, log: quiet },
      batch,
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(sequences(received, "pub-p")).toEqual([1, 2, 3]);
    expect(bin.setAside).toEqual([
      {
        record: poison,
        reason: expect.stringMatching(/^new image: .*events\[0\]\.type: unknown event type "SomethingElse"/),
      },
    ]);

    const failing = await publishStreamRecords(
      { publisher: bus().publisher, poison: poisonBin(true).poison, target: TARGET, log: quiet },
      batch,
    );
    expect(failing.batchItemFailures).toEqual([{ itemIdentifier: poison.dynamodb?.SequenceNumber }]);
  });

  it("skips removals (TTL) and fails the whole batch on a record without a sequence number", async () => {
    const [first] = await retriedJob("pub-r");
    const before = await recorder.image("pub-r");
    const removal = recorder.record("pub-r", before, undefined);
    const { publisher, received } = bus();
    const deps = { publisher, poison: poisonBin().poison, target: TARGET, log: quiet };
    expect(await publishStreamRecords(deps, [removal])).toEqual({ batchItemFailures: [] });
    expect(received).toEqual([]);
    const unnumbered = { ...first, dynamodb: { ...first?.dynamodb, SequenceNumber: undefined } };
    await expect(publishStreamRecords(deps, [unnumbered])).rejects.toThrow(/SequenceNumber/);
  });

  it("a retried record of several events sends them again with the same sequence, never out of order", async () => {
    const records = await retriedJob("pub-m");
    const stop = records[2]; // TaskStopped + RetryScheduled in one write: sequences 4 and 5
    const { publisher, received } = bus([["pub-m", 5]]);
    const deps = { publisher, poison: poisonBin().poison, target: TARGET, log: quiet };
    await publishStreamRecords(deps, records);
    await publishStreamRecords(deps, records.slice(2));
    // The consumer drops the duplicate 4 by (jobId, sequence); what it keeps is complete and ordered.
    const seen = sequences(received, "pub-m");
    expect(seen).toEqual([1, 2, 3, 4, 4, 5, 6, 7, 8]);
    expect([...new Set(seen)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(stop?.eventName).toBe("MODIFY");
  });
});
