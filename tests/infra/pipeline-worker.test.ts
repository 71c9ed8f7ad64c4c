// The dev stack's worker under Pulumi mocks: cluster, task definition, image build, roles, logs,
// security group and the default-VPC network the tasks run in.

import { readFileSync } from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { taskFamilyName } from "../../components/lib/arns";
import { parsePipelineConfig } from "../../config/parse";
import { DEFAULT_SUBNET_IDS, DEFAULT_VPC_ID } from "./support/pulumi-mocks";
import { json, PIPELINE_NAME, type PipelineRun, referencesOf, runPipeline } from "./support/run-pipeline";
import { projectRawConfig, REPO_ROOT } from "./support/stack-config";

const config = parsePipelineConfig(projectRawConfig("dev"));
let run: PipelineRun;
let refs: Awaited<ReturnType<typeof referencesOf>>;

interface ContainerDefinition {
  name: string;
  image: string;
  essential: boolean;
  stopTimeout: number;
  environment: { name: string; value: string }[];
  logConfiguration: { logDriver: string; options: Record<string, string> };
}

beforeAll(async () => {
  run = await runPipeline(config);
  refs = await referencesOf(run.pipeline);
}, 60_000);

const taskDefinition = () => run.one("aws:ecs/taskDefinition:TaskDefinition", "worker-task").inputs;
const containers = () => json<ContainerDefinition[]>(taskDefinition().containerDefinitions);

describe("cluster", () => {
  it("has both Fargate capacity providers, On-Demand and Spot (RunTask names one per attempt)", () => {
    const attached = run.one(
      "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",
      "worker-capacity-providers",
    );
    expect(attached.inputs.clusterName).toBe(refs.clusterName);
    expect(attached.inputs.capacityProviders).toEqual(["FARGATE", "FARGATE_SPOT"]);
  });
});

describe("task definition", () => {
  it("is a Fargate task sized from config", () => {
    expect(taskDefinition()).toMatchObject({
      family: taskFamilyName(PIPELINE_NAME),
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: String(config.worker.cpu),
      memory: String(config.worker.memoryMb),
      ephemeralStorage: { sizeInGib: config.worker.ephemeralStorageGib },
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "ARM64" },
    });
  });

  it("keeps old revisions on update, for retries of in-flight jobs", () => {
    expect(taskDefinition().skipDestroy).toBe(true);
  });

  it("runs with its own execution and task roles", () => {
    expect(taskDefinition().executionRoleArn).toBe(refs.executionRoleArn);
    expect(taskDefinition().taskRoleArn).toBe(refs.taskRoleArn);
  });

  it("has one worker container on the built image, pinned by digest, logging to its log group", () => {
    expect(containers()).toHaveLength(1);
    const [worker] = containers();
    expect(worker?.name).toBe("worker");
    expect(worker?.image).toBe(refs.imageUri);
    expect(worker?.image).toMatch(/@sha256:[0-9a-f]{64}$/);
    // dev runs on Spot first: the worker gets Spot's whole two-minute warning to stop cleanly.
    expect(config.worker.capacity).toBe("spot-with-fallback");
    expect(worker?.stopTimeout).toBe(120);
    expect(worker?.logConfiguration).toEqual({
      logDriver: "awslogs",
      options: {
        "awslogs-group": refs.workerLogGroupName,
        "awslogs-region": "us-east-1",
        "awslogs-stream-prefix": "worker",
      },
    });
  });

  it("sets no container memory or cpu, so the task-level size RunTask overrides is the container's limit", () => {
    const [worker] = containers();
    for (const key of ["memory", "memoryReservation", "cpu"]) expect(worker).not.toHaveProperty(key);
  });

  it("leaves the job's variables to the dispatcher's RunTask overrides", () => {
    const names = containers().flatMap((container) => container.environment.map((variable) => variable.name));
    for (const perJob of ["JOB_ID", "JOB_ATTEMPT", "INPUT_URL", "OUTPUT_URL", "JOB_PARAMS"]) {
      expect(names).not.toContain(perJob);
    }
  });
});

