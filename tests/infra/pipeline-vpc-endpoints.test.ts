// A new VPC with `vpcInterfaceEndpoints` under Pulumi mocks: S3's free gateway endpoint on the private
// route tables, and the ECR and CloudWatch Logs interface endpoints in the private subnets, reachable
// on 443 from the worker tasks only.

import { beforeAll, describe, expect, it } from "vitest";
import { parsePipelineConfig } from "../../config/parse";
import { NEW_VPC_ID, NEW_VPC_PRIVATE_SUBNET_IDS, REGION, routeTableIdOf } from "./support/pulumi-mocks";
import { type PipelineRun, resolved, runPipeline } from "./support/run-pipeline";

const config = parsePipelineConfig({
  network: "new-vpc",
  vpcCidr: "10.30.0.0/16",
  vpcAvailabilityZones: "3",
  vpcNatGateways: "Single",
  vpcInterfaceEndpoints: "true",
});
let run: PipelineRun;

beforeAll(async () => {
  run = await runPipeline(config);
}, 60_000);

const ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint";
const endpointsOfType = (type: string) =>
  run.ofType(ENDPOINT).filter((endpoint) => endpoint.inputs.vpcEndpointType === type);

describe("the S3 gateway endpoint", () => {
  it("is the one gateway endpoint, on the route tables of the private subnets", () => {
    const gateways = endpointsOfType("Gateway");
    expect(gateways).toHaveLength(1);
    expect(gateways[0]?.inputs).toEqual({
      vpcId: NEW_VPC_ID,
      serviceName: `com.amazonaws.${REGION}.s3`,
      vpcEndpointType: "Gateway",
      routeTableIds: NEW_VPC_PRIVATE_SUBNET_IDS.map(routeTableIdOf),
    });
  });
});

describe("the interface endpoints", () => {
  it("serve ECR's API and registry and CloudWatch Logs, with private DNS, in the private subnets", () => {
    const interfaces = endpointsOfType("Interface");
    expect(interfaces.map((endpoint) => endpoint.inputs.serviceName).sort()).toEqual([
      `com.amazonaws.${REGION}.ecr.api`,
      `com.amazonaws.${REGION}.ecr.dkr`,
      `com.amazonaws.${REGION}.logs`,
    ]);
    for (const endpoint of interfaces) {
      expect(endpoint.inputs, endpoint.name).toMatchObject({
        vpcId: NEW_VPC_ID,
        privateDnsEnabled: true,
        subnetIds: NEW_VPC_PRIVATE_SUBNET_IDS,
      });
    }
  });

  it("admit HTTPS from the worker tasks' security group only", async () => {
    const endpoints = run.pipeline.interfaceEndpoints;
    if (endpoints === undefined) throw new Error("no interface endpoints");
    const group = run.one("aws:ec2/securityGroup:SecurityGroup", "endpoints-sg").inputs;
    expect(group.vpcId).toBe(NEW_VPC_ID);
    expect(group.ingress).toEqual([
      {
        protocol: "tcp",
        fromPort: 443,
        toPort: 443,
        securityGroups: [await resolved(run.pipeline.worker.securityGroup.id)],
        description: "Worker tasks to AWS APIs",
      },
    ]);
    expect(group.egress).toEqual([]);
    const groupId = await resolved(endpoints.securityGroup.id);
    for (const endpoint of endpointsOfType("Interface")) {
      expect(endpoint.inputs.securityGroupIds, endpoint.name).toEqual([groupId]);
    }
  });
});
