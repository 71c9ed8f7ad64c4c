// RunTask calls paced to what ECS allows on Fargate (by default 20 calls/s, and a burst of 100 task launches
// refilled at 20/s), shared by every launcher: the dispatchers, the task-state handlers starting waiting jobs,
// the sweeper. A burst then launches near the limit instead of bouncing on throttles.
// The bucket is kept as GCRA (the generic cell rate algorithm): one number, the "theoretical arrival time"
// (TAT) of the next call, so that a reservation is one conditional update of one number. A caller reserves
// the earliest time its call conforms, waits until then, and calls; a reservation further ahead than the
// caller will wait is refused and reserves nothing.

export interface LaunchRateLimits {
  /** Calls per second, sustained. */
  readonly ratePerSecond: number;
  /** Calls that may be made at once after a quiet spell. */
  readonly burst: number;
}

/** ECS's Fargate limits (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/throttling.html): RunTask about 20 calls/s; launches 100 burst, 20/s refill. */
export const FARGATE_LAUNCH_LIMITS: LaunchRateLimits = { ratePerSecond: 20, burst: 100 };

/** How long a launcher waits for its turn before the job waits for a slot instead (a Lambda's time). */
export const MAX_LAUNCH_WAIT_MS = 20_000;

/** How far one throttle that happened anyway (another system calling RunTask) pushes every launcher back. */
export const THROTTLE_SLOWDOWN_MS = 1_000;

export interface LaunchRate {
  /**
   * Reserves one RunTask call: the time (epoch ms) it may be made, at `nowMs` or later; undefined, with
   * nothing reserved, when that is more than `maxWaitMs` away.
   */
  reserve(nowMs: number, maxWaitMs: number): Promise<number | undefined>;
  /**
   * ECS throttled a call all the same: no launcher calls again before `untilMs`, and from then on at the
   * sustained rate, without a burst.
   */
  slowDown(untilMs: number): Promise<void>;
}

/** The emission interval and the tolerance of GCRA, in ms. */
export function gcraParameters(limits: LaunchRateLimits): { intervalMs: number; toleranceMs: number } {
  const intervalMs = 1000 / limits.ratePerSecond;
  return { intervalMs, toleranceMs: (limits.burst - 1) * intervalMs };
}

/**
 * One reservation against a bucket whose TAT is `tat` (undefined: never used): the new TAT and when the call
 * may be made, or undefined when that is more than `maxWaitMs` after `nowMs`.
 */
export function gcraReserve(
  tat: number | undefined,
  nowMs: number,
  limits: LaunchRateLimits,
  maxWaitMs: number,
): { tat: number; at: number } | undefined {
  const { intervalMs, toleranceMs } = gcraParameters(limits);
  const from = Math.max(tat ?? nowMs, nowMs);
  const at = Math.max(nowMs, from - toleranceMs);
  if (at - nowMs > maxWaitMs) return undefined;
  return { tat: from + intervalMs, at };
}

/** The bucket in memory: for one process (tests, benchmarks). Local mode and AWS share a DynamoDB item. */
export class MemoryLaunchRate implements LaunchRate {
  private tat: number | undefined;

  constructor(private readonly limits: LaunchRateLimits = FARGATE_LAUNCH_LIMITS) {}

  async reserve(nowMs: number, maxWaitMs: number): Promise<number | undefined> {
    const reservation = gcraReserve(this.tat, nowMs, this.limits, maxWaitMs);
    if (reservation === undefined) return undefined;
    this.tat = reservation.tat;
    return reservation.at;
  }

  async slowDown(untilMs: number): Promise<void> {
    const paced = untilMs + gcraParameters(this.limits).toleranceMs;
    this.tat = Math.max(this.tat ?? paced, paced);
  }
}