describe("worker image", () => {
  it("is built from worker/Dockerfile for the task's architecture and pushed to a new ECR repository", () => {
    const repository = run.one("aws:ecr/repository:Repository", "worker-repository").inputs;
    expect(repository).toMatchObject({ imageScanningConfiguration: { scanOnPush: true }, forceDelete: true });
    const image = run.one("awsx:ecr:Image", "worker-image").inputs;
    expect(image).toEqual({
      repositoryUrl: expect.stringMatching(/\.dkr\.ecr\.us-east-1\.amazonaws\.com\//),
      // Relative to the program's directory: the same build inputs in any checkout.
      context: ".",
      dockerfile: "worker/Dockerfile",
      platform: "linux/arm64",
    });
  });

  it("matches the Dockerfile's build context: the repository root", () => {
    const dockerfile = readFileSync(path.join(REPO_ROOT, "worker", "Dockerfile"), "utf8");
    expect(dockerfile).toMatch(/^COPY worker\/ /m);
  });
});

describe("worker roles", () => {
  it("the task role reads inputs and writes outputs of the uploads bucket, nothing else", () => {
    const policy = json<{ Statement: { Action: string[]; Resource: string[] }[] }>(
      run.one("aws:iam/rolePolicy:RolePolicy", "worker-task-policy").inputs.policy,
    );
    expect(policy.Statement.map((statement) => [statement.Action, statement.Resource])).toEqual([
      [["s3:GetObject"], [`${refs.bucketArn}/uploads/*`]],
      [["s3:ListBucket"], [refs.bucketArn]],
      [["s3:PutObject", "s3:AbortMultipartUpload"], [`${refs.bucketArn}/outputs/*`]],
    ]);
    expect(run.one("aws:iam/rolePolicy:RolePolicy", "worker-task-policy").inputs.role).toBe(refs.taskRoleId);
  });

  it("the execution role pulls the image from its repository and writes the worker's logs", () => {
    const attached = run.one("aws:iam/rolePolicy:RolePolicy", "worker-execution-policy").inputs;
    expect(attached.role).toBe(refs.executionRoleId);
    const policy = json<{ Statement: { Sid: string; Resource: string[] }[] }>(attached.policy);
    expect(
      Object.fromEntries(policy.Statement.map((statement) => [statement.Sid, statement.Resource])),
    ).toEqual({
      PullWorkerImage: [refs.repositoryArn],
      AuthenticateToEcr: ["*"],
      WriteOwnLogs: [`${refs.workerLogGroupArn}:*`],
    });
  });

  it("are assumed by ECS tasks only", () => {
    for (const suffix of ["worker-task-role", "worker-execution-role"]) {
      const trust = json<{ Statement: { Principal: unknown; Action: string[] }[] }>(
        run.one("aws:iam/role:Role", suffix).inputs.assumeRolePolicy,
      );
      expect(trust.Statement.map((statement) => [statement.Principal, statement.Action])).toEqual([
        [{ Service: "ecs-tasks.amazonaws.com" }, ["sts:AssumeRole"]],
      ]);
    }
  });
});

describe("worker logs and network", () => {
  it("log to a group with the configured retention", () => {
    expect(run.one("aws:cloudwatch/logGroup:LogGroup", "worker-logs").inputs.retentionInDays).toBe(
      config.logRetentionDays,
    );
  });

  it("run in an egress-only security group of the default VPC", () => {
    const group = run.one("aws:ec2/securityGroup:SecurityGroup", "worker-tasks").inputs;
    expect(group.vpcId).toBe(DEFAULT_VPC_ID);
    expect(group.ingress).toEqual([]);
    expect(group.egress).toEqual([
      { protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"], description: "AWS APIs" },
    ]);
  });

  it("use the default VPC's default subnets with a public IP, in a stable order", () => {
    expect(refs.subnetIds).toEqual([...DEFAULT_SUBNET_IDS].sort());
    expect(run.pipeline.network.assignPublicIp).toBe("ENABLED");
    expect(run.ofType("awsx:ec2:Vpc")).toEqual([]);
    expect(run.one("aws:ecs/cluster:Cluster", "worker-cluster").parent).toContain("Worker");
  });

  it("add no VPC endpoint to the default VPC (public subnets reach S3 without NAT)", () => {
    expect(run.ofType("aws:ec2/vpcEndpoint:VpcEndpoint")).toEqual([]);
    expect(run.invokes).not.toContain("aws:ec2/getRouteTables:getRouteTables");
  });
});
