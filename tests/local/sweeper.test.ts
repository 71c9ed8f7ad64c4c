// Local mode's sweeper schedule: a run at once (what recovers the jobs of an earlier run), then one every
// interval, never two at a time; a failed run is reported and the schedule goes on; stop waits for a run.

import { describe, expect, it } from "vitest";
import { readHandlerConfig } from "../../handlers/environment";
import { LOCAL_SWEEP, localSweepEnvironment, scheduleSweeps } from "../../local/sweeper";
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
});
