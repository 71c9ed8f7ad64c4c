// The JobStore port's contract, asserted against both stores: the in-memory one the model and workflow tests
// use, and the DynamoDB one (on dynalite) production uses. What a test learns from the memory store holds on
// DynamoDB only while both give the same answers here.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoDbJobStore } from "../../jobs/adapters/aws/dynamodb-store";
import { MemoryJobStore } from "../../jobs/adapters/memory/memory-store";
import { ConcurrencyConflictError, JobNotFoundError } from "../../jobs/model/errors";
import type { JobEvent } from "../../jobs/model/events";
import { foldEvents, type JobState } from "../../jobs/model/state";
import { AmbiguousJobIdError, findJob, JobPrefixNotFoundError } from "../../jobs/store/find-job";
import { changeJob, type JobPage, type JobStore, type PageRequest } from "../../jobs/store/store";
import { READ_WITH_THE_JOB_ONLY } from "../../jobs/store/table-schema";
import { type LocalDynamoDb, startLocalDynamoDb } from "../support/dynamodb";
import { launched, submitted } from "../support/factories";

let db: LocalDynamoDb;
beforeAll(async () => {
  db = await startLocalDynamoDb();
});
afterAll(async () => {
  await db?.stop();
});

const at = (day: number, hour: number) =>
  `2026-11-${String(day).padStart(2, "0")}T${String(hour).padStart(2, "0")}:00:00.000Z`;

const failedJob = (id: string, time: string): JobEvent[] => [
  ...submitted(id, time),
  { type: "JobFailed", at: time, reason: "x" },
];

async function seed(store: JobStore, jobId: string, events: JobEvent[]): Promise<JobState> {
  const state = foldEvents(jobId, events);
  await store.append(jobId, 0, events, state);
  return state;
}

/** A state as a listing must carry it: all of it but what is read only with the job itself. */
function listed(state: JobState | undefined): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(state ?? {}).filter(([name]) => !READ_WITH_THE_JOB_ONLY.has(name)),
  );
}

/** Every job of a listing, page by page, with the number of pages read. */
async function readAll(list: (page: PageRequest) => Promise<JobPage>, limit: number) {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await list({ limit, ...(cursor === undefined ? {} : { cursor }) });
    expect(page.jobs.length).toBeLessThanOrEqual(limit);
    ids.push(...page.jobs.map((job) => job.jobId));
    cursor = page.cursor;
    pages++;
  } while (cursor !== undefined);
  return { ids, pages };
}

