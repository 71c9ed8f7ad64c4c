// The worker: an ECS cluster and a Fargate task definition the dispatcher starts one task of per job
// attempt, with its roles, log group and an egress-only security group. The task definition keeps old
// revisions on update (`skipDestroy`): retries of in-flight jobs launch the revision they started with.

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { FargateCpuArchitecture } from "../config/fargate";
import type { AwsContext } from "./lib/arns";
import {
  ecsTasksAssumeRolePolicy,
  leastPrivilegeJson,
  workerExecutionPolicy,
  workerTaskPolicy,
} from "./lib/policies";

export interface WorkerArgs {
  /** Task definition family; the dispatcher's RunTask permission names it. */
  readonly family: string;
  /** Image pinned by digest. */
  readonly imageUri: pulumi.Input<string>;
  /** ECR repository the image is pulled from; undefined for registries needing no AWS permission. */
  readonly imageRepositoryArn: pulumi.Input<string | undefined>;
  /** Task CPU units (a Fargate size). */
  readonly cpu: number;
  /** Task memory in MiB (valid for `cpu`). */
  readonly memoryMb: number;
  /** Ephemeral storage in GiB, 21-200. */
  readonly ephemeralStorageGib: number;
  /** CPU architecture; the image must be built for it. */
  readonly architecture: FargateCpuArchitecture;
  /** Seconds between SIGTERM and SIGKILL on stop; default 30. */
  readonly stopTimeoutSeconds?: number;
  /** Log group retention in days. */
  readonly logRetentionDays: number;
  /** Bucket of inputs and outputs. */
  readonly bucketArn: pulumi.Input<string>;
  /** Key prefix the task may read. */
  readonly inputPrefix: string;
  /** Key prefix the task may write. */
  readonly outputPrefix: string;
  /** VPC of the task's security group. */
  readonly vpcId: pulumi.Input<string>;
  /** Account, region and partition. */
  readonly aws: pulumi.Input<AwsContext>;
}

/** Name of the one container in the task definition (handlers: WORKER_CONTAINER_NAME). */
export const WORKER_CONTAINER_NAME = "worker";

export class Worker extends pulumi.ComponentResource {
  /** The cluster worker tasks run in (handlers: CLUSTER_ARN). */
  readonly cluster: aws.ecs.Cluster;
  /** The Fargate task definition; old revisions are kept. */
  readonly taskDefinition: aws.ecs.TaskDefinition;
  /** The role the worker's code runs as: read inputs, write outputs. */
  readonly taskRole: aws.iam.Role;
  /** The role ECS uses to pull the image and ship logs. */
  readonly executionRole: aws.iam.Role;
  /** The worker's log group. */
  readonly logGroup: aws.cloudwatch.LogGroup;
  /** Egress-only security group of the tasks (handlers: SECURITY_GROUP_IDS). */
  readonly securityGroup: aws.ec2.SecurityGroup;
  /** The task definition's ARN with its revision (handlers: TASK_DEFINITION_ARN). */
  readonly taskDefinitionArn: pulumi.Output<string>;
  /** The container to override at RunTask. */
  readonly containerName = WORKER_CONTAINER_NAME;

  constructor(name: string, args: WorkerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("video-jobs:worker:Worker", name, {}, opts);
    const awsContext = pulumi.output(args.aws);

    this.cluster = new aws.ecs.Cluster(`${name}-cluster`, {}, { parent: this });
    this.logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { retentionInDays: args.logRetentionDays },
      { parent: this },
    );
    this.securityGroup = new aws.ec2.SecurityGroup(
      `${name}-tasks`,
      {
        vpcId: args.vpcId,
        description: "Worker tasks: no inbound, outbound to S3, ECR and CloudWatch Logs",
        ingress: [],
        egress: [
          { protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"], description: "AWS APIs" },
        ],
      },
      { parent: this },
    );

    this.executionRole = new aws.iam.Role(
      `${name}-execution-role`,
      {
        assumeRolePolicy: awsContext.apply((context) =>
          JSON.stringify(ecsTasksAssumeRolePolicy(context, false)),
        ),
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      `${name}-execution-policy`,
      {
        role: this.executionRole.id,
        policy: pulumi
          .all([this.logGroup.arn, args.imageRepositoryArn])
          .apply(([logGroupArn, repositoryArn]) =>
            leastPrivilegeJson(workerExecutionPolicy({ logGroupArn, repositoryArn })),
          ),
      },
      { parent: this },
    );
    this.taskRole = new aws.iam.Role(
      `${name}-task-role`,
      {
        assumeRolePolicy: awsContext.apply((context) =>
          JSON.stringify(ecsTasksAssumeRolePolicy(context, true)),
        ),
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      `${name}-task-policy`,
      {
        role: this.taskRole.id,
        policy: pulumi
          .output(args.bucketArn)
          .apply((bucketArn) =>
            leastPrivilegeJson(
              workerTaskPolicy({ bucketArn, inputPrefix: args.inputPrefix, outputPrefix: args.outputPrefix }),
            ),
          ),
      },
      { parent: this },
    );

    this.taskDefinition = new aws.ecs.TaskDefinition(
      `${name}-task`,
      {
        family: args.family,
        requiresCompatibilities: ["FARGATE"],
        networkMode: "awsvpc",
        cpu: String(args.cpu),
        memory: String(args.memoryMb),
        ephemeralStorage: { sizeInGib: args.ephemeralStorageGib },
        runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: args.architecture },
        executionRoleArn: this.executionRole.arn,
        taskRoleArn: this.taskRole.arn,
        containerDefinitions: pulumi
          .all([args.imageUri, this.logGroup.name, awsContext])
          .apply(([image, logGroup, context]) =>
            JSON.stringify(
              workerContainers({
                image,
                logGroup,
                region: context.region,
                stopTimeout: args.stopTimeoutSeconds ?? 30,
              }),
            ),
          ),
        skipDestroy: true,
      },
      { parent: this },
    );
    this.taskDefinitionArn = this.taskDefinition.arn;

    this.registerOutputs({
      clusterArn: this.cluster.arn,
      clusterName: this.cluster.name,
      taskDefinitionArn: this.taskDefinitionArn,
      taskDefinitionFamily: this.taskDefinition.family,
      logGroupName: this.logGroup.name,
      securityGroupId: this.securityGroup.id,
    });
  }
}

/**
 * The container definitions. The job's variables (JOB_ID, INPUT_URL, OUTPUT_URL, ...) are not here:
 * the dispatcher sets them per task as RunTask overrides. No init process: the worker runs as PID 1
 * and handles SIGTERM itself (worker/Dockerfile); `stopTimeout` is its grace period before SIGKILL.
 */
function workerContainers(args: { image: string; logGroup: string; region: string; stopTimeout: number }) {
  return [
    {
      name: WORKER_CONTAINER_NAME,
      image: args.image,
      essential: true,
      stopTimeout: args.stopTimeout,
      environment: [{ name: "AWS_REGION", value: args.region }],
      logConfiguration: {
        logDriver: "awslogs",
        options: {
          "awslogs-group": args.logGroup,
          "awslogs-region": args.region,
          "awslogs-stream-prefix": "worker",
        },
      },
    },
  ];
}
