// The DynamoDB adapter against a real local DynamoDB (dynalite): conditional appends, concurrent writers,
// the history queries (newest first, paginated, time windows) and retention.

import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoDbJobStore } from "../../jobs/adapters/aws/dynamodb-store";
import { jobDecider } from "../../jobs/model/decide";
import { ConcurrencyConflictError } from "../../jobs/model/errors";
import type { JobEvent } from "../../jobs/model/events";
import { foldEvents, type JobState } from "../../jobs/model/state";
import { changeJob, type JobStore } from "../../jobs/store/store";
import { type LocalDynamoDb, startLocalDynamoDb } from "../support/dynamodb";
import { INPUT, launched, submitted, TEST_POLICY } from "../support/factories";

let db: LocalDynamoDb;
beforeAll(async () => {
  db = await startLocalDynamoDb();
});
afterAll(async () => {
  await db?.stop();
});

async function newStore(retentionDays = 0): Promise<{ store: DynamoDbJobStore; tableName: string }> {
  const tableName = await db.createTable();
  return { store: new DynamoDbJobStore(db.client, { tableName, retentionDays }), tableName };
}

async function seed(store: JobStore, jobId: string, events: JobEvent[]): Promise<JobState> {
  const state = foldEvents(jobId, events);
  await store.append(jobId, 0, events, state);
  return state;
}

describe("append and get", () => {
  it("stores the events and their fold in one item, and reads them back", async () => {
    const { store } = await newStore();
    const state = await seed(store, "a", launched("a"));
    const stored = await store.get("a");
    expect(stored).toEqual({ state, events: launched("a"), version: 1 });
    expect(await store.get("missing")).toBeUndefined();
  });

  it("appends only at the version read", async () => {
    const { store } = await newStore();
    await seed(store, "a", submitted("a"));
    const more: JobEvent[] = [{ type: "JobCancelled", at: "2026-11-26T11:00:00.000Z", reason: "x" }];
    const state = foldEvents("a", [...submitted("a"), ...more]);
    await expect(store.append("a", 0, more, state)).rejects.toBeInstanceOf(ConcurrencyConflictError);
    await expect(store.append("a", 2, more, state)).rejects.toBeInstanceOf(ConcurrencyConflictError);
    await store.append("a", 1, more, state);
    const stored = await store.get("a");
    expect(stored?.version).toBe(2);
    expect(stored?.state).toEqual(foldEvents("a", stored?.events ?? []));
  });

  it("removes state fields that a change clears (the previous attempt's task)", async () => {
    const { store, tableName } = await newStore();
    const history: JobEvent[] = [
      ...launched("a"),
      {
        type: "RetryScheduled",
        at: "2026-11-26T10:01:00.000Z",
        nextAttempt: 2,
        delaySeconds: 1,
        reason: "r",
        countsAsAttempt: true,
        manual: false,
      },
    ];
    await seed(store, "a", history);
    const relaunch = jobDecider(TEST_POLICY)(foldEvents("a", history), {
      type: "LaunchRetry",
      now: "2026-11-26T10:02:00.000Z",
      attempt: 2,
    });
    await store.append("a", 1, relaunch, foldEvents("a", [...history, ...relaunch]));
    const { Item } = await db.client.send(new GetCommand({ TableName: tableName, Key: { jobId: "a" } }));
    expect(Item?.taskArn).toBeUndefined();
    expect(Item?.attempt).toBe(2);
  });
});

describe("concurrent writers", () => {
  it("every racing writer's event is appended exactly once, and the state stays the fold", async () => {
    const { store } = await newStore();
    await seed(store, "race", launched("race"));
    const writers = Array.from({ length: 6 }, (_, i) =>
      changeJob(store, "race", (): JobEvent[] => [
        {
          type: "TaskRunning",
          at: `2026-11-26T10:00:0${i}.000Z`,
          attempt: 1,
          taskArn: `writer-${i}`,
          ecsVersion: i,
          timings: {},
        },
      ]),
    );
    await Promise.all(writers);
    const stored = await store.get("race");
    const appended = stored?.events
      .filter((e) => e.type === "TaskRunning")
      .map((e) => (e.type === "TaskRunning" ? e.taskArn : ""));
    expect(appended?.sort()).toEqual([
      "writer-0",
      "writer-1",
      "writer-2",
      "writer-3",
      "writer-4",
      "writer-5",
    ]);
    expect(stored?.version).toBe(7);
    expect(stored?.state).toEqual(foldEvents("race", stored?.events ?? []));
  });

  it("the same submission racing with itself creates one job and one launch request", async () => {
    const { store } = await newStore();
    const submit = {
      type: "Submit",
      now: "2026-11-26T10:00:00.000Z",
      jobId: "dup",
      input: INPUT,
      source: { kind: "message" },
    } as const;
    await Promise.all(
      Array.from({ length: 5 }, () => changeJob(store, "dup", (s) => jobDecider(TEST_POLICY)(s, submit))),
    );
    const stored = await store.get("dup");
    expect(stored?.events.map((e) => e.type)).toEqual(["JobSubmitted", "TaskLaunchRequested"]);
  });
});

