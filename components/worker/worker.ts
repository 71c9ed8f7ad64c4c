// The worker: an ECS cluster and a Fargate task definition the dispatcher starts one task of per job
// attempt, with its roles, log group and an egress-only security group. The task definition keeps old
// revisions on update (`skipDestroy`): retries of in-flight jobs launch the revision they started with.

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type FargateCpuArchitecture, workerStopTimeoutSeconds } from "../../config/fargate";
import { CAPACITY_PROVIDERS, type CapacityMode } from "../../jobs/model";
import type { AwsContext } from "../lib/arns";
import {
  ecsTasksAssumeRolePolicy,
  leastPrivilegeJson,
  workerExecutionPolicy,
  workerTaskPolicy,
} from "../lib/policies";

export interface WorkerArgs {
  /**
   * Task definition family; the dispatcher's RunTask permission names it. Required.
   * @example "video-jobs-dev-worker"
   */
  readonly family: string;
  /**
   * Image pinned by digest. Required.
   * @example "123456789012.dkr.ecr.eu-west-1.amazonaws.com/worker@sha256:<64 hex>"
   */
  readonly imageUri: pulumi.Input<string>;
  /**
   * ECR repository the image is pulled from; undefined for registries needing no AWS permission.
   * Required (may be undefined).
   * @example "arn:aws:ecr:eu-west-1:123456789012:repository/worker"
   */
  readonly imageRepositoryArn: pulumi.Input<string | undefined>;
  /**
   * Task CPU units (a Fargate size). Required.
   * @example 1024
   */
  readonly cpu: number;
  /**
   * Task memory in MiB, valid for `cpu`. Required.
   * @example 2048
   */
  readonly memoryMb: number;
  /**
   * Ephemeral storage in GiB, 21-200. Required.
   * @example 21
   */
  readonly ephemeralStorageGib: number;
  /**
   * CPU architecture; the image must be built for it. Required.
   * @example "ARM64"
   */
  readonly architecture: FargateCpuArchitecture;
  /**
   * Seconds between SIGTERM and SIGKILL on stop; 120 whatever is set when `capacity` uses Spot.
   * @default 30
   * @example 60
   */
  readonly stopTimeoutSeconds?: number;
  /**
   * Where tasks run (stack config `capacity`). The cluster takes both FARGATE and FARGATE_SPOT either way
   * (RunTask names one per attempt); with Spot, the worker gets Spot's two-minute warning to stop in.
   * @default "on-demand"
   * @example "spot-with-fallback"
   */
  readonly capacity?: CapacityMode;
  /**
   * Log group retention in days. Required.
   * @example 14
   */
  readonly logRetentionDays: number;
  /**
   * Bucket of inputs and outputs. Required.
   * @example uploads.bucketArn
   */
  readonly bucketArn: pulumi.Input<string>;
  /**
   * Key prefix the task may read. Required.
   * @example "uploads/"
   */
  readonly inputPrefix: string;
  /**
   * Key prefix the task may write. Required.
   * @example "outputs/"
   */
  readonly outputPrefix: string;
  /**
   * VPC of the task's security group. Required.
   * @example network.vpcId
   */
  readonly vpcId: pulumi.Input<string>;
  /**
   * How long deleting a replaced security group waits for the tasks still using it to end: a network
   * change replaces the group, and EC2 refuses to delete it while a task's network interface uses it
   * (securityGroupDeleteWaitMinutes()).
   * @default 15 (the provider's own delete timeout)
   * @example 85
   */
  readonly securityGroupDeleteWaitMinutes?: number;
  /**
   * Account, region and partition. Required.
   * @example { partition: "aws", region: "eu-west-1", accountId: "123456789012" }
   */
  readonly aws: pulumi.Input<AwsContext>;
}

/** Name of the one container in the task definition (handlers: WORKER_CONTAINER_NAME). */
export const WORKER_CONTAINER_NAME = "worker";

