// The in-memory job store's listings page as DynamoDB's do: the cursor is the position of the last job
// returned (DynamoDB's LastEvaluatedKey), so jobs leaving the listing between pages make the next page skip
// none. Starting waiting jobs page by page, oldest first, depends on it (jobs/workflows/start-waiting.ts).

import { describe, expect, it } from "vitest";
import { MemoryJobStore } from "../../jobs/adapters/memory/memory-store";
import type { JobEvent } from "../../jobs/model/events";
import { evolve, foldEvents } from "../../jobs/model/state";

const at = (s: number) => new Date(Date.parse("2026-11-30T00:00:00.000Z") + s * 1000).toISOString();

async function record(store: MemoryJobStore, jobId: string, version: number, events: JobEvent[]) {
  const before = (await store.get(jobId))?.state ?? foldEvents(jobId, []);
  await store.append(jobId, version, events, events.reduce(evolve, before));
}

async function waitingJobs(store: MemoryJobStore, ids: readonly string[]) {
  for (const [i, jobId] of ids.entries()) {
    await record(store, jobId, 0, [
      {
        type: "JobSubmitted",
        at: at(i),
        jobId,
        input: { videoUrl: "s3://b/k.mp4" },
        source: { kind: "message" },
      },
      { type: "JobWaiting", at: at(i), attempt: 1, reason: "all slots are taken" },
    ]);
  }
}

describe("the memory store's listings", () => {
  it("page on from the last job returned, whatever left the listing meanwhile", async () => {
    const store = new MemoryJobStore();
    await waitingJobs(store, ["a", "b", "c", "d", "e"]);
    const first = await store.listByStatus("WAITING", { limit: 2, oldestFirst: true });
    expect(first.jobs.map((j) => j.jobId)).toEqual(["a", "b"]);
    // The first page's jobs start: they leave the WAITING listing before the next page is read.
    for (const job of first.jobs)
      await record(store, job.jobId, 1, [
        { type: "TaskLaunchRequested", at: at(10), attempt: 1, clientToken: `${job.jobId}.1` },
      ]);
    const second = await store.listByStatus("WAITING", {
      limit: 2,
      oldestFirst: true,
      ...(first.cursor === undefined ? {} : { cursor: first.cursor }),
    });
    expect(second.jobs.map((j) => j.jobId)).toEqual(["c", "d"]);
    const third = await store.listByStatus("WAITING", {
      limit: 2,
      oldestFirst: true,
      cursor: second.cursor ?? "",
    });
    expect(third).toEqual({ jobs: [expect.objectContaining({ jobId: "e" })] });
  });

  it("newest first by default, and refuses a cursor it did not make", async () => {
    const store = new MemoryJobStore();
    await waitingJobs(store, ["a", "b", "c"]);
    const first = await store.listByStatus("WAITING", { limit: 2 });
    expect(first.jobs.map((j) => j.jobId)).toEqual(["c", "b"]);
    const rest = await store.listByStatus("WAITING", { limit: 2, cursor: first.cursor ?? "" });
    expect(rest.jobs.map((j) => j.jobId)).toEqual(["a"]);
    await expect(store.listByStatus("WAITING", { limit: 2, cursor: "25" })).rejects.toThrow(
      'not a cursor of this listing: "25"',
    );
  });
});
