// The CLI's paging over the store's listings (in-memory store, same semantics as DynamoDB's): merging
// several listings newest first, resuming with a cursor in the middle of a store page, never losing or
// repeating a job.

import { describe, expect, it } from "vitest";
import { UsageError } from "../../cli/errors";
import { decodeListCursor, type Listing, readMerged } from "../../cli/paging";
import { MemoryJobStore } from "../../jobs/adapters/memory/memory-store";
import type { JobStatus } from "../../jobs/model/state";
import { JobDriver, video } from "../support/histories";

const T0 = new Date("2026-11-26T00:00:00.000Z");

/** Jobs ending FAILED or CANCELLED at interleaved minutes: job i changes last at minute i. */
async function storeWith(count: number): Promise<MemoryJobStore> {
  const store = new MemoryJobStore();
  for (let i = 0; i < count; i++) {
    const job = new JobDriver(store, `j${String(i).padStart(2, "0")}`, T0);
    await job.submit(0, video(job.jobId));
    await job.apply(i * 60, i % 3 === 0 ? { type: "Cancel", reason: "x" } : { type: "TimeOut", reason: "x" });
  }
  return store;
}

const byStatus = (store: MemoryJobStore, statuses: JobStatus[]): Listing[] =>
  statuses.map((status) => ({
    key: status,
    fetch: (page) => store.listByStatus(status, page),
    sortKey: (job) => job.updatedAt ?? "",
  }));

async function readAll(listings: Listing[], limit: number, pageSize: number): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | undefined;
  do {
    const start =
      cursor === undefined
        ? undefined
        : decodeListCursor(
            cursor,
            listings.map((l) => l.key),
          );
    const page = await readMerged(listings, { limit, pageSize, start });
    pages.push(page.jobs.map((j) => j.jobId));
    cursor = page.cursor;
  } while (cursor !== undefined);
  return pages;
}

describe("readMerged", () => {
  it("merges several statuses newest first, across store pages and CLI pages, each job once", async () => {
    const store = await storeWith(23);
    const listings = byStatus(store, ["CANCELLED", "TIMED_OUT"]);
    const expected = Array.from({ length: 23 }, (_, i) => `j${String(22 - i).padStart(2, "0")}`);
    for (const [limit, pageSize] of [
      [5, 2],
      [4, 7],
      [23, 3],
      [100, 100],
      [1, 1],
    ] as const) {
      const pages = await readAll(listings, limit, pageSize);
      expect(pages.flat(), `limit ${limit}, page size ${pageSize}`).toEqual(expected);
      expect(pages.every((p) => p.length <= limit)).toBe(true);
    }
  });

  it("reads only the store pages it needs", async () => {
    const store = await storeWith(30);
    const page = await readMerged(byStatus(store, ["TIMED_OUT"]), { limit: 5, pageSize: 5 });
    expect(page.jobs).toHaveLength(5);
    expect(page.pagesRead).toBe(1);
    expect(page.cursor).toBeDefined();
  });

  it("says there is nothing more when the listings are exhausted exactly at the limit", async () => {
    const store = await storeWith(6);
    const page = await readMerged(byStatus(store, ["TIMED_OUT"]), { limit: 4, pageSize: 4 });
    expect(page.jobs).toHaveLength(4);
    expect(page.cursor).toBeUndefined();
  });

  it("keeps the first page's window and page size in the cursor", async () => {
    const store = await storeWith(5);
    const window = { from: "2026-11-25T00:00:00.000Z", to: "2026-11-27T00:00:00.000Z" };
    const page = await readMerged(byStatus(store, ["TIMED_OUT"]), { limit: 1, pageSize: 2, window });
    const cursor = decodeListCursor(page.cursor as string, ["TIMED_OUT"]);
    expect(cursor).toMatchObject({ pageSize: 2, window, positions: { TIMED_OUT: { skip: 1 } } });
  });

  it("refuses a cursor that is not one, or belongs to other statuses", async () => {
    const store = await storeWith(5);
    const page = await readMerged(byStatus(store, ["TIMED_OUT"]), { limit: 1, pageSize: 2 });
    expect(() => decodeListCursor("garbage", ["TIMED_OUT"])).toThrow(UsageError);
    expect(() => decodeListCursor(page.cursor as string, ["FAILED"])).toThrow(/invalid --cursor/);
  });
});
