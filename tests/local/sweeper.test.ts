// Local mode's sweeper schedule: a run at once (what recovers the jobs of an earlier run), then one every
// interval, never two at a time; a failed run is reported and the schedule goes on; stop waits for a run.

import { describe, expect, it } from "vitest";
import { readHandlerConfig } from "../../handlers/environment";
import {
  LOCAL_SWEEP,
  localSweepEnvironment,
  parseSweepTimings,
  scheduleSweeps,
} from "../../local/handlers/sweeper";
import { handlerEnvironment } from "../support/handler-env";

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("local sweeper schedule", () => {
  it("sweeps at once, then every interval, one run at a time, through failures; stop waits for the run in progress", async () => {
    let runs = 0;
    let concurrent = 0;
    let most = 0;
    const errors: unknown[] = [];
    const schedule = scheduleSweeps({
      intervalMs: 5,
      onError: (error) => errors.push(error),
      sweepOnce: async () => {
        runs++;
        concurrent++;
        most = Math.max(most, concurrent);
        await tick(10);
        concurrent--;
        if (runs === 2) throw new Error("DescribeTasks failed");
      },
    });
    expect(runs).toBe(1); // the first run starts before scheduleSweeps returns
    while (runs < 4) await tick(5);
    await schedule.stop();
    const after = runs;
    expect(concurrent).toBe(0);
    await tick(40);
    expect(runs).toBe(after);
    expect(most).toBe(1);
    expect(errors).toEqual([new Error("DescribeTasks failed")]);
  });

  it("sets local deadlines the handlers accept", () => {
    const config = readHandlerConfig({
      ...handlerEnvironment("http://127.0.0.1:1", "jobs"),
      ...localSweepEnvironment(),
    });
    expect(config.deadlines).toMatchObject({
      launchSeconds: LOCAL_SWEEP.launchSeconds,
      quietSeconds: LOCAL_SWEEP.quietSeconds,
    });
  });

  it("takes --sweep-every and --sweep-quiet as whole seconds, the defaults without them, and the handlers accept the quiet period", () => {
    expect(parseSweepTimings({})).toEqual(LOCAL_SWEEP);
    const fast = parseSweepTimings({ every: "1", quiet: "3" });
    expect(fast).toEqual({ intervalSeconds: 1, quietSeconds: 3, launchSeconds: LOCAL_SWEEP.launchSeconds });
    const config = readHandlerConfig({
      ...handlerEnvironment("http://127.0.0.1:1", "jobs"),
      ...localSweepEnvironment(fast),
    });
    expect(config.deadlines.quietSeconds).toBe(3);
  });

  it.each([
    [{ every: "0" }, /--sweep-every must be whole seconds from 1 to 3600, got "0"/],
    [{ every: "1.5" }, /--sweep-every must be whole seconds/],
    [{ quiet: "soon" }, /--sweep-quiet must be whole seconds from 1 to 3600, got "soon"/],
    [{ quiet: "3601" }, /--sweep-quiet must be whole seconds/],
  ])("refuses %o naming the flag", (flags, message) => {
    expect(() => parseSweepTimings(flags)).toThrow(message);
  });
});