/** terraform-provider-aws's default delete timeout of a security group. */
const DEFAULT_DELETE_WAIT_MINUTES = 15;
/** Fargate releases a stopped task's network interface within minutes, not at once. */
const ENI_RELEASE_MINUTES = 5;

/**
 * The longest a worker task launched before an update may still hold its network interface: a launch
 * pending up to the launch deadline, a run up to the stack's run deadline, the sweep that notices it, the
 * stop timeout, and the interface's release. A job whose own timeoutSeconds is longer may outlast it
 * (docs/deploying.md, "Changing the network of a running stack").
 */
export function securityGroupDeleteWaitMinutes(settings: {
  readonly launchTimeoutMinutes: number;
  readonly jobTimeoutMinutes: number;
  readonly sweepIntervalMinutes: number;
  readonly stopTimeoutSeconds: number;
}): number {
  return (
    settings.launchTimeoutMinutes +
    settings.jobTimeoutMinutes +
    settings.sweepIntervalMinutes +
    Math.ceil(settings.stopTimeoutSeconds / 60) +
    ENI_RELEASE_MINUTES
  );
}

export class Worker extends pulumi.ComponentResource {
  /** The cluster worker tasks run in. */
  readonly cluster: aws.ecs.Cluster;
  /** FARGATE and FARGATE_SPOT, attached to the cluster. */
  readonly capacityProviders: aws.ecs.ClusterCapacityProviders;
  /**
   * The cluster's ARN once its capacity providers are attached (handlers: CLUSTER_ARN): a launcher given it
   * never names a capacity provider the cluster does not have yet.
   */
  readonly clusterArn: pulumi.Output<string>;
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
    const parent = this;
    const awsContext = pulumi.output(args.aws);

    this.cluster = createCluster();
    this.capacityProviders = attachCapacityProviders(this.cluster);
    this.clusterArn = pulumi
      .all([this.cluster.arn, this.capacityProviders.id])
      .apply(([clusterArn]) => clusterArn);
    this.logGroup = createLogGroup();
    this.securityGroup = createSecurityGroup();
    this.executionRole = createExecutionRole(this.logGroup);
    this.taskRole = createTaskRole();
    this.taskDefinition = createTaskDefinition(this.executionRole, this.taskRole, this.logGroup);
    this.taskDefinitionArn = this.taskDefinition.arn;

    this.registerOutputs({
      clusterArn: this.cluster.arn,
      clusterName: this.cluster.name,
      taskDefinitionArn: this.taskDefinitionArn,
      taskDefinitionFamily: this.taskDefinition.family,
      logGroupName: this.logGroup.name,
      securityGroupId: this.securityGroup.id,
    });

    function createCluster(): aws.ecs.Cluster {
      return new aws.ecs.Cluster(`${name}-cluster`, {}, { parent });
    }

    /** Both, whatever the stack's capacity: each RunTask names the one its attempt runs on. */
    function attachCapacityProviders(cluster: aws.ecs.Cluster): aws.ecs.ClusterCapacityProviders {
      return new aws.ecs.ClusterCapacityProviders(
        `${name}-capacity-providers`,
        { clusterName: cluster.name, capacityProviders: [...CAPACITY_PROVIDERS] },
        { parent },
      );
    }

    function createLogGroup(): aws.cloudwatch.LogGroup {
      return new aws.cloudwatch.LogGroup(
        `${name}-logs`,
        { retentionInDays: args.logRetentionDays },
        { parent },
      );
    }

