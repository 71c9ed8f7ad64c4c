// The prod stack under Pulumi mocks: private subnets of a new awsx VPC, deletion protection, longer
// retention; and, on its full resource tree, the structural rules every component follows.

import { beforeAll, describe, expect, it } from "vitest";
import { leastPrivilegeProblems, type PolicyDocument } from "../../components/lib/policies";
import { parsePipelineConfig } from "../../config/parse";
import { NEW_VPC_PRIVATE_SUBNET_IDS, REGION, routeTableIdOf } from "./support/pulumi-mocks";
import { json, type PipelineRun, runPipeline } from "./support/run-pipeline";
import { projectRawConfig } from "./support/stack-config";

const config = parsePipelineConfig(projectRawConfig("prod"));
let run: PipelineRun;

beforeAll(async () => {
  run = await runPipeline(config, { preview: true });
}, 60_000);

const environmentOf = (handler: string) =>
  (
    run.one("aws:lambda/function:Function", `${handler}-handler-function`).inputs.environment as {
      variables: Record<string, string>;
    }
  ).variables;

describe("prod network", () => {
  it("is a new awsx VPC with private and public subnets and a NAT gateway per zone", () => {
    expect(run.one("awsx:ec2:Vpc", "network-vpc").inputs).toEqual({
      cidrBlock: "10.20.0.0/16",
      numberOfAvailabilityZones: 3,
      natGateways: { strategy: "OnePerAz" },
      subnetStrategy: "Auto",
      subnetSpecs: [{ type: "Private" }, { type: "Public" }],
      enableDnsHostnames: true,
    });
  });

  it("runs worker tasks in the private subnets, without a public IP", () => {
    for (const handler of ["dispatcher", "task-state"]) {
      expect(environmentOf(handler)).toMatchObject({
        SUBNET_IDS: NEW_VPC_PRIVATE_SUBNET_IDS.join(","),
        ASSIGN_PUBLIC_IP: "DISABLED",
      });
    }
    expect(run.one("aws:ec2/securityGroup:SecurityGroup", "worker-tasks").inputs.vpcId).toBe("vpc-0new");
  });

  it("sends S3 traffic (videos, image layers) through one gateway endpoint on the private route tables", () => {
    const endpoints = run.ofType("aws:ec2/vpcEndpoint:VpcEndpoint");
    expect(endpoints.map((endpoint) => endpoint.inputs)).toEqual([
      {
        vpcId: "vpc-0new",
        serviceName: `com.amazonaws.${REGION}.s3`,
        vpcEndpointType: "Gateway",
        routeTableIds: NEW_VPC_PRIVATE_SUBNET_IDS.map(routeTableIdOf),
      },
    ]);
  });

  it("has no interface endpoints: prod leaves vpcInterfaceEndpoints off", () => {
    expect(run.pipeline.interfaceEndpoints).toBeUndefined();
  });
});

