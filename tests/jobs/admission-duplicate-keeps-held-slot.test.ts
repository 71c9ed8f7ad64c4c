// Why this is tested: as first written, admission.ts `admit` gives the slot back when the launch turn is refused (`if (refusal !==
// undefined) await deps.capacity.slots.release(jobId)`) even when acquire() answered alreadyHeld: the slot
// was not taken by this call but is the one the job's launch already holds. A duplicated delivery of a job's
// submit (or retry) message that read the job before the first delivery recorded it, arriving while the
// launch rate is busy, so frees the slot of a job that is launching or running: the cap is then exceeded
// (another job takes the slot) until the sweeper's repair restores the job's slot, over the cap.
// (dispatch.ts decideAndLaunch `if (admitted && !holdsSlot(change.after)) release` has the same flaw for a
// slot a concurrent starter holds for a waiting job.)

import { expect, it } from "vitest";
import { memoryCapacity } from "../../jobs/adapters/memory/memory-capacity";
import { MemoryJobStore } from "../../jobs/adapters/memory/memory-store";
import type { Capacity } from "../../jobs/capacity/admission";
import type { JobStore } from "../../jobs/store/store";
import { dispatchMessage } from "../../jobs/workflows/dispatch";
import { dispatchDeps, jobMessage, launchedTask, ScriptedLauncher } from "../support/scripted-launcher";

it("a duplicate delivery refused a launch turn leaves the launching job's slot alone; the cap holds", async () => {
  const memory = new MemoryJobStore();
  const base = memoryCapacity({ cap: 1, sleep: async () => {} });
  let rateBusy = false;
  const capacity: Capacity = {
    ...base,
    launchRate: {
      reserve: (now, wait) => (rateBusy ? Promise.resolve(undefined) : base.launchRate.reserve(now, wait)),
      slowDown: (until) => base.launchRate.slowDown(until),
    },
  };
  const launcher = new ScriptedLauncher(launchedTask);
  const deps = dispatchDeps(memory, launcher, capacity);
  await dispatchMessage(deps, jobMessage("j"), "m-1"); // first delivery: launched, holds the only slot
  expect((await memory.get("j"))?.state.status).toBe("LAUNCHED");

  // The duplicate delivery read "j" before the first one recorded it; the launch rate is busy now.
  let stale = true;
  const staleOnce: JobStore = {
    append: (...args) => memory.append(...args),
    listByStatus: (...args) => memory.listByStatus(...args),
    listBySubmission: (...args) => memory.listBySubmission(...args),
    get: async (jobId) => {
      if (jobId === "j" && stale) {
        stale = false;
        return undefined;
      }
      return memory.get(jobId);
    },
  };
  rateBusy = true;
  await dispatchMessage({ ...deps, store: staleOnce }, jobMessage("j"), "m-1");
  expect((await capacity.slots.holders()).has("j")).toBe(true);

  // Another job arrives once the rate allows: with the cap at 1 and "j" running, it must wait.
  rateBusy = false;
  await dispatchMessage(deps, jobMessage("k"), "m-2");
  const statuses = await Promise.all(["j", "k"].map(async (id) => (await memory.get(id))?.state.status));
  expect(statuses).toEqual(["LAUNCHED", "WAITING"]);
});
