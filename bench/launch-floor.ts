// The floor of a burst: the earliest time an ideal launcher could have launched every task, under the same
// limits as the system measured — Fargate's launch token bucket, a cap on running tasks, and tasks that each
// hold their place from launch to stop for a fixed time. The burst benchmark reports its time against it.

import { LaunchBucket, type LaunchLimits } from "../local/aws/launch-limits";

export interface FloorInputs {
  readonly tasks: number;
  readonly limits: LaunchLimits;
  readonly maxRunningTasks: number;
  /** From launch (RunTask accepted) to stop: the time a task holds its place under the cap. */
  readonly taskLifetimeMs: number;
}

/**
 * Launch times (ms from the burst's start) of an ideal launcher, which launches each task as soon as both
 * a token and a place under the cap are there.
 *
 * Greedy is optimal here, by an exchange argument over the k-th launch: launching a task earlier never
 * delays a later one. It leaves the token bucket with at least as many tokens at every later moment (a token
 * taken earlier starts its refill earlier, and a full bucket wastes the refill of a token not yet taken), and
 * with equal lifetimes it frees its place earlier. So if any schedule launches its k-th task at t, greedy has
 * launched its k-th by t; in particular the last.
 */
export function launchFloor(inputs: FloorInputs): number[] {
  const { tasks, maxRunningTasks, taskLifetimeMs } = inputs;
  if (!(maxRunningTasks >= 1)) throw new Error("the cap on running tasks must be at least 1");
  const bucket = new LaunchBucket(inputs.limits);
  const launches: number[] = [];
  let now = 0;
  for (let k = 0; k < tasks; k++) {
    // Equal lifetimes stop in launch order: the k-th launch reuses the place of launch k - cap.
    const placeFreeAt = k >= maxRunningTasks ? (launches[k - maxRunningTasks] as number) + taskLifetimeMs : 0;
    now = Math.max(now, placeFreeAt);
    now = bucket.nextLaunchAt(now);
    if (!bucket.take(now)) throw new Error(`the launch bucket refused its own next launch time ${now}`);
    launches.push(now);
  }
  return launches;
}
