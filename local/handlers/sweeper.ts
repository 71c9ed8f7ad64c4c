// Local mode's schedule for the real sweeper handler (handlers/sweeper.ts), in place of the stack's
// EventBridge schedule: once at start — which is what recovers the jobs an earlier run left behind — then
// every intervalSeconds. Locally the deadlines are short, so a crash is recovered in about a minute rather
// than the deployed stack's several: nothing local waits for capacity or an image pull. `--sweep-every` and
// `--sweep-quiet` shorten them further (the crash-recovery tests wait seconds, not minutes).

import type { HandlerEnvironment } from "../../components/lib/handler-environment";
import { MIN_QUIET_SECONDS } from "../../jobs/model";

export interface LocalSweepTimings {
  /** How often the sweeper runs (the deployed stack: sweepIntervalMinutes, default 2 min). */
  readonly intervalSeconds: number;
  /** No news of an active job for this long: ECS is asked about it (a lost task is found this way). */
  readonly quietSeconds: number;
  /** A launch not RUNNING after this is stopped and retried. */
  readonly launchSeconds: number;
}

export const LOCAL_SWEEP: LocalSweepTimings = {
  /** How often the sweeper runs (the deployed stack: sweepIntervalMinutes, default 2 min). */
  intervalSeconds: 15,
  /**
   * No news of an active job for this long: ECS is asked about it (a lost task is found this way). The
   * handlers accept nothing shorter, and the sweeper leaves a job changed in the last minute alone anyway.
   */
  quietSeconds: 60,
  /** A local worker starts in about a second; a launch not RUNNING after this is stopped and retried. */
  launchSeconds: 120,
};

/** The longest --sweep-every or --sweep-quiet accepted: an hour, as the handlers' SWEEP_QUIET_SECONDS. */
const MAX_SWEEP_SECONDS = 3600;

/**
 * Local mode's timings with --sweep-every and --sweep-quiet applied (whole seconds, each as given or the
 * default); a value out of range is refused naming the flag and what it accepts.
 */
export function parseSweepTimings(flags: {
  readonly every?: string | undefined;
  readonly quiet?: string | undefined;
}): LocalSweepTimings {
  const seconds = (flag: string, text: string | undefined, fallback: number, min: number) => {
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || value < min || value > MAX_SWEEP_SECONDS)
      throw new Error(`${flag} must be whole seconds from ${min} to ${MAX_SWEEP_SECONDS}, got "${text}"`);
    return value;
  };
  return {
    intervalSeconds: seconds("--sweep-every", flags.every, LOCAL_SWEEP.intervalSeconds, 1),
    quietSeconds: seconds("--sweep-quiet", flags.quiet, LOCAL_SWEEP.quietSeconds, MIN_QUIET_SECONDS),
    launchSeconds: LOCAL_SWEEP.launchSeconds,
  };
}

/** The handlers' variables local mode sets differently from the stack (its run deadline is the stack's). */
export function localSweepEnvironment(
  timings: LocalSweepTimings = LOCAL_SWEEP,
): Pick<HandlerEnvironment, "LAUNCH_TIMEOUT_SECONDS" | "SWEEP_QUIET_SECONDS"> {
  return {
    LAUNCH_TIMEOUT_SECONDS: String(timings.launchSeconds),
    SWEEP_QUIET_SECONDS: String(timings.quietSeconds),
  };
}

export interface SweepSchedule {
  /** Ends the schedule and waits for a sweep in progress. */
  stop(): Promise<void>;
}

/**
 * Runs `sweepOnce` now and then every `intervalMs`, one run at a time (a run longer than the interval delays
 * the next, as a Lambda with reserved concurrency 1 would). A failed run is reported and the schedule goes on.
 */
export function scheduleSweeps(options: {
  readonly sweepOnce: () => Promise<void>;
  readonly intervalMs: number;
  readonly onError: (error: unknown) => void;
}): SweepSchedule {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const run = () => {
    running = options
      .sweepOnce()
      .catch(options.onError)
      .finally(() => {
        if (!stopped) timer = setTimeout(run, options.intervalMs);
      });
  };
  run();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