describe("history queries", () => {
  const at = (day: number, hour: number) =>
    `2026-11-${String(day).padStart(2, "0")}T${String(hour).padStart(2, "0")}:00:00.000Z`;
  const failedJob = (id: string, time: string): JobEvent[] => [
    ...submitted(id, time),
    { type: "JobFailed", at: time, reason: "x" },
  ];

  it("lists a status newest first, page by page, without losing or repeating a job", async () => {
    const { store } = await newStore();
    const ids = Array.from({ length: 23 }, (_, i) => `f${String(i).padStart(2, "0")}`);
    for (const [i, id] of ids.entries()) await seed(store, id, failedJob(id, at(20, i)));
    await seed(store, "ok", [
      ...submitted("ok", at(20, 5)),
      { type: "JobSucceeded", at: at(20, 5), attempt: 1 },
    ]);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store.listByStatus("FAILED", { limit: 10, ...(cursor ? { cursor } : {}) });
      seen.push(...page.jobs.map((j) => j.jobId));
      cursor = page.cursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    expect(pages).toBeGreaterThanOrEqual(3);
    const window = await store.listByStatus("FAILED", { limit: 50 }, { from: at(20, 3), to: at(20, 5) });
    expect(window.jobs.map((j) => j.jobId)).toEqual(["f05", "f04", "f03"]);
  });

  it("lists jobs submitted in a window across days, newest first, paginated across day partitions", async () => {
    const { store } = await newStore();
    const plan = [
      ["d1", at(1, 9)],
      ["d2a", at(2, 8)],
      ["d2b", at(2, 20)],
      ["d4", at(4, 1)],
      ["d5", at(5, 23)],
      ["d6", at(6, 0)],
    ] as const;
    for (const [id, time] of plan) await seed(store, id, submitted(id, time));
    const window = { from: at(2, 0), to: at(5, 23) };
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.listBySubmission(window, { limit: 2, ...(cursor ? { cursor } : {}) });
      expect(page.jobs.length).toBeLessThanOrEqual(2);
      seen.push(...page.jobs.map((j) => j.jobId));
      cursor = page.cursor;
    } while (cursor);
    expect(seen).toEqual(["d5", "d4", "d2b", "d2a"]);
  });

  it("refuses an inverted or too long window, and a foreign cursor, with clear errors", async () => {
    const { store } = await newStore();
    await expect(store.listBySubmission({ from: at(5, 0), to: at(2, 0) }, { limit: 5 })).rejects.toThrow(
      /starts .* after it ends/,
    );
    await expect(
      store.listBySubmission({ from: "2020-01-01T00:00:00Z", to: at(2, 0) }, { limit: 5 }),
    ).rejects.toThrow(/longer than 400 days/);
    await expect(store.listByStatus("FAILED", { limit: 5, cursor: "not-a-cursor" })).rejects.toThrow(
      /invalid page cursor/,
    );
    for (const id of ["f1", "f2"]) {
      await seed(store, id, [...submitted(id, at(2, 1)), { type: "JobFailed", at: at(2, 1), reason: "x" }]);
    }
    const statusPage = await store.listByStatus("FAILED", { limit: 1 });
    expect(statusPage.cursor).toBeDefined();
    await expect(
      store.listBySubmission(
        { from: at(2, 0), to: at(5, 0) },
        { limit: 5, cursor: statusPage.cursor as string },
      ),
    ).rejects.toThrow(/previous page of the same listing/);
  });
});

describe("retention", () => {
  it("sets the TTL when a job finishes and clears it when the job is retried by hand", async () => {
    const { store, tableName } = await newStore(30);
    const failed: JobEvent[] = [
      ...launched("r"),
      { type: "JobFailed", at: "2026-11-26T10:00:00.000Z", reason: "x" },
    ];
    await seed(store, "r", failed);
    const read = async () =>
      (await db.client.send(new GetCommand({ TableName: tableName, Key: { jobId: "r" } }))).Item;
    expect((await read())?.expiresAt).toBe(Date.parse("2026-11-26T10:00:00.000Z") / 1000 + 30 * 86_400);
    await changeJob(store, "r", (s) =>
      jobDecider(TEST_POLICY)(s, { type: "ManualRetry", now: "2026-11-27T10:00:00.000Z", reason: "again" }),
    );
    expect((await read())?.expiresAt).toBeUndefined();
    expect((await read())?.submittedDay).toBe("2026-11-26");
  });
});