describe("prod protection and retention", () => {
  it("protects the jobs table and the uploads bucket from deletion", () => {
    const table = run.one("aws:dynamodb/table:Table", "jobs-table");
    expect(table.inputs.deletionProtectionEnabled).toBe(true);
    expect(table.protect).toBe(true);
    const bucket = run.one("aws:s3/bucket:Bucket", "uploads-bucket");
    expect(bucket.inputs.forceDestroy).toBe(false);
    expect(bucket.protect).toBe(true);
    expect(run.one("aws:ecr/repository:Repository", "worker-repository").inputs.forceDelete).toBe(false);
  });

  it("keeps every log group for the configured, longer retention", () => {
    const logGroups = run.ofType("aws:cloudwatch/logGroup:LogGroup");
    expect(logGroups).toHaveLength(5); // worker, dispatcher, task-state, sweeper, outcome publisher
    for (const logGroup of logGroups) expect(logGroup.inputs.retentionInDays, logGroup.name).toBe(90);
  });

  it("sizes the worker from the prod config", () => {
    expect(run.one("aws:ecs/taskDefinition:TaskDefinition", "worker-task").inputs).toMatchObject({
      cpu: "2048",
      memory: "4096",
      ephemeralStorage: { sizeInGib: 50 },
    });
    expect(environmentOf("dispatcher").JOB_RETENTION_DAYS).toBe("365");
  });

  it("runs On-Demand (the default capacity) with the configured stop timeout, and tells every launcher so", () => {
    const definitions = json<{ stopTimeout: number }[]>(
      run.one("aws:ecs/taskDefinition:TaskDefinition", "worker-task").inputs.containerDefinitions,
    );
    expect(definitions[0]?.stopTimeout).toBe(config.worker.stopTimeoutSeconds);
    for (const handler of ["dispatcher", "task-state", "sweeper"]) {
      expect(environmentOf(handler)).toMatchObject({
        CAPACITY: "on-demand",
        WORKER_CPU: "2048",
        WORKER_MEMORY_MB: "4096",
        MAX_WORKER_MEMORY_MB: "16384",
      });
    }
  });
});

describe("component structure", () => {
  it("registers the whole pipeline", () => {
    const counts = Object.fromEntries(
      [...new Set(run.resources.map((resource) => resource.type))].map((type) => [
        type,
        run.ofType(type).length,
      ]),
    );
    expect(counts).toMatchObject({
      "video-jobs:index:VideoPipeline": 1,
      "aws:s3/bucket:Bucket": 1,
      "aws:s3/bucketNotification:BucketNotification": 1,
      "aws:sqs/queue:Queue": 4,
      "aws:dynamodb/table:Table": 2,
      "aws:ecs/cluster:Cluster": 1,
      "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": 1,
      "aws:ecs/taskDefinition:TaskDefinition": 1,
      "awsx:ecr:Image": 1,
      "awsx:ec2:Vpc": 1,
      "aws:lambda/function:Function": 4,
      "aws:lambda/eventSourceMapping:EventSourceMapping": 2,
      "aws:cloudwatch/eventRule:EventRule": 2,
      "aws:cloudwatch/eventTarget:EventTarget": 2,
      "aws:iam/role:Role": 6,
      "aws:iam/rolePolicy:RolePolicy": 6,
      "aws:cloudwatch/eventBus:EventBus": 1,
      // The publisher's 2, the 6 of the pipeline, and errors and throttles of each of the 4 Lambdas.
      "aws:cloudwatch/metricAlarm:MetricAlarm": 16,
      "aws:sns/topic:Topic": 1,
      "aws:cloudwatch/dashboard:Dashboard": 1,
    });
  });

  it("parents every resource and names it from its parent's name", () => {
    const [root, ...children] = run.resources;
    expect(root?.type).toBe("video-jobs:index:VideoPipeline");
    for (const child of children) {
      const parent = run.byUrn(child.parent);
      expect(parent.custom, `${child.name}'s parent is a component`).toBe(false);
      expect(child.name.startsWith(`${parent.name}-`), `${child.name} under ${parent.name}`).toBe(true);
    }
  });

  it("fits every auto-named resource within its AWS name limit", () => {
    expect(run.overlongNames()).toEqual([]);
  });

  it("has no wildcard action in any policy, and no wildcard resource but ecr:GetAuthorizationToken", () => {
    const documents = run.resources.flatMap((resource) =>
      ["policy", "assumeRolePolicy"]
        .filter((key) => typeof resource.inputs[key] === "string")
        .map((key) => ({
          where: `${resource.name}.${key}`,
          document: json<PolicyDocument>(resource.inputs[key]),
        })),
    );
    expect(documents.length).toBe(6 + 6 + 3);
    for (const { where, document } of documents) {
      expect(leastPrivilegeProblems(document), where).toEqual([]);
      for (const statement of document.Statement) expect(statement.Action, where).not.toContain("*");
    }
  });
});
