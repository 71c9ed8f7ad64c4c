// A job's history never outgrows its DynamoDB item (400 KB): driven to MAX_LAUNCHES_PER_JOB launches on a
// real local DynamoDB (dynalite enforces the item size), every attempt failing with the longest texts ECS
// and the worker give, and retried by hand whenever its budget runs out. A further retry by hand is
// refused, and the item is still well within the limit (the reason at the limit: decide-sweeper.test.ts).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoDbJobStore } from "../../jobs/adapters/aws/dynamodb-store";
import {
  type JobCommand,
  jobDecider,
  MAX_LAUNCHES_PER_JOB,
  type PolicyCommand,
} from "../../jobs/model/decide";
import { InvalidTransitionError } from "../../jobs/model/errors";
import { changeJob, type StoredJob } from "../../jobs/store/store";
import { type LocalDynamoDb, startLocalDynamoDb } from "../support/dynamodb";
import { TEST_POLICY, taskArn } from "../support/factories";

const DYNAMODB_MAX_ITEM_BYTES = 400 * 1024;
type WithoutNow<C> = C extends JobCommand | PolicyCommand ? Omit<C, "now"> : never;
const JOB = "job-at-the-limit";
let db: LocalDynamoDb;
let store: DynamoDbJobStore;

beforeAll(async () => {
  db = await startLocalDynamoDb();
  store = new DynamoDbJobStore(db.client, { tableName: await db.createTable("bound"), retentionDays: 0 });
});
afterAll(async () => db?.stop());

describe("a job's history at the limit of launches", () => {
  it("stays within DynamoDB's item size at its last launch, and refuses another", async () => {
    let clock = Date.parse("2026-11-29T00:00:00.000Z");
    const decide = jobDecider(TEST_POLICY);
    let known: StoredJob | undefined;
    const apply = async (command: WithoutNow<JobCommand | PolicyCommand>) => {
      clock += 1000;
      const full = { ...command, now: new Date(clock).toISOString() } as JobCommand | PolicyCommand;
      const change = await changeJob(store, JOB, (state) => decide(state, full), known ? { known } : {});
      known = change.stored;
      return change.after;
    };
    const longest = (what: string, length: number) => `${what} `.repeat(length).slice(0, length);
    // A video URL and params as large as a job message may carry.
    await apply({
      type: "Submit",
      jobId: JOB,
      input: {
        videoUrl: `s3://uploads-bucket/${longest("folder/name", 1000)}.mp4`,
        videoId: longest("video", 1024),
        params: { note: longest("p", 6000) },
      },
      source: { kind: "message" },
    });
    for (;;) {
      const { state } = (await store.get(JOB)) ?? { state: undefined };
      if (state === undefined) throw new Error("job missing");
      if (state.status === "FAILED") {
        if (state.attempt >= MAX_LAUNCHES_PER_JOB) break;
        await apply({ type: "ManualRetry", reason: longest("retried by hand by someone", 200) });
      }
      const current = (await store.get(JOB))?.state;
      if (current?.status === "RETRYING")
        await apply({ type: "LaunchRetry", attempt: current.retryAttempt ?? 0 });
      const attempt = (await store.get(JOB))?.state.attempt ?? 0;
      await apply({ type: "RecordLaunch", attempt, taskArn: taskArn(attempt) });
      await apply({
        type: "ObserveTask",
        observation: {
          taskArn: taskArn(attempt),
          attempt,
          lastStatus: "STOPPED",
          ecsVersion: 6,
          exitCode: 1,
          stopCode: "EssentialContainerExited",
          stoppedReason: longest("Essential container in task exited", 255),
          containerReason: longest("container reason", 255),
          workerOutcome: {
            exitCode: 1,
            code: "internal",
            message: longest("the worker's one-line message", 500),
            hint: longest("a hint", 500),
            peakMemoryMb: 2048.5,
            cpuSeconds: 1234.5,
          },
          timings: {
            createdAt: new Date(clock).toISOString(),
            pullStartedAt: new Date(clock).toISOString(),
            pullStoppedAt: new Date(clock).toISOString(),
            startedAt: new Date(clock).toISOString(),
            stoppingAt: new Date(clock).toISOString(),
            executionStoppedAt: new Date(clock).toISOString(),
            stoppedAt: new Date(clock).toISOString(),
          },
        },
      });
    }
    const stored = await store.get(JOB);
    expect(stored?.state).toMatchObject({ status: "FAILED", attempt: MAX_LAUNCHES_PER_JOB });
    await expect(apply({ type: "ManualRetry", reason: "once more" })).rejects.toThrow(InvalidTransitionError);
    const bytes = Buffer.byteLength(JSON.stringify(stored));
    // Room to spare for what later waves add to an event (costs, sizes).
    expect(bytes).toBeLessThan(DYNAMODB_MAX_ITEM_BYTES * 0.8);
  }, 60_000);
});
