// Items the DynamoDB store reads back are parsed, not trusted: hand-written items stand for what an older
// or newer version of the code may have left in the table. Compatible ones are read; the rest are refused
// with an error naming the job and the field.

import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoDbJobStore } from "../../jobs/adapters/aws/dynamodb-store";
import type { JobEvent } from "../../jobs/model/events";
import { foldEvents } from "../../jobs/model/state";
import { StoredJobError } from "../../jobs/store/stored-job-schema";
import { JOBS_TABLE_KEY } from "../../jobs/store/table-schema";
import { type LocalDynamoDb, startLocalDynamoDb } from "../support/dynamodb";
import { launched, T0 } from "../support/factories";

let db: LocalDynamoDb;
let store: DynamoDbJobStore;
let tableName: string;
beforeAll(async () => {
  db = await startLocalDynamoDb();
  tableName = await db.createTable("stored");
  store = new DynamoDbJobStore(db.client, { tableName, retentionDays: 0 });
});
afterAll(async () => {
  await db?.stop();
});

/** A job item as this version writes it: the events, their fold's columns and the version. */
function itemOf(jobId: string, events: readonly object[], overrides: Record<string, unknown> = {}) {
  const { jobId: _id, ...state } = foldEvents(jobId, events as JobEvent[]);
  return { [JOBS_TABLE_KEY]: jobId, events, version: 1, ...state, ...overrides };
}

async function put(item: Record<string, unknown>): Promise<void> {
  await db.client.send(new PutCommand({ TableName: tableName, Item: item }));
}

async function refusal(read: Promise<unknown>): Promise<StoredJobError> {
  const error = await read.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(StoredJobError);
  return error as StoredJobError;
}

describe("reading stored jobs back", () => {
  it("reads an item of this version exactly as written", async () => {
    await put(itemOf("current", launched("current")));
    expect(await store.get("current")).toEqual({
      state: foldEvents("current", launched("current")),
      events: launched("current"),
      version: 1,
    });
  });

  it("reads events carrying fields a newer version added, and keeps those fields", async () => {
    const events = launched("newer").map((event, index) =>
      index === 2 ? { ...event, capacityProvider: "FARGATE_SPOT", outcome: { frames: 42 } } : event,
    );
    await put(itemOf("newer", events));
    const stored = await store.get("newer");
    expect(stored?.events[2]).toMatchObject({ type: "TaskLaunched", capacityProvider: "FARGATE_SPOT" });
    expect(stored?.state.status).toBe("LAUNCHED");
  });

  it("refuses an event type this version does not know, naming the job and the event", async () => {
    const events = [...launched("future"), { type: "JobArchived", at: T0 }];
    await put(itemOf("future", launched("future"), { events }));
    const error = await refusal(store.get("future"));
    expect(error.jobId).toBe("future");
    expect(error.field).toBe("events[3].type");
    expect(error.message).toMatch(
      /stored job "future" cannot be read: events\[3\]\.type: unknown event type "JobArchived"/,
    );
  });

  it("refuses an event missing a field this version needs, naming the field", async () => {
    const [submittedEvent, requested, launchedEvent] = launched("older");
    const { taskArn: _dropped, ...withoutTask } = launchedEvent as JobEvent & { taskArn: string };
    await put(
      itemOf(
        "older",
        [submittedEvent, requested, withoutTask].filter((e) => e !== undefined),
      ),
    );
    const error = await refusal(store.get("older"));
    expect(error.field).toBe("events[2].taskArn");
  });

  it("refuses a field of the wrong type inside an event", async () => {
    const events = launched("typed").map((event, index) =>
      index === 1 ? { ...event, attempt: "1" } : event,
    );
    await put(itemOf("typed", launched("typed"), { events }));
    expect((await refusal(store.get("typed"))).field).toBe("events[1].attempt");
  });

  it("refuses state columns it cannot read, in a get and in a listing", async () => {
    await put(itemOf("bad-status", launched("bad-status"), { status: "PAUSED" }));
    const status = await refusal(store.get("bad-status"));
    expect(status.message).toMatch(/"bad-status" cannot be read: status: must be one of SUBMITTED/);

    await put(itemOf("bad-counter", launched("bad-counter"), { attemptsUsed: -1 }));
    expect((await refusal(store.get("bad-counter"))).field).toBe("attemptsUsed");
    const listing = await refusal(store.listByStatus("LAUNCHED", { limit: 10 }));
    expect(listing.jobId).toBe("bad-counter");
  });

  it("refuses an item without an event list or with a version that is not a count", async () => {
    await put(itemOf("no-events", launched("no-events"), { events: "[]" }));
    expect((await refusal(store.get("no-events"))).field).toBe("events");
    await put(itemOf("bad-version", launched("bad-version"), { version: 0 }));
    expect((await refusal(store.get("bad-version"))).field).toBe("version");
  });
});
