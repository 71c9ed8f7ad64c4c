// Why this is tested: as first written, Fargate Spot short of capacity does not always refuse RunTask: the
// task is accepted and waits in PROVISIONING for capacity (ECS stops it only after 10 to 30 minutes). The
// pipeline's launch deadline (launchTimeoutMinutes, 15 by default) usually ends that wait first: the sweeper
// stops the task and the job retries it as an infrastructure failure (decide.ts, missedDeadline) — but with no
// Spot setback, so under capacity spot-with-fallback the retry goes back to FARGATE_SPOT, to wait again, until
// maxInfraRetries fails the job. The issue: "When Spot capacity is unavailable at launch ... the job's next
// launch goes to On-Demand."
// Expected: given a job on capacity spot-with-fallback whose Spot task was stopped for missing the launch
// deadline (it never ran), when the stop is observed, then the retry runs On-Demand (capacity FARGATE).

import { expect, it } from "vitest";
import type { JobEvent } from "../../jobs/model/events";
import type { RetryPolicy } from "../../jobs/model/retry-policy";
import { INPUT, observation, T0, TEST_POLICY, TEST_SIZE, taskArn } from "../support/factories";
import { given } from "../support/specification";

const JOB = "job-spot-wait";
const SPOT_FIRST: RetryPolicy = {
  ...TEST_POLICY,
  placement: { ...TEST_POLICY.placement, capacity: "spot-with-fallback" },
};

it("a Spot task stopped for missing the launch deadline is retried On-Demand (spot-with-fallback)", () => {
  const history: JobEvent[] = [
    { type: "JobSubmitted", at: T0, jobId: JOB, input: INPUT, source: { kind: "message" } },
    {
      type: "TaskLaunchRequested",
      at: T0,
      attempt: 1,
      clientToken: `${JOB}.1`,
      size: TEST_SIZE,
      capacity: "FARGATE_SPOT",
    },
    { type: "TaskLaunched", at: T0, attempt: 1, taskArn: taskArn(1) },
    {
      type: "TaskStopRequested",
      at: "2026-11-26T10:15:00.000Z",
      attempt: 1,
      taskArn: taskArn(1),
      deadline: "launch",
      reason: "no RUNNING within the launch deadline of 15m (capacity, provisioning or image pull)",
    },
  ];
  const events = given(JOB, history, SPOT_FIRST)
    .when({
      type: "ObserveTask",
      now: "2026-11-26T10:15:05.000Z",
      observation: observation({
        lastStatus: "STOPPED",
        attempt: 1,
        taskArn: taskArn(1),
        ecsVersion: 3,
        stopCode: "UserInitiated",
        stoppedReason: "no RUNNING within the launch deadline of 15m (capacity, provisioning or image pull)",
        resources: { cpuUnits: 1024, memoryMib: 2048, capacityProviderName: "FARGATE_SPOT" },
      }),
    })
    .events();
  const retry = events.find((event) => event.type === "RetryScheduled");
  expect(retry).toMatchObject({ nextAttempt: 2, countsAsAttempt: false });
  expect(retry).toMatchObject({ capacity: "FARGATE" });
});
