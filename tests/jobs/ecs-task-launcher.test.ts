// The ECS launcher's RunTask request for an attempt's placement (aws-sdk-client-mock): a capacity provider
// strategy instead of a launch type, and task-level cpu/memory overrides for the attempt's size; a launch
// recorded before attempts had a placement is sent as it was then.

import { ECSClient, RunTaskCommand } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { EcsTaskLauncher } from "../../jobs/adapters/aws/ecs-task-launcher";
import type { LaunchRequest } from "../../jobs/store/ports";

const ecs = mockClient(ECSClient);
const launcher = new EcsTaskLauncher(new ECSClient({ region: "us-west-2" }), {
  clusterArn: "arn:aws:ecs:us-west-2:111122223333:cluster/video-jobs",
  taskDefinitionArn: "arn:aws:ecs:us-west-2:111122223333:task-definition/worker:3",
  subnetIds: ["subnet-a"],
  securityGroupIds: ["sg-a"],
  assignPublicIp: "DISABLED",
});
const request: LaunchRequest = {
  jobId: "job-1",
  attempt: 2,
  clientToken: "job-1.2",
  override: { name: "worker", environment: [{ name: "JOB_ID", value: "job-1" }] },
  placement: { size: { cpu: 2048, memoryMib: 8192 }, capacity: "FARGATE_SPOT" },
};
const sent = () => ecs.commandCalls(RunTaskCommand).map((call) => call.args[0].input);

beforeEach(() => {
  ecs.reset();
  ecs
    .on(RunTaskCommand)
    .resolves({ tasks: [{ taskArn: "arn:aws:ecs:us-west-2:111122223333:task/video-jobs/t" }] });
});
afterAll(() => ecs.restore());

describe("EcsTaskLauncher", () => {
  it("asks for the attempt's capacity provider and size, with no launch type", async () => {
    await launcher.launch(request);
    const [input] = sent();
    expect(input?.capacityProviderStrategy).toEqual([{ capacityProvider: "FARGATE_SPOT", weight: 1 }]);
    expect(input).not.toHaveProperty("launchType");
    expect(input?.overrides).toEqual({
      cpu: "2048",
      memory: "8192",
      containerOverrides: [{ name: "worker", environment: [{ name: "JOB_ID", value: "job-1" }] }],
    });
  });

  it("sends a launch recorded without a placement (a history from before sizes) as it was sent then", async () => {
    const { placement: _placement, ...unplaced } = request;
    await launcher.launch(unplaced);
    const [input] = sent();
    expect(input?.launchType).toBe("FARGATE");
    expect(input).not.toHaveProperty("capacityProviderStrategy");
    expect(input?.overrides).not.toHaveProperty("cpu");
    expect(input?.overrides).not.toHaveProperty("memory");
  });

  it("reads Spot's capacity refusal (a 200 with failures[]) as a retryable launch failure", async () => {
    ecs.on(RunTaskCommand).resolves({
      tasks: [],
      failures: [
        {
          reason:
            "Capacity is unavailable at this time. Please try again later or in a different availability zone",
        },
      ],
    });
    expect(await launcher.launch(request)).toEqual({
      launched: false,
      failure: {
        reason:
          "Capacity is unavailable at this time. Please try again later or in a different availability zone",
        retryable: true,
      },
    });
  });
});
