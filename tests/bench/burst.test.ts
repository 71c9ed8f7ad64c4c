// The burst benchmark's scenario at a small scale (200 uploads at once, a cap of 50, Fargate's launch limits)
// through the real dispatcher, task-state and sweeper workflows on the virtual clock: the correctness checks
// must hold, read from the stored histories — every job SUCCEEDED, none launched twice, the cap never
// exceeded — and ECS throttled nothing. Timings are the benchmark's business, not asserted here.

import { expect, it } from "vitest";
import { BURST_SCENARIO, burstChecks, simulateBurst } from "../../bench/burst";

it("runs a small burst to the end with every correctness check holding", async () => {
  const result = await simulateBurst({ ...BURST_SCENARIO, uploads: 200, maxRunningTasks: 50 });
  expect(result.finished).toBe(true);
  expect(burstChecks(result).filter((check) => !check.ok)).toEqual([]);
  expect(result.histories).toMatchObject({ jobs: 200, succeeded: 200, launchedTwice: 0 });
  // The cap was reached (the check above is not vacuous), and the pacing kept ECS from refusing any call.
  expect(result.histories.maxRunning).toBe(50);
  expect(result.ecs).toMatchObject({ runTaskCalls: 200, throttled: 0, tasksStarted: 200 });
  expect(result.deadLetters).toBe(0);
});
