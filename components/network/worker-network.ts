// Where worker tasks run: the default VPC's public subnets with a public IP (cheap dev stacks: no NAT
// gateway), the private subnets of a new VPC built with awsx (NAT for egress), or given private subnets.
// A new VPC also gets a free S3 gateway endpoint on its private route tables, so video bytes and ECR's
// image layers (served from S3) skip the NAT gateways' per-GB charge.

import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import type { NetworkConfig } from "../../config/parse";
import type { AssignPublicIp } from "../lib/handler-environment";

export interface WorkerNetworkArgs {
  /**
   * Which network to use (see the `network` config key). Required.
   * @example { mode: "default-vpc" }
   */
  readonly network: NetworkConfig;
  /**
   * The stack's AWS region, for the endpoints' service names. Required.
   * @example "us-east-1"
   */
  readonly region: pulumi.Input<string>;
}

export class WorkerNetwork extends pulumi.ComponentResource {
  /** The VPC of the subnets. */
  readonly vpcId: pulumi.Output<string>;
  /** Subnets to launch worker tasks in (handlers: SUBNET_IDS). */
  readonly subnetIds: pulumi.Output<string[]>;
  /** Whether tasks get a public IP: only in public subnets (handlers: ASSIGN_PUBLIC_IP). */
  readonly assignPublicIp: AssignPublicIp;
  /** The new VPC, for network `new-vpc`. */
  readonly vpc: awsx.ec2.Vpc | undefined;
  /** The S3 gateway endpoint of the new VPC, for network `new-vpc`. */
  readonly s3Endpoint: aws.ec2.VpcEndpoint | undefined;

  constructor(name: string, args: WorkerNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("video-jobs:network:WorkerNetwork", name, {}, opts);
    const network = args.network;

    switch (network.mode) {
      case "default-vpc": {
        const vpc = aws.ec2.getVpcOutput({ default: true }, { parent: this });
        this.vpcId = vpc.id;
        this.subnetIds = aws.ec2
          .getSubnetsOutput(
            {
              filters: [
                { name: "vpc-id", values: [vpc.id] },
                { name: "default-for-az", values: ["true"] },
              ],
            },
            { parent: this },
          )
          .ids.apply((ids) => [...ids].sort());
        this.assignPublicIp = "ENABLED";
        this.vpc = undefined;
        // Public subnets reach S3 through the internet gateway, which bills no per-GB processing.
        this.s3Endpoint = undefined;
        break;
      }
      case "new-vpc": {
        this.vpc = new awsx.ec2.Vpc(
          `${name}-vpc`,
          {
            cidrBlock: network.cidrBlock,
            numberOfAvailabilityZones: network.availabilityZones,
            natGateways: { strategy: network.natGateways },
            subnetStrategy: "Auto",
            subnetSpecs: [{ type: "Private" }, { type: "Public" }],
            enableDnsHostnames: true,
          },
          { parent: this },
        );
        this.vpcId = this.vpc.vpcId;
        this.subnetIds = this.vpc.privateSubnetIds;
        this.assignPublicIp = "DISABLED";
        this.s3Endpoint = this.createS3GatewayEndpoint(name, this.vpc, args.region);
        break;
      }
      case "existing-vpc":
        this.vpcId = pulumi.output(network.vpcId);
        this.subnetIds = pulumi.output([...network.subnetIds]);
        this.assignPublicIp = "DISABLED";
        this.vpc = undefined;
        // Not the stack's VPC to change: its owner adds endpoints (docs/stacks.md, "Cost of an idle stack").
        this.s3Endpoint = undefined;
        break;
      default:
        throw new Error(`unknown network ${JSON.stringify(network satisfies never)}`);
    }

    this.registerOutputs({ vpcId: this.vpcId, subnetIds: this.subnetIds });
  }

  /**
   * S3's gateway endpoint (free) on the route tables of the private subnets. awsx gives each subnet its
   * own route table; the lookup finds those of the private subnets, and runs once they exist (awsx's
   * component returns its subnet ids only after all its children, associations included, are created).
   */
  private createS3GatewayEndpoint(
    name: string,
    vpc: awsx.ec2.Vpc,
    region: pulumi.Input<string>,
  ): aws.ec2.VpcEndpoint {
    const privateRouteTables = aws.ec2.getRouteTablesOutput(
      {
        filters: [
          { name: "vpc-id", values: [vpc.vpcId] },
          { name: "association.subnet-id", values: vpc.privateSubnetIds },
        ],
      },
      { parent: this },
    );
    return new aws.ec2.VpcEndpoint(
      `${name}-s3`,
      {
        vpcId: vpc.vpcId,
        serviceName: pulumi.interpolate`com.amazonaws.${region}.s3`,
        vpcEndpointType: "Gateway",
        routeTableIds: privateRouteTables.ids.apply((ids) => [...ids].sort()),
      },
      { parent: this },
    );
  }
}
