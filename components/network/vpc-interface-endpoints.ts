// Interface VPC endpoints for what a worker task needs to start and run without NAT: ECR's API and
// registry (the image manifest; its layers come from S3 through the gateway endpoint) and CloudWatch
// Logs (the awslogs driver). Opt-in (`vpcInterfaceEndpoints`), for a VPC the stack creates: each
// endpoint bills per hour in every zone, which beats NAT only when enough bytes go through it.

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** The services, as the suffix of `com.amazonaws.<region>.<service>`. */
export const INTERFACE_ENDPOINT_SERVICES = ["ecr.api", "ecr.dkr", "logs"] as const;

export interface VpcInterfaceEndpointsArgs {
  /**
   * The VPC to add the endpoints to. Required.
   * @example "vpc-0abc"
   */
  readonly vpcId: pulumi.Input<string>;
  /**
   * The subnets the endpoints get a network interface in, one per zone (the workers' private subnets). Required.
   * @example ["subnet-0a", "subnet-0b"]
   */
  readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * The security group of the clients (the worker tasks): the only source allowed in, on 443. Required.
   * @example "sg-0abc"
   */
  readonly clientSecurityGroupId: pulumi.Input<string>;
  /**
   * The stack's AWS region, for the service names. Required.
   * @example "us-east-1"
   */
  readonly region: pulumi.Input<string>;
}

export class VpcInterfaceEndpoints extends pulumi.ComponentResource {
  /** Allows HTTPS in from the clients only. */
  readonly securityGroup: aws.ec2.SecurityGroup;
  /** One endpoint per service, by service suffix. */
  readonly endpoints: Readonly<Record<(typeof INTERFACE_ENDPOINT_SERVICES)[number], aws.ec2.VpcEndpoint>>;

  constructor(name: string, args: VpcInterfaceEndpointsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("video-jobs:network:VpcInterfaceEndpoints", name, {}, opts);

    this.securityGroup = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      {
        vpcId: args.vpcId,
        description: "VPC interface endpoints: HTTPS from the worker tasks only",
        ingress: [
          {
            protocol: "tcp",
            fromPort: 443,
            toPort: 443,
            securityGroups: [args.clientSecurityGroupId],
            description: "Worker tasks to AWS APIs",
          },
        ],
        egress: [],
      },
      { parent: this },
    );
    const endpointOf = (service: string): aws.ec2.VpcEndpoint =>
      new aws.ec2.VpcEndpoint(
        `${name}-${service.replace(".", "-")}`,
        {
          vpcId: args.vpcId,
          serviceName: pulumi.interpolate`com.amazonaws.${args.region}.${service}`,
          vpcEndpointType: "Interface",
          subnetIds: args.subnetIds,
          securityGroupIds: [this.securityGroup.id],
          // The SDKs and the ECS agent keep their usual hostnames, which now resolve inside the VPC.
          privateDnsEnabled: true,
        },
        { parent: this },
      );
    this.endpoints = {
      "ecr.api": endpointOf("ecr.api"),
      "ecr.dkr": endpointOf("ecr.dkr"),
      logs: endpointOf("logs"),
    };
    this.registerOutputs({ securityGroupId: this.securityGroup.id });
  }
}
