// Why this is tested: as first written, dispatch.ts admits a new job (takes a slot under its id) before recording it; when another message
// with the same jobId but a different input recorded the job meanwhile, the Submit throws JobIdConflictError
// and the message is REJECTED under another id, but the slot taken under the job's id is never given back
// (decideAndLaunch, which gives back an unused slot, is never reached). If that job is WAITING, every starter
// then finds its slot "already held" (start-waiting.ts `if (slot.alreadyHeld) continue`) and passes it over:
// it sits in line beside a free slot (its own) until the sweeper's repair releases it, at least
// SLOT_REPAIR_GRACE_SECONDS (2 min) plus a sweep interval later.

import { expect, it } from "vitest";
import { memoryCapacity } from "../../jobs/adapters/memory/memory-capacity";
import { MemoryJobStore } from "../../jobs/adapters/memory/memory-store";
import { decide } from "../../jobs/model/decide";
import { changeJob, type JobStore } from "../../jobs/store/store";
import { dispatchMessage } from "../../jobs/workflows/dispatch";
import { startWaitingJobs } from "../../jobs/workflows/start-waiting";
import { dispatchDeps, jobMessage, launchedTask, ScriptedLauncher } from "../support/scripted-launcher";

it("a message rejected for a job id conflict leaves no slot held under that id", async () => {
  const memory = new MemoryJobStore();
  const capacity = memoryCapacity({ cap: 1, sleep: async () => {} });
  const launcher = new ScriptedLauncher(launchedTask);
  const deps = dispatchDeps(memory, launcher, capacity);
  await dispatchMessage(deps, jobMessage("running"), "m-0"); // holds the only slot

  // Message B (job "j", another video) reads "j" as unknown; message A for "j" is recorded meanwhile (it
  // waits: no slot), and then the running job ends, freeing the slot B's admission takes.
  let raced = false;
  const racing: JobStore = {
    append: (...args) => memory.append(...args),
    listByStatus: (...args) => memory.listByStatus(...args),
    listBySubmission: (...args) => memory.listBySubmission(...args),
    async get(jobId) {
      if (jobId === "j" && !raced) {
        raced = true;
        const first = await memory.get(jobId);
        await dispatchMessage(deps, jobMessage("j"), "m-a");
        await changeJob(deps.store, "running", (s) =>
          decide(s, { type: "Cancel", now: deps.clock(), reason: "done" }),
        );
        return first;
      }
      return memory.get(jobId);
    },
  };
  const otherVideo = JSON.stringify({ videoUrl: "s3://uploads/another.mp4", jobId: "j" });
  const [rejected] = await dispatchMessage({ ...deps, store: racing }, otherVideo, "m-b");
  expect(rejected).toMatchObject({ status: "REJECTED" });
  expect((await memory.get("j"))?.state.status).toBe("WAITING");

  await startWaitingJobs(deps); // as the task-state handler does when a task stops
  expect((await memory.get("j"))?.state.status).toBe("LAUNCHED");
});
