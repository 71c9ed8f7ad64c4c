// Where worker tasks run: the default VPC's public subnets with a public IP (cheap dev stacks: no NAT
// gateway), the private subnets of a new VPC built with awsx (NAT for egress), or given private subnets.

import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import type { NetworkConfig } from "../config/parse";
import type { AssignPublicIp } from "./lib/handler-environment";

export interface WorkerNetworkArgs {
  /**
   * Which network to use (see the `network` config key). Required.
   * @example { mode: "default-vpc" }
   */
  readonly network: NetworkConfig;
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
        break;
      }
      case "existing-vpc":
        this.vpcId = pulumi.output(network.vpcId);
        this.subnetIds = pulumi.output([...network.subnetIds]);
        this.assignPublicIp = "DISABLED";
        this.vpc = undefined;
        break;
      default:
        throw new Error(`unknown network ${JSON.stringify(network satisfies never)}`);
    }

    this.registerOutputs({ vpcId: this.vpcId, subnetIds: this.subnetIds });
  }
}
