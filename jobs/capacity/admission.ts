// Whether a job may launch now: a free slot under the stack's cap on running tasks (slots.ts), and its turn
// at RunTask's rate (launch-rate.ts), waited for here. A job that may not launch is recorded WAITING by its
// caller, in line, and started by `startWaitingJobs` (start-waiting.ts) as slots free up.

import type { Clock, Sleep } from "../store/ports";
import type { JobStore } from "../store/store";
import type { LaunchRate } from "./launch-rate";
import type { SlotAnswer, SlotPool } from "./slots";

/** What launching under the cap takes: the stack's slots and launch rate, and a way to wait. */
export interface Capacity {
  readonly slots: SlotPool;
  readonly launchRate: LaunchRate;
  readonly sleep: Sleep;
  /** Longest a launcher waits for its turn at the rate before the job waits in line instead. */
  readonly maxLaunchWaitMs: number;
}

export interface AdmissionDeps {
  readonly store: JobStore;
  readonly capacity: Capacity;
  readonly clock: Clock;
}

/**
 * Why a job may not launch now: older jobs wait, no slot is free, the launch rate is used up, or (asked with
 * `skipHeld`) its slot is held already: another starter is starting it.
 */
export interface Refusal {
  readonly kind: "line" | "slot" | "rate" | "held";
  readonly reason: string;
}

/**
 * The job may launch: it holds a slot and its turn has come. `slot` says whether the slot was taken here
 * (given back with `giveBack` if the job does not launch after all) or held already (another delivery of
 * its message is launching it: not this caller's to give back).
 */
export interface Admitted {
  readonly kind: "admitted";
  readonly slot: SlotAnswer;
}

/**
 * Takes a slot and a launch turn for a job, waiting for the turn; or says why it must wait (a slot taken
 * here is then given back). A new job or a retry waits while older jobs wait (`behindWaiting`), so that
 * jobs start in the order they came; a starter of waiting jobs passes over one whose slot another holds
 * (`skipHeld`), before taking a launch turn it would waste.
 */
export async function admit(
  deps: AdmissionDeps,
  jobId: string,
  options: { readonly behindWaiting: boolean; readonly skipHeld?: boolean },
): Promise<Admitted | Refusal> {
  if (options.behindWaiting) {
    const first = await deps.store.listByStatus("WAITING", { limit: 1, oldestFirst: true });
    if (first.jobs.some((job) => job.jobId !== jobId))
      return { kind: "line", reason: "older jobs are waiting for a slot" };
  }
  const slot = await deps.capacity.slots.acquire(jobId, deps.clock());
  if (!slot.acquired)
    return {
      kind: "slot",
      reason: `no running-task slot is free (the stack's maxRunningTasks: ${deps.capacity.slots.cap})`,
    };
  if (slot.alreadyHeld && options.skipHeld === true)
    return { kind: "held", reason: "another launcher holds its slot and is starting it" };
  const refusal = await takeLaunchTurn(deps);
  if (refusal === undefined) return { kind: "admitted", slot };
  await deps.capacity.slots.giveBack(jobId, slot);
  return refusal;
}

/** Reserves a launch turn at the shared rate and waits for it; why not, when it is too far ahead. */
export async function takeLaunchTurn(
  deps: Pick<AdmissionDeps, "capacity" | "clock">,
): Promise<Refusal | undefined> {
  const { launchRate, sleep, maxLaunchWaitMs } = deps.capacity;
  const now = Date.parse(deps.clock());
  const turn = await launchRate.reserve(now, maxLaunchWaitMs);
  if (turn === undefined)
    return { kind: "rate", reason: `RunTask's rate allows no launch within ${maxLaunchWaitMs / 1000} s` };
  if (turn > now) await sleep(turn - now);
  return undefined;
}
