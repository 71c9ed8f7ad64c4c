// A network change of a running stack replaces the worker tasks' security group (its VPC is fixed at
// creation), and EC2 refuses to delete a group while a task's network interface uses it (DependencyViolation,
// hashicorp/terraform-provider-aws#1671, #20405). Under Pulumi mocks: the group is auto-named and replaced
// create-before-delete, so the dispatcher moves to the new group first, and the old group's deletion waits
// as long as a task launched before the change may run; the interface endpoints' group follows the new
// group in place.

import { beforeAll, describe, expect, it } from "vitest";
import { securityGroupDeleteWaitMinutes } from "../../components/worker/worker";
import { parsePipelineConfig } from "../../config/parse";
import { type PipelineRun, resolved, runPipeline } from "./support/run-pipeline";
import { projectRawConfig } from "./support/stack-config";

const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
const prodConfig = parsePipelineConfig(projectRawConfig("prod"));
let run: PipelineRun;

beforeAll(async () => {
  run = await runPipeline(
    parsePipelineConfig({ ...projectRawConfig("prod"), vpcInterfaceEndpoints: "true" }),
  );
}, 60_000);

describe("the worker tasks' security group", () => {
  it("has no fixed name, so a replacement can exist beside the old group", () => {
    const group = run.one(SECURITY_GROUP, "worker-tasks");
    expect(group.inputs.name).toBeUndefined();
    expect(group.inputs.namePrefix).toBeUndefined();
  });

  it("is replaced create-before-delete", () => {
    expect(run.one(SECURITY_GROUP, "worker-tasks").deleteBeforeReplace).toBe(false);
  });

  it("waits, when deleted, as long as a task launched before may hold its network interface", () => {
    const { launchTimeoutMinutes, jobTimeoutMinutes } = prodConfig.jobs;
    // prod: 15 launch + 60 run + 2 sweep + 1 (30 s stop) + 5 release
    expect({ launchTimeoutMinutes, jobTimeoutMinutes, sweep: prodConfig.sweepIntervalMinutes }).toEqual({
      launchTimeoutMinutes: 15,
      jobTimeoutMinutes: 60,
      sweep: 2,
    });
    expect(run.one(SECURITY_GROUP, "worker-tasks").deleteTimeout).toBe("83m");
  });

  it("is what the dispatcher launches tasks in, so an update moves launches to the new group", async () => {
    const variables = (
      run.one("aws:lambda/function:Function", "dispatcher-handler-function").inputs.environment as {
        variables: Record<string, string>;
      }
    ).variables;
    expect(Object.values(variables)).toContain(await resolved(run.pipeline.worker.securityGroup.id));
  });

  it("lets the interface endpoints' group follow it with an in-place rule change", async () => {
    const endpoints = run.one(SECURITY_GROUP, "endpoints-sg");
    expect(endpoints.inputs.ingress).toEqual([
      expect.objectContaining({ securityGroups: [await resolved(run.pipeline.worker.securityGroup.id)] }),
    ]);
    expect(endpoints.deleteBeforeReplace).toBe(false);
  });
});

describe("securityGroupDeleteWaitMinutes", () => {
  it("adds the launch and run deadlines, a sweep, the stop timeout and the interface's release", () => {
    expect(
      securityGroupDeleteWaitMinutes({
        launchTimeoutMinutes: 10,
        jobTimeoutMinutes: 240,
        sweepIntervalMinutes: 5,
        stopTimeoutSeconds: 120,
      }),
    ).toBe(10 + 240 + 5 + 2 + 5);
  });
});
