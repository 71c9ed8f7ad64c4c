// Why this is tested: as first written, before this change RunTask was sent
// with `launchType: "FARGATE"` and no task-level size. A job recorded LAUNCHING by that version (its
// TaskLaunchRequested has no size or capacity) and resumed after the upgrade — by the sweeper, a redelivered
// message — is launched again with the same client token but a different request: launchAttempt fills in
// capacity "FARGATE" and the launcher sends `capacityProviderStrategy: [{FARGATE}]` with no launch type. ECS
// answers a retry whose client token matches and whose parameters differ with ConflictException (ECS API
// reference, "Ensuring idempotency", RunTask); readLaunchFailure reads that as non-retryable and the job fails
// ("task could not be launched") while the task the first call started runs on.
// Expected: given a LAUNCHING job whose launch was recorded without size and capacity, when its launch is
// resumed, then RunTask is sent as it was the first time: launchType FARGATE, no capacity provider strategy,
// no cpu/memory overrides.

import { ECSClient, RunTaskCommand } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, expect, it } from "vitest";
import { EcsTaskLauncher } from "../../jobs/adapters/aws/ecs-task-launcher";
import { memoryCapacity } from "../../jobs/adapters/memory/memory-capacity";
import { MemoryJobStore } from "../../jobs/adapters/memory/memory-store";
import { changeJob } from "../../jobs/store/store";
import { launchAttempt } from "../../jobs/workflows/launch-attempt";
import { INPUT, T0, TEST_POLICY } from "../support/factories";
import { silent, tickingClock } from "../support/scripted-launcher";

const ecs = mockClient(ECSClient);
afterAll(() => ecs.restore());

it("a launch recorded before sizes is resumed with the request its first RunTask sent", async () => {
  ecs
    .on(RunTaskCommand)
    .resolves({ tasks: [{ taskArn: "arn:aws:ecs:us-west-2:111122223333:task/video-jobs/t1" }] });
  const store = new MemoryJobStore();
  // As the previous version recorded it: no size, no capacity.
  await changeJob(store, "job-old", () => [
    { type: "JobSubmitted", at: T0, jobId: "job-old", input: INPUT, source: { kind: "message" } },
    { type: "TaskLaunchRequested", at: T0, attempt: 1, clientToken: "job-old.1" },
  ]);
  const stored = await store.get("job-old");
  if (stored === undefined) throw new Error("no job");
  expect(stored.state.status).toBe("LAUNCHING");

  await launchAttempt(
    {
      store,
      launcher: new EcsTaskLauncher(new ECSClient({ region: "us-west-2" }), {
        clusterArn: "arn:aws:ecs:us-west-2:111122223333:cluster/video-jobs",
        taskDefinitionArn: "arn:aws:ecs:us-west-2:111122223333:task-definition/worker:3",
        subnetIds: ["subnet-a"],
        securityGroupIds: ["sg-a"],
        assignPublicIp: "DISABLED",
      }),
      target: { containerName: "worker", outputBucket: "outputs", outputPrefix: "outputs/" },
      policy: { ...TEST_POLICY, placement: { ...TEST_POLICY.placement, capacity: "spot-with-fallback" } },
      clock: tickingClock(),
      log: silent,
      capacity: memoryCapacity({ cap: 5 }),
    },
    stored,
  );
  const input = ecs.commandCalls(RunTaskCommand)[0]?.args[0].input;
  expect(input?.clientToken).toBe("job-old.1");
  // What the first call (the previous launcher) sent for this client token.
  expect(input?.launchType).toBe("FARGATE");
  expect(input).not.toHaveProperty("capacityProviderStrategy");
  expect(input?.overrides).not.toHaveProperty("cpu");
  expect(input?.overrides).not.toHaveProperty("memory");
});