describe.each([
  ["in memory", async (): Promise<JobStore> => new MemoryJobStore()],
  [
    "on DynamoDB",
    async (): Promise<JobStore> =>
      new DynamoDbJobStore(db.client, { tableName: await db.createTable("contract"), retentionDays: 0 }),
  ],
])("the job store %s", (_, newStore) => {
  it("reads back the events and state appended, and nothing for a job never stored", async () => {
    const store = await newStore();
    const state = await seed(store, "a", launched("a"));
    expect(await store.get("a")).toEqual({ state, events: launched("a"), version: 1 });
    expect(await store.get("missing")).toBeUndefined();
  });

  it("appends only at the version read, refusing any other with ConcurrencyConflictError and storing nothing", async () => {
    const store = await newStore();
    await seed(store, "a", submitted("a"));
    // Creating a job that exists is a stale version 0.
    await expect(
      store.append("a", 0, submitted("a"), foldEvents("a", submitted("a"))),
    ).rejects.toBeInstanceOf(ConcurrencyConflictError);
    const more: JobEvent[] = [{ type: "JobCancelled", at: at(26, 11), reason: "x" }];
    const after = foldEvents("a", [...submitted("a"), ...more]);
    await expect(store.append("a", 2, more, after)).rejects.toBeInstanceOf(ConcurrencyConflictError);
    // Nor can a job not stored yet be written at a later version.
    await expect(store.append("new", 1, more, after)).rejects.toBeInstanceOf(ConcurrencyConflictError);
    expect(await store.get("new")).toBeUndefined();
    expect((await store.get("a"))?.version).toBe(1);
    await store.append("a", 1, more, after);
    const stored = await store.get("a");
    expect(stored?.events).toEqual([...submitted("a"), ...more]);
    expect(stored?.version).toBe(2);
    expect(stored?.state).toEqual(foldEvents("a", stored?.events ?? []));
  });

  it("keeps the stored state the fold of the stored events while writers race through changeJob", async () => {
    const store = await newStore();
    await seed(store, "race", launched("race"));
    await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
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
      ),
    );
    const stored = await store.get("race");
    expect(stored?.version).toBe(6);
    expect(stored?.events.filter((e) => e.type === "TaskRunning")).toHaveLength(5);
    expect(stored?.state).toEqual(foldEvents("race", stored?.events ?? []));
  });

  it("lists a status most recently changed first (or least), page by page, within an inclusive window", async () => {
    const store = await newStore();
    const ids = Array.from({ length: 7 }, (_, i) => `f${i}`);
    for (const [i, id] of ids.entries()) await seed(store, id, failedJob(id, at(20, i)));
    await seed(store, "ok", [
      ...submitted("ok", at(20, 3)),
      { type: "JobSucceeded", at: at(20, 3), attempt: 1 },
    ]);
    const newest = await readAll((page) => store.listByStatus("FAILED", page), 3);
    expect(newest).toEqual({ ids: [...ids].reverse(), pages: 3 });
    const oldest = await readAll((page) => store.listByStatus("FAILED", { ...page, oldestFirst: true }), 3);
    expect(oldest.ids).toEqual(ids);
    const window = { from: at(20, 2), to: at(20, 4) };
    const inWindow = await readAll((page) => store.listByStatus("FAILED", page, window), 2);
    expect(inWindow.ids).toEqual(["f4", "f3", "f2"]);
    expect((await store.listByStatus("SUCCEEDED", { limit: 10 })).jobs.map((j) => j.jobId)).toEqual(["ok"]);
    expect(await store.listByStatus("RUNNING", { limit: 10 })).toEqual({ jobs: [] });
  });

  it("moves a job between status listings as it changes", async () => {
    const store = await newStore();
    await seed(store, "a", submitted("a", at(20, 1)));
    expect((await store.get("a"))?.state.status).toBe("LAUNCHING");
    expect((await store.listByStatus("LAUNCHING", { limit: 5 })).jobs.map((j) => j.jobId)).toEqual(["a"]);
    await changeJob(store, "a", () => [{ type: "JobFailed", at: at(20, 2), reason: "x" }]);
    expect((await store.listByStatus("LAUNCHING", { limit: 5 })).jobs).toEqual([]);
    const failed = await store.listByStatus("FAILED", { limit: 5 });
    expect(failed.jobs.map(listed)).toEqual([listed((await store.get("a"))?.state)]);
  });

  it("lists jobs submitted within an inclusive window, newest first, paginated across days", async () => {
    const store = await newStore();
    const plan = [
      ["d1", at(1, 23)],
      ["d2a", at(2, 0)],
      ["d2b", at(2, 20)],
      ["d4", at(4, 1)],
      ["d5", at(5, 23)],
      ["d6", at(6, 0)],
    ] as const;
    for (const [id, time] of plan) await seed(store, id, submitted(id, time));
    const window = { from: at(2, 0), to: at(5, 23) };
    for (const limit of [1, 2, 10]) {
      const { ids } = await readAll((page) => store.listBySubmission(window, page), limit);
      expect(ids).toEqual(["d5", "d4", "d2b", "d2a"]);
    }
  });

  it("finds a job by its id or a unique prefix of one submitted recently", async () => {
    const store = await newStore();
    for (const id of ["s3-3f9a01", "s3-3f9b02", "s3-77c003"]) await seed(store, id, submitted(id, at(25, 1)));
    const now = new Date(at(26, 0));
    expect((await findJob(store, "s3-3f9b02", { now })).state.jobId).toBe("s3-3f9b02");
    expect((await findJob(store, "s3-77", { now })).state.jobId).toBe("s3-77c003");
    const ambiguous = await findJob(store, "s3-3f9", { now }).catch((error: unknown) => error);
    expect(ambiguous).toBeInstanceOf(AmbiguousJobIdError);
    expect((ambiguous as AmbiguousJobIdError).candidates.map((j) => j.jobId).sort()).toEqual([
      "s3-3f9a01",
      "s3-3f9b02",
    ]);
    await expect(findJob(store, "s3-4", { now })).rejects.toBeInstanceOf(JobPrefixNotFoundError);
    // Outside the window a prefix finds nothing; the whole id still does.
    const later = new Date(at(26, 0).replace("-11-", "-12-"));
    await expect(findJob(store, "s3-77", { now: later, windowDays: 1 })).rejects.toBeInstanceOf(
      JobNotFoundError,
    );
    expect((await findJob(store, "s3-77c003", { now: later, windowDays: 1 })).version).toBe(1);
  });
});
