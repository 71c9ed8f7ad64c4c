// Why this is tested: as first written, local ECS now answers a RunTask that reuses a client token with other
// parameters with ConflictException, "as ECS does" — but in words of its own: "...a different RunTask request
// (launch type, capacity provider strategy, cpu or memory differ)". The pipeline's launcher reads a refusal
// by its name and message (readLaunchFailure), and RETRYABLE_LAUNCH_FAILURE matches /capacity/i, so local
// mode reads its conflict as a retryable launch failure (an infrastructure retry: a new attempt, a new token,
// a second task beside the one the token already started), where ECS's own message ("The RunTask request
// could not be processed due to conflicts. The provided clientToken is already in use with a different
// RunTask request.") is read as non-retryable and the job fails. Local mode, there to rehearse AWS, decides
// the opposite of what the deployed pipeline decides on the same event.
// Given a local ECS that ran attempt 1 of a job On-Demand at 1 vCPU 2 GiB,
// when the pipeline's launcher sends the same client token as a launch recorded before sizes (launchType
// FARGATE, no size),
// then the launch failure it reads is as retryable as ECS's ConflictException reads: not retryable.

import { ECSClient } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { EcsTaskLauncher } from "../../jobs/adapters/aws/ecs-task-launcher";
import { readLaunchFailure } from "../../jobs/model/retry-policy";
import type { LaunchRequest } from "../../jobs/store/ports";
import { LocalEcs, type WorkerLauncher } from "../../local/aws/ecs";
import { TEST_CLUSTER } from "../support/local-mode";

// ECS's ConflictException for RunTask as the ECS API reference words it, with the name the launcher prefixes.
const ECS_CONFLICT =
  "ConflictException: The RunTask request could not be processed due to conflicts. The provided " +
  "clientToken is already in use with a different RunTask request.";

// A worker that runs until ECS stops it.
const worker: WorkerLauncher = {
  start() {
    let exit: (outcome: { exitCode: number }) => void = () => {};
    const exited = new Promise<{ exitCode: number }>((resolve) => {
      exit = resolve;
    });
    return {
      started: Promise.resolve(),
      exited,
      stop: () => exit({ exitCode: 143 }),
      kill: () => exit({ exitCode: 137 }),
    };
  },
};
const ecs = new LocalEcs({ ...TEST_CLUSTER, launcher: worker, onEvent: async () => {} });
let client: ECSClient;
let launcher: EcsTaskLauncher;

beforeAll(async () => {
  const endpoint = await ecs.start();
  client = new ECSClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  });
  launcher = new EcsTaskLauncher(client, {
    clusterArn: ecs.clusterArn,
    taskDefinitionArn: ecs.taskDefinitionArn,
    subnetIds: ["subnet-a"],
    securityGroupIds: ["sg-a"],
    assignPublicIp: "DISABLED",
  });
});
afterAll(async () => {
  client.destroy();
  await ecs.stop();
});

it("local ECS's ConflictException is read as ECS's is: not a retryable launch failure", async () => {
  expect(readLaunchFailure(ECS_CONFLICT).retryable).toBe(false);
  const request: LaunchRequest = {
    jobId: "job-c",
    attempt: 1,
    clientToken: "job-c.1",
    override: { name: "worker", environment: [] },
    placement: { size: { cpu: 1024, memoryMib: 2048 }, capacity: "FARGATE" },
  };
  expect(await launcher.launch(request)).toMatchObject({ launched: true });

  const first = await launcher.launch(request);
  const { placement: _placement, ...asBeforeSizes } = request;
  const again = await launcher.launch(asBeforeSizes);
  // (Fixed: local ECS answers in ECS's words and names the task the token started, as ECS does; the
  // launcher takes that task as the attempt's, and a conflict without one is never read as retryable.)
  expect(again).toEqual(first);
  expect(readLaunchFailure("ConflictException: in use; capacity provider strategy differs").retryable).toBe(
    false,
  );
});
