// Starting waiting jobs as slots free up: the oldest WAITING job first (the status index, oldest first),
// each with a slot and its turn at the launch rate (admission.ts), until no slot or no turn is left or
// `max` jobs are started. Called after a task stops (a slot is free), after a job is put in line (a slot
// may have freed meanwhile), and by the sweeper (whatever those missed). Two callers starting the same job
// launch it once: its start is one conditional change, and the slot is held by job id.

import { admit } from "../capacity/admission";
import { holdsSlot } from "../capacity/slots";
import { jobDecider } from "../model/decide";
import { changeJob } from "../store/store";
import { type LaunchDeps, launchAttempt } from "./launch-attempt";

/** Jobs one caller starts at most: enough to fill what a stop freed, little enough to share the work. */
export const DEFAULT_STARTS = 10;

const PAGE = 25;

/** Starts waiting jobs, oldest first; resolves with how many it started once their RunTasks answered. */
export async function startWaitingJobs(deps: LaunchDeps, max = DEFAULT_STARTS): Promise<number> {
  // Launches run while the next job is admitted. One whose RunTask failed with no answer is left LAUNCHING
  // (logged): the sweeper resumes it with the same client token. It is not the caller's failure — the
  // event or message that made room is done with.
  const launches: Promise<void>[] = [];
  // Each start may wait for its turn; the whole call waits about as long as one start may.
  const until = Date.parse(deps.clock()) + deps.capacity.maxLaunchWaitMs;
  let cursor: string | undefined;
  pages: do {
    const page = await deps.store.listByStatus("WAITING", {
      limit: PAGE,
      oldestFirst: true,
      ...(cursor === undefined ? {} : { cursor }),
    });
    for (const job of page.jobs) {
      if (launches.length >= max || Date.parse(deps.clock()) > until) break pages;
      // Concurrent starters read the same oldest jobs: a job whose slot another holds is that one's to
      // start. No slot free, or no launch turn within the wait: nobody else can start now, and the job
      // keeps its place in line.
      const admission = await admit(deps, job.jobId, { behindWaiting: false, skipHeld: true });
      if (admission.kind === "held") continue;
      if (admission.kind !== "admitted") break pages;
      const { slot } = admission;
      const change = await changeJob(deps.store, job.jobId, (state) =>
        jobDecider(deps.policy)(state, { type: "StartWaiting", now: deps.clock() }),
      );
      if (change.events.length === 0 || !holdsSlot(change.after)) {
        // Cancelled meanwhile (the index lags), or started by another caller: the slot taken here is not
        // needed.
        await deps.capacity.slots.giveBack(job.jobId, slot);
        continue;
      }
      deps.log.info("waiting job started", { jobId: job.jobId, attempt: change.after.attempt });
      launches.push(
        launchAttempt(deps, change.stored).then(
          () => undefined,
          (error: unknown) => {
            deps.log.warn("launch of a started job failed; the sweeper resumes it", {
              jobId: job.jobId,
              error: String(error),
            });
          },
        ),
      );
    }
    cursor = page.cursor;
  } while (cursor !== undefined);
  await Promise.all(launches);
  return launches.length;
}