    function createSecurityGroup(): aws.ec2.SecurityGroup {
      return new aws.ec2.SecurityGroup(
        `${name}-tasks`,
        {
          vpcId: args.vpcId,
          description: "Worker tasks: no inbound, outbound to S3, ECR and CloudWatch Logs",
          ingress: [],
          egress: [
            { protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"], description: "AWS APIs" },
          ],
        },
        {
          parent,
          // A new VPC replaces the group. Auto-named (no fixed name to collide on), the new group is created
          // and the dispatcher moved to it before the old one is deleted; that deletion retries while tasks
          // launched before still use it (EC2's DependencyViolation), for as long as such a task may run.
          // https://github.com/hashicorp/terraform-provider-aws/issues/1671 (the error),
          // internal/service/ec2/vpc_security_group.go (the delete retries until its timeout).
          deleteBeforeReplace: false,
          customTimeouts: {
            delete: `${args.securityGroupDeleteWaitMinutes ?? DEFAULT_DELETE_WAIT_MINUTES}m`,
          },
        },
      );
    }

    /** The role ECS itself uses to pull the image and ship logs. */
    function createExecutionRole(logGroup: aws.cloudwatch.LogGroup): aws.iam.Role {
      const role = new aws.iam.Role(
        `${name}-execution-role`,
        {
          assumeRolePolicy: awsContext.apply((context) =>
            JSON.stringify(ecsTasksAssumeRolePolicy(context, { limitToThisAccount: false })),
          ),
        },
        { parent },
      );
      new aws.iam.RolePolicy(
        `${name}-execution-policy`,
        {
          role: role.id,
          policy: pulumi
            .all([logGroup.arn, args.imageRepositoryArn])
            .apply(([logGroupArn, repositoryArn]) =>
              leastPrivilegeJson(workerExecutionPolicy({ logGroupArn, repositoryArn })),
            ),
        },
        { parent },
      );
      return role;
    }

    /** The role the worker's code runs as: read its input, write its outputs, nothing else. */
    function createTaskRole(): aws.iam.Role {
      const role = new aws.iam.Role(
        `${name}-task-role`,
        {
          assumeRolePolicy: awsContext.apply((context) =>
            JSON.stringify(ecsTasksAssumeRolePolicy(context, { limitToThisAccount: true })),
          ),
        },
        { parent },
      );
      new aws.iam.RolePolicy(
        `${name}-task-policy`,
        {
          role: role.id,
          policy: pulumi.output(args.bucketArn).apply((bucketArn) =>
            leastPrivilegeJson(
              workerTaskPolicy({
                bucketArn,
                inputPrefix: args.inputPrefix,
                outputPrefix: args.outputPrefix,
              }),
            ),
          ),
        },
        { parent },
      );
      return role;
    }

    function createTaskDefinition(
      executionRole: aws.iam.Role,
      taskRole: aws.iam.Role,
      logGroup: aws.cloudwatch.LogGroup,
    ): aws.ecs.TaskDefinition {
      return new aws.ecs.TaskDefinition(
        `${name}-task`,
        {
          family: args.family,
          requiresCompatibilities: ["FARGATE"],
          networkMode: "awsvpc",
          cpu: String(args.cpu),
          memory: String(args.memoryMb),
          ephemeralStorage: { sizeInGib: args.ephemeralStorageGib },
          runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: args.architecture },
          executionRoleArn: executionRole.arn,
          taskRoleArn: taskRole.arn,
          containerDefinitions: pulumi
            .all([args.imageUri, logGroup.name, awsContext])
            .apply(([image, logGroupName, context]) =>
              JSON.stringify(
                workerContainers({
                  image,
                  logGroup: logGroupName,
                  region: context.region,
                  stopTimeout: workerStopTimeoutSeconds(
                    args.capacity ?? "on-demand",
                    args.stopTimeoutSeconds,
                  ),
                }),
              ),
            ),
          skipDestroy: true,
        },
        { parent },
      );
    }
  }
}

/**
 * The container definitions. The job's variables (JOB_ID, INPUT_URL, OUTPUT_URL, ...) are not here:
 * the dispatcher sets them per task as RunTask overrides. No init process: the worker runs as PID 1
 * and handles SIGTERM itself (worker/Dockerfile); `stopTimeout` is its grace period before SIGKILL.
 * No container-level memory or cpu: the task's size is the container's, so the task-level overrides an
 * attempt that ran out of memory is retried with (RunTask overrides.cpu/memory) are all it takes.
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
