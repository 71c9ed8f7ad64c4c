import { describe, expect, it } from "vitest";
import { MemoryJobStore } from "../../jobs/adapters/memory/memory-store";
import { ConcurrencyConflictError, TooManyConflictsError } from "../../jobs/model/errors";
import type { JobEvent } from "../../jobs/model/events";
import { foldEvents } from "../../jobs/model/state";
import { changeJob, type JobStore } from "../../jobs/store/store";
import { launched, submitted, T0 } from "../support/factories";

const cancel: JobEvent = { type: "JobCancelled", at: T0, reason: "x" };

describe("changeJob", () => {
  it("starts from the job the caller knows, without reading it", async () => {
    const store = new MemoryJobStore();
    const first = await changeJob(store, "j", () => submitted("j"));
    let reads = 0;
    const counting: JobStore = Object.assign(Object.create(store), {
      get: (id: string) => {
        reads++;
        return store.get(id);
      },
    });
    const second = await changeJob(counting, "j", () => [cancel], { known: first.stored });
    expect(reads).toBe(0);
    expect(second.stored).toEqual(await store.get("j"));
  });

  it("reads again and decides again when what the caller knew is stale", async () => {
    const store = new MemoryJobStore();
    const first = await changeJob(store, "j", () => submitted("j"));
    await store.append("j", 1, launched("j").slice(2), foldEvents("j", launched("j"))); // another writer
    const seen: string[] = [];
    const change = await changeJob(
      store,
      "j",
      (state) => {
        seen.push(state.status);
        return [cancel];
      },
      {
        known: first.stored,
      },
    );
    expect(seen).toEqual(["LAUNCHING", "LAUNCHED"]);
    expect(change.stored.version).toBe(3);
    expect(change.stored.events.map((e) => e.type)).toEqual([
      "JobSubmitted",
      "TaskLaunchRequested",
      "TaskLaunched",
      "JobCancelled",
    ]);
  });

  it("gives up after a bounded number of conflicts", async () => {
    const store = new MemoryJobStore();
    await changeJob(store, "j", () => submitted("j"));
    const alwaysConflicting: JobStore = Object.assign(Object.create(store), {
      append: async () => {
        throw new ConcurrencyConflictError("j", 1);
      },
    });
    await expect(changeJob(alwaysConflicting, "j", () => [cancel], { maxTries: 3 })).rejects.toBeInstanceOf(
      TooManyConflictsError,
    );
  });
});
