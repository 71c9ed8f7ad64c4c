// Fargate's launch limits as a model: a token bucket over RunTask calls (ECS allows a burst of 100 task
// launches, refilled at 20 per second). A call that finds the bucket empty is refused the way ECS refuses it,
// `ThrottlingException: Rate exceeded`, which the pipeline's launcher reads as a throttled launch. Local mode's
// ECS stand-in (ecs.ts, `--launch-limits`) and the burst benchmark's stand-in (bench/burst.ts) both use it.
// Pure: time is passed in, in milliseconds, so a virtual clock drives it as well as the real one.
// ECS's numbers are the job model's (jobs/capacity/launch-rate.ts), but this bucket is ECS's side, kept apart from
// the pipeline's own pacing (a GCRA reservation there): an independent model of the limit checks that the
// pacing keeps to it, rather than agreeing with it by construction.

import { FARGATE_LAUNCH_LIMITS, type LaunchRateLimits } from "../../jobs/capacity";

export { FARGATE_LAUNCH_LIMITS };
/** Launches refilled per second (ECS: 20), and launches allowed at once from a full bucket (ECS: 100). */
export type LaunchLimits = LaunchRateLimits;

/** How ECS words a RunTask refused for its rate: the error's name (code) and message. */
export const THROTTLED_RUN_TASK = { code: "ThrottlingException", message: "Rate exceeded" } as const;

/**
 * The bucket of launch tokens. It starts full (an idle account has its whole burst) and refills continuously;
 * tokens are counted in thousandths, so whole-millisecond steps at a whole rate add up exactly.
 */
export class LaunchBucket {
  private milliTokens: number;
  private lastMs: number | undefined;

  constructor(readonly limits: LaunchLimits = FARGATE_LAUNCH_LIMITS) {
    checkLimits(limits);
    this.milliTokens = limits.burst * 1000;
  }

  /** Takes one launch at `nowMs` if the bucket holds one; false means ECS would throttle the call. */
  take(nowMs: number): boolean {
    this.refill(nowMs);
    if (this.milliTokens < 1000) return false;
    this.milliTokens -= 1000;
    return true;
  }

  /** Whole launches available at `nowMs`. */
  available(nowMs: number): number {
    this.refill(nowMs);
    return Math.floor(this.milliTokens / 1000);
  }

  /** The earliest time, at or after `nowMs`, at which `take` succeeds. */
  nextLaunchAt(nowMs: number): number {
    this.refill(nowMs);
    if (this.milliTokens >= 1000) return nowMs;
    return nowMs + Math.ceil((1000 - this.milliTokens) / this.limits.ratePerSecond);
  }

  private refill(nowMs: number): void {
    // Time never runs backwards for the bucket (two callers may read a clock a moment apart).
    const elapsed = this.lastMs === undefined ? 0 : Math.max(0, nowMs - this.lastMs);
    this.lastMs = Math.max(nowMs, this.lastMs ?? nowMs);
    this.milliTokens = Math.min(
      this.limits.burst * 1000,
      this.milliTokens + elapsed * this.limits.ratePerSecond,
    );
  }
}

/**
 * Reads `--launch-limits`'s value: "RATE/BURST" (e.g. "20/100"), or "" for Fargate's own limits. Throws an
 * error naming the flag and the expected shape on anything else.
 */
export function parseLaunchLimits(text: string, flag = "--launch-limits"): LaunchLimits {
  if (text === "") return FARGATE_LAUNCH_LIMITS;
  const match = /^(\d+(?:\.\d+)?)\/(\d+)$/.exec(text.trim());
  if (match === null) {
    throw new Error(
      `${flag} takes RATE/BURST (launches per second / launches at once, e.g. ${FARGATE_LAUNCH_LIMITS.ratePerSecond}/${FARGATE_LAUNCH_LIMITS.burst}), got "${text}"`,
    );
  }
  const limits = { ratePerSecond: Number(match[1]), burst: Number(match[2]) };
  try {
    checkLimits(limits);
  } catch (error) {
    throw new Error(`${flag}: ${(error as Error).message}, got "${text}"`);
  }
  return limits;
}

function checkLimits(limits: LaunchLimits): void {
  if (!(Number.isFinite(limits.ratePerSecond) && limits.ratePerSecond > 0))
    throw new Error("the launch rate must be a number of launches per second above 0");
  if (!(Number.isInteger(limits.burst) && limits.burst >= 1))
    throw new Error("the launch burst must be a whole number of launches, at least 1");
}
