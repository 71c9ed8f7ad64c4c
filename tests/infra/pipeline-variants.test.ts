// Configuration variants under Pulumi mocks: a prebuilt worker image (no build, no repository),
// existing private subnets, job histories kept forever (TTL off), and the longest pipeline name.

import { beforeAll, describe, expect, it } from "vitest";
import { MAX_PIPELINE_NAME_LENGTH } from "../../components/lib/naming";
import { parsePipelineConfig } from "../../config/parse";
import { json, type PipelineRun, runPipeline } from "./support/run-pipeline";

const image = `210987654321.dkr.ecr.eu-west-1.amazonaws.com/media/worker@sha256:${"ab".repeat(32)}`;
const config = parsePipelineConfig({
  workerImage: image,
  workerArchitecture: "X86_64",
  network: "existing-vpc",
  existingVpcId: "vpc-0e1157",
  existingSubnetIds: JSON.stringify(["subnet-0a1", "subnet-0b2"]),
  jobRetentionDays: "0",
});
let run: PipelineRun;
/** A stack name of 17 characters: the longest the project name leaves room for. */
const LONGEST_NAME = "video-jobs-staging-eu-west-1";

beforeAll(async () => {
  run = await runPipeline(config, { name: LONGEST_NAME });
}, 60_000);

describe("a prebuilt worker image", () => {
  it("is used as given, and nothing is built or pushed", () => {
    expect(run.ofType("awsx:ecr:Image")).toEqual([]);
    expect(run.ofType("aws:ecr/repository:Repository")).toEqual([]);
    const task = run.one("aws:ecs/taskDefinition:TaskDefinition", "worker-task").inputs;
    expect(json<{ image: string }[]>(task.containerDefinitions)[0]?.image).toBe(image);
    expect(task.runtimePlatform).toEqual({ operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" });
  });

  it("is pulled with permission on its own ECR repository only", () => {
    const policy = json<{ Statement: { Sid: string; Resource: string[] }[] }>(
      run.one("aws:iam/rolePolicy:RolePolicy", "worker-execution-policy").inputs.policy,
    );
    expect(policy.Statement.find((statement) => statement.Sid === "PullWorkerImage")?.Resource).toEqual([
      "arn:aws:ecr:eu-west-1:210987654321:repository/media/worker",
    ]);
  });
});

describe("existing subnets", () => {
  it("host the worker tasks without a public IP and without a new VPC", () => {
    expect(run.ofType("awsx:ec2:Vpc")).toEqual([]);
    const variables = (
      run.one("aws:lambda/function:Function", "dispatcher-handler-function").inputs.environment as {
        variables: Record<string, string>;
      }
    ).variables;
    expect(variables).toMatchObject({ SUBNET_IDS: "subnet-0a1,subnet-0b2", ASSIGN_PUBLIC_IP: "DISABLED" });
    expect(run.one("aws:ec2/securityGroup:SecurityGroup", "worker-tasks").inputs.vpcId).toBe("vpc-0e1157");
    expect(run.invokes).not.toContain("aws:ec2/getVpc:getVpc");
  });

  it("get no VPC endpoint: the VPC is not the stack's to change", () => {
    expect(run.ofType("aws:ec2/vpcEndpoint:VpcEndpoint")).toEqual([]);
  });
});

describe("job retention 0", () => {
  it("keeps job histories forever: the TTL is off", () => {
    expect(run.one("aws:dynamodb/table:Table", "jobs-table").inputs.ttl).toEqual({
      attributeName: "expiresAt",
      enabled: false,
    });
  });
});

describe("the longest pipeline name", () => {
  it("keeps every auto-named resource within its AWS name limit", () => {
    expect(LONGEST_NAME).toHaveLength(MAX_PIPELINE_NAME_LENGTH);
    expect(run.ofType("aws:lambda/function:Function")).toHaveLength(4);
    expect(run.overlongNames()).toEqual([]);
  });
});
