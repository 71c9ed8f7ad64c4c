// Why this is tested: as first written, a RunTask that reuses a client token with other parameters is answered
// with ConflictException (the ECS API reference), and the recent changes send every launch of an attempt
// with its recorded placement to avoid it. But a conflict can still come — the stack deployed a new task
// definition revision while a launch was in flight, and the sweeper resumes it with the new ARN — and ECS's
// ConflictException says which task the token already started (`resourceIds`). EcsTaskLauncher drops that:
// it reads the refusal by name and message only, readLaunchFailure calls it non-retryable, and the job FAILS
// ("task could not be launched") while the task its first call started runs on, unknown to the job (no task
// ARN recorded, so nothing stops it and its result is ignored).
// Given a LAUNCHING job whose resumed RunTask is answered with ConflictException naming the task its token
// started, when the launch is resumed, then the job records that task as its launch instead of failing.

import { ConflictException, ECSClient, RunTaskCommand } from "@aws-sdk/client-ecs";
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

const RUNNING_TASK = "arn:aws:ecs:us-west-2:111122223333:task/video-jobs/first-call";

it("a resumed launch answered with ConflictException records the task the client token started", async () => {
  ecs.on(RunTaskCommand).rejects(
    new ConflictException({
      $metadata: {},
      message:
        "The RunTask request could not be processed due to conflicts. The provided clientToken is already in use with a different RunTask request.",
      resourceIds: [RUNNING_TASK],
    }),
  );
  const store = new MemoryJobStore();
  await changeJob(store, "job-c", () => [
    { type: "JobSubmitted", at: T0, jobId: "job-c", input: INPUT, source: { kind: "message" } },
    {
      type: "TaskLaunchRequested",
      at: T0,
      attempt: 1,
      clientToken: "job-c.1",
      size: { cpu: 1024, memoryMib: 2048 },
      capacity: "FARGATE",
    },
  ]);
  const stored = await store.get("job-c");
  if (stored === undefined) throw new Error("no job");

  const after = await launchAttempt(
    {
      store,
      launcher: new EcsTaskLauncher(new ECSClient({ region: "us-west-2" }), {
        clusterArn: "arn:aws:ecs:us-west-2:111122223333:cluster/video-jobs",
        // A revision deployed since the first call: ECS sees other parameters for the same token.
        taskDefinitionArn: "arn:aws:ecs:us-west-2:111122223333:task-definition/worker:4",
        subnetIds: ["subnet-a"],
        securityGroupIds: ["sg-a"],
        assignPublicIp: "DISABLED",
      }),
      target: { containerName: "worker", outputBucket: "outputs", outputPrefix: "outputs/" },
      policy: TEST_POLICY,
      clock: tickingClock(),
      log: silent,
      capacity: memoryCapacity({ cap: 5 }),
    },
    stored,
  );
  expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(1);
  expect(after.state).toMatchObject({ status: "LAUNCHED", attempt: 1, taskArn: RUNNING_TASK });
});
