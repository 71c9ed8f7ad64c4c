// The capacity benchmark's workload at a small scale, through the real dispatcher, task-state and sweeper
// workflows on the virtual clock. Given jobs of which some need more memory than the stack's size, and Spot
// tasks of which some are reclaimed, the histories must show every job succeeded, each out-of-memory stop
// retried bigger, each interruption moved to On-Demand, and every attempt priced. Timings and the goals'
// figures are the benchmark's business, not asserted here.

import { describe, expect, it } from "vitest";
import { CAPACITY_WORKLOAD, completionPercentile, simulateCapacity } from "../../bench/capacity";

const small = { ...CAPACITY_WORKLOAD, jobs: 120, oversizedShare: 0.25, interruptedShare: 0.2 };

describe("given a mixed workload: a quarter of the jobs too big for the stack's memory", () => {
  it("when it runs all On-Demand, then every job succeeds, nothing runs on Spot, each stop out of memory is retried", async () => {
    const run = await simulateCapacity(small, "on-demand");
    expect(run).toMatchObject({ finished: true, jobs: 120, succeeded: 120, spotSeconds: 0, unpriced: 0 });
    expect(run.interruptions).toBe(0);
    expect(run.oversized).toBeGreaterThan(10);
    expect(run.outOfMemory).toBeGreaterThanOrEqual(run.oversized);
    expect(run.costUsd).toBeGreaterThan(0);
  });

  it("when it runs Spot first and a fifth of Spot tasks are reclaimed, then each reclaimed job falls back once and succeeds", async () => {
    const run = await simulateCapacity(small, "spot-with-fallback");
    expect(run).toMatchObject({ finished: true, jobs: 120, succeeded: 120, unpriced: 0 });
    expect(run.interruptions).toBeGreaterThan(5);
    // A job falls back once; a task already On-Demand is never reclaimed again.
    expect(run.fallbacks).toBe(run.interruptions);
    expect(run.spotSeconds).toBeGreaterThan(run.onDemandSeconds);
  });
});

it("completion percentiles are the nearest rank of ascending values, NaN with none", () => {
  const values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  expect(completionPercentile(values, 95)).toBe(10);
  expect(completionPercentile(values, 50)).toBe(5);
  expect(completionPercentile([7], 95)).toBe(7);
  expect(completionPercentile([], 95)).toBeNaN();
});
