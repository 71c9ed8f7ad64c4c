// Why this is tested: as first written, repairSlots (slots.ts) reads the holders first, then lists the jobs in flight. A job a dispatcher
// admits and records between the two (a burst while the sweeper runs) is in flight but not in the snapshot,
// so the repair "restores" it: it is logged as a lost slot, and restore() puts it in its home shard even
// though it holds a slot in another one (its home shard was full). The job then holds two slots (one shard
// over its share), and when its launch ends one release leaves the other held: a slot leak until the next
// repair, made by the repair itself.

import { expect, it } from "vitest";
import { type MemorySlotPool, memoryCapacity } from "../../jobs/adapters/memory/memory-capacity";
import { MemoryJobStore } from "../../jobs/adapters/memory/memory-store";
import { repairSlots } from "../../jobs/capacity/slots";
import { decide } from "../../jobs/model/decide";
import { changeJob, type JobStore } from "../../jobs/store/store";
import { dispatchMessage } from "../../jobs/workflows/dispatch";
import {
  dispatchDeps,
  jobMessage,
  launchedTask,
  ScriptedLauncher,
  silent,
} from "../support/scripted-launcher";

const NOW = "2026-11-30T01:00:00.000Z";

it("a job admitted while the repair runs is neither restored nor left holding a slot after it ends", async () => {
  const memory = new MemoryJobStore();
  const capacity = memoryCapacity({ cap: 50 }); // two shards of 25
  const slots = capacity.slots as MemorySlotPool;
  const job = "job-x";
  const [home] = slots.shards.probeOrder(job);
  // Its own shard is full of slots just taken (launches about to be recorded: the repair leaves them alone).
  for (let i = 0, n = 0; n < 25; i++) {
    if (slots.shards.probeOrder(`other-${i}`)[0] !== home) continue;
    await slots.acquire(`other-${i}`, NOW);
    n++;
  }
  const deps = dispatchDeps(memory, new ScriptedLauncher(launchedTask), capacity, () => NOW);

  // A dispatcher admits and launches the job while the sweeper's repair is between its two reads.
  let dispatched = false;
  const racing: JobStore = {
    ...memory,
    get: (id) => memory.get(id),
    append: (...args) => memory.append(...args),
    listBySubmission: (w, p) => memory.listBySubmission(w, p),
    async listByStatus(status, page, window) {
      if (!dispatched) {
        dispatched = true;
        await dispatchMessage(deps, jobMessage(job), "m-1");
      }
      return memory.listByStatus(status, page, window);
    },
  };
  const repair = await repairSlots({ store: racing, slots, clock: () => NOW, log: silent });
  expect(repair.restored).toEqual([]);

  // The job's launch ends (through the store every handler writes with): its slot is given back.
  await changeJob(deps.store, job, (s) => decide(s, { type: "Cancel", now: NOW, reason: "done" }));
  expect((await slots.holders()).has(job)).toBe(false);
});
