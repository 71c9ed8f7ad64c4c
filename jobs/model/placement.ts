// Where and how big an attempt runs: its Fargate size and capacity provider, fixed when its launch is
// recorded (TaskLaunchRequested) and sent unchanged whenever that attempt is launched again (the same client
// token must carry the same request). The decisions that move a job — bigger after it ran out of memory,
// On-Demand after Spot let it down — are pure functions of the stack's placement policy and what the job
// recorded, decided by decide.ts and exported for simulations (`npm run bench`).

import type { JobState } from "./state";
import {
  type CapacityMode,
  type CapacityProvider,
  describeCapacity,
  describeTaskSize,
  fitTaskSize,
  nextTaskSize,
  type TaskSize,
} from "./task-size";

/** The stack's rules for placing attempts (stack config workerCpu/workerMemoryMb, capacity, maxWorkerMemoryMb). */
export interface PlacementPolicy {
  /** On-Demand only, Spot only, or Spot falling back to On-Demand. */
  readonly capacity: CapacityMode;
  /** The task definition's size: every attempt's until one runs out of memory. */
  readonly workerSize: TaskSize;
  /** The most memory an out-of-memory retry may grow an attempt to. */
  readonly maxWorkerMemoryMb: number;
}

/** Where one attempt runs. */
export interface Placement {
  readonly size: TaskSize;
  readonly capacity: CapacityProvider;
}

/**
 * Where the job launches `attempt`. The attempt it already requested (a throttled launch put back in line)
 * keeps its recorded placement; a new one takes the job's grown size if it has one, and Spot unless the
 * stack is On-Demand or the job fell back to On-Demand. Undefined for an attempt requested before attempts
 * had a placement (an old history): it is launched again with the request it was first sent with.
 */
export function placementFor(
  state: JobState,
  attempt: number,
  policy: PlacementPolicy,
): Placement | undefined {
  if (attempt === state.attempt) return recordedPlacement(state);
  const onDemand = policy.capacity === "on-demand" || state.onDemandOnly === true;
  return { size: nextSize(state, policy), capacity: onDemand ? "FARGATE" : "FARGATE_SPOT" };
}

/**
 * The size of the job's next new attempt, within the stack's bounds as they are now (fitTaskSize): the size
 * it grew to, or the stack's. A job that failed because it ran out of memory (`outOfMemoryAt`, retried by
 * hand) starts one rung up from there, if the stack's maxWorkerMemoryMb allows one now.
 */
function nextSize(state: JobState, policy: PlacementPolicy): TaskSize {
  const cap = policy.maxWorkerMemoryMb;
  const grown =
    state.outOfMemoryAt === undefined
      ? undefined
      : (nextTaskSize(state.outOfMemoryAt, cap) ?? state.outOfMemoryAt);
  return fitTaskSize(grown ?? state.nextSize ?? policy.workerSize, policy.workerSize, cap);
}

/**
 * The latest attempt's placement as its launch recorded it: every RunTask of the attempt sends it, since ECS
 * answers a client token reused with other parameters with ConflictException. Undefined when the launch was
 * recorded before attempts had one (no size, no capacity): that RunTask was sent with launchType FARGATE and
 * the task definition's size, and so must every later one with its token be.
 */
export function recordedPlacement(state: JobState): Placement | undefined {
  if (state.attemptSize === undefined || state.attemptCapacity === undefined) return undefined;
  return { size: state.attemptSize, capacity: state.attemptCapacity };
}

/** The answer to an attempt that ran out of memory at `ranWith`: the next size up, or why there is none. */
export type Resize =
  | { readonly grows: true; readonly size: TaskSize; readonly reason: string }
  | { readonly grows: false; readonly reason: string };

/**
 * The size an attempt that ran out of memory is retried with (task-size.ts: at least twice the memory,
 * within maxWorkerMemoryMb), or, when no larger size is allowed, the reason the job fails.
 */
export function resizeAfterOutOfMemory(ranWith: TaskSize, policy: PlacementPolicy): Resize {
  const cap = policy.maxWorkerMemoryMb;
  const next = nextTaskSize(ranWith, cap);
  if (next !== undefined) {
    return {
      grows: true,
      size: next,
      reason: `retried with ${describeTaskSize(next)} (was ${describeTaskSize(ranWith)})`,
    };
  }
  const at = `ran out of memory at ${ranWith.memoryMib} MiB (${describeTaskSize(ranWith)})`;
  const limit =
    ranWith.memoryMib >= cap
      ? "the most maxWorkerMemoryMb allows"
      : `and no larger Fargate size fits maxWorkerMemoryMb (${cap} MiB)`;
  return {
    grows: false,
    reason: `${at}, ${limit}; raise maxWorkerMemoryMb to retry it bigger`,
  };
}

/**
 * How Spot let an attempt down: ECS reclaimed the task, refused to start one for lack of capacity, or left
 * it short of RUNNING past the launch deadline (Spot short of capacity may hold a task in PROVISIONING).
 */
export type SpotSetback = "interrupted" | "refused" | "unstarted";

const SPOT_CAPACITY_REFUSAL = /capacity is unavailable|insufficient capacity|no capacity/i;

/**
 * How Spot let the attempt down, if it did: a task stopped with stopCode SpotInterruption, a Spot attempt
 * that failed for lack of capacity (RunTask's failures[] or the stopped task's reason), or a Spot attempt
 * stopped (or lost) for missing the launch deadline: it never ran, which Spot short of capacity explains.
 */
export function spotSetback(
  ranOn: CapacityProvider | undefined,
  stop: { readonly stopCode?: string; readonly reason?: string; readonly missedLaunchDeadline?: boolean },
): SpotSetback | undefined {
  if (stop.stopCode === "SpotInterruption") return "interrupted";
  if (ranOn !== "FARGATE_SPOT") return undefined;
  if (stop.missedLaunchDeadline === true) return "unstarted";
  if (stop.reason !== undefined && SPOT_CAPACITY_REFUSAL.test(stop.reason)) return "refused";
  return undefined;
}

/**
 * Whether a Spot setback moves the rest of the job to On-Demand: with capacity spot-with-fallback, once
 * (a job already on On-Demand has nowhere to fall back to). With spot the retry stays on Spot.
 */
export function fallsBackToOnDemand(
  state: JobState,
  setback: SpotSetback | undefined,
  policy: PlacementPolicy,
): boolean {
  return setback !== undefined && policy.capacity === "spot-with-fallback" && state.onDemandOnly !== true;
}

/** Why the job's next launches run On-Demand, for the history. */
export function fallbackReason(setback: SpotSetback): string {
  const why = {
    interrupted: "Spot interrupted the task",
    refused: "Spot had no capacity",
    unstarted: "Spot did not start the task within the launch deadline",
  }[setback];
  return `${why}: the rest of the job runs on ${describeCapacity("FARGATE")} (FARGATE)`;
}
