// Simulated Fargate Spot for local mode's ECS stand-in. Interruptions (`--spot-interruptions`): a share of the
// tasks placed on FARGATE_SPOT is reclaimed while running, as AWS reclaims Spot capacity — the worker gets
// SIGTERM (SIGKILL after the stop timeout) and the task stops with stopCode SpotInterruption. Which tasks,
// and when, is drawn at random when each task starts running, or fixed for a repeatable run. No capacity
// (`--spot-unavailable`): a share of RunTask calls for FARGATE_SPOT is refused as ECS refuses a launch it
// has no capacity for.

import type { CapacityMode } from "../../jobs/model";

/** A task not given a fixed moment is interrupted at a random moment in this much of its running time. */
export const RANDOM_INTERRUPTION_WITHIN_SECONDS = 10;

export interface SpotInterruptions {
  /** The share (0-1) of FARGATE_SPOT tasks that are interrupted. */
  readonly share: number;
  /**
   * Seconds after a task starts running that it is interrupted; undefined: a random moment within
   * RANDOM_INTERRUPTION_WITHIN_SECONDS. A task that ends before its moment is not interrupted.
   */
  readonly afterSeconds?: number;
}

/**
 * The latest fixed moment, in seconds: the local ECS waits for it with a timer, and Node's timers wait at most
 * 2^31-1 ms (about 24.8 days) — a longer delay fires after 1 ms, interrupting every task at once.
 */
export const MAX_INTERRUPTION_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/** How ECS words a Spot interruption on the stopped task. */
export const SPOT_INTERRUPTION = {
  stopCode: "SpotInterruption",
  stoppedReason: "Your Spot Task was interrupted.",
} as const;

/** How ECS answers a RunTask it has no capacity for: a failure of the call, no task. */
export const SPOT_CAPACITY_UNAVAILABLE =
  "Capacity is unavailable at this time. Please try again later or in a different availability zone";

/**
 * When a task that starts running now is interrupted, in milliseconds from now; undefined: it is not.
 * `random` returns [0, 1), as Math.random does.
 */
export function interruptionDelayMs(
  interruptions: SpotInterruptions,
  random: () => number,
): number | undefined {
  if (!(random() < interruptions.share)) return undefined;
  const seconds = interruptions.afterSeconds ?? random() * RANDOM_INTERRUPTION_WITHIN_SECONDS;
  return Math.round(seconds * 1000);
}

/**
 * Reads `--spot-interruptions`'s value: "SHARE" (e.g. "0.05": 5% of Spot tasks, each at a random moment) or
 * "SHARE@SECONDS" (e.g. "1@2": every Spot task, 2 s after it starts running). Throws an error naming the
 * flag and the expected shape on anything else.
 */
export function parseSpotInterruptions(text: string, flag = "--spot-interruptions"): SpotInterruptions {
  const shape = `${flag} takes SHARE or SHARE@SECONDS (the share of FARGATE_SPOT tasks interrupted, 0-1, and optionally when: seconds after each starts running; e.g. 0.05 or 1@2)`;
  const match = /^([^@]*)(?:@(\d*\.?\d+))?$/.exec(text.trim());
  if (match === null || !SHARE.test(match[1] ?? "")) throw new Error(`${shape}, got "${text}"`);
  const share = readShare(match[1] ?? "", text, flag);
  if (match[2] === undefined) return { share };
  const afterSeconds = Number(match[2]);
  if (afterSeconds > MAX_INTERRUPTION_SECONDS)
    throw new Error(
      `${flag}: SECONDS must be at most ${MAX_INTERRUPTION_SECONDS} (about 24 days, the longest a timer waits), got "${text}"`,
    );
  return { share, afterSeconds };
}

/**
 * Why `--spot-interruptions` can do nothing with a stack's `capacity`, or undefined when its tasks run on
 * FARGATE_SPOT: a stack on On-Demand runs none there, and a flag that does nothing is refused, not ignored.
 * `stack` is local mode's --stack (undefined: Pulumi.yaml's defaults).
 */
export function spotInterruptionsProblem(
  capacity: CapacityMode,
  stack: string | undefined,
  flag = "--spot-interruptions",
): string | undefined {
  if (capacity !== "on-demand") return undefined;
  const runs =
    stack === undefined ? "Pulumi.yaml's defaults have" : `stack ${stack} (Pulumi.${stack}.yaml) has`;
  const fix =
    stack === undefined
      ? "run a stack whose capacity is spot or spot-with-fallback (e.g. --stack dev), or set video-jobs:capacity in a Pulumi.NAME.yaml and pass --stack NAME"
      : `set video-jobs:capacity to spot or spot-with-fallback in Pulumi.${stack}.yaml${stack === "dev" ? "" : ", or use a stack that has it (e.g. --stack dev)"}`;
  const moot = flag === "--spot-unavailable" ? "none could be refused" : "none could be interrupted";
  return `${flag}: ${runs} capacity on-demand, so no task runs on FARGATE_SPOT and ${moot}; ${fix}`;
}

/**
 * Reads `--spot-unavailable`'s value: the share (0-1) of RunTask calls for FARGATE_SPOT refused for lack of
 * capacity, e.g. "0.2". Throws an error naming the flag and the expected shape on anything else.
 */
export function parseSpotUnavailable(text: string, flag = "--spot-unavailable"): number {
  if (!SHARE.test(text.trim()))
    throw new Error(
      `${flag} takes SHARE (the share of FARGATE_SPOT launches refused for lack of capacity, 0-1; e.g. 0.2), got "${text}"`,
    );
  return readShare(text.trim(), text, flag);
}

const SHARE = /^\d*\.?\d+$/;

function readShare(share: string, text: string, flag: string): number {
  const value = Number(share);
  if (!(value >= 0 && value <= 1))
    throw new Error(`${flag}: the share must be between 0 and 1 (e.g. 0.05 for 5%), got "${text}"`);
  return value;
}
