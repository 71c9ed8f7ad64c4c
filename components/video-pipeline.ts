// The whole pipeline of DESIGN.md §3 as one component: uploads bucket -> jobs queue -> dispatcher ->
// Fargate worker; ECS task state changes -> task-state tracker; jobs recorded in the jobs table.
// It wires the parts together and sets every variable the handlers read; it reads no configuration.

import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { dockerPlatform } from "../config/fargate";
import type { PipelineConfig } from "../config/parse";
import { Dispatcher } from "./dispatcher";
import { JobsQueue } from "./jobs-queue";
import { JobsTable } from "./jobs-table";
import { type AwsContext, taskFamilyName } from "./lib/arns";
import { HANDLER_ENTRY_POINTS } from "./lib/handler-entry-points";
import {
  costEnvironment,
  type HandlerEnvironment,
  jobSettingsEnvironment,
  joinIds,
} from "./lib/handler-environment";
import { pipelineNameProblem } from "./lib/naming";
import { TaskStateTracker } from "./task-state-tracker";
import { UploadsBucket } from "./uploads-bucket";
import { Worker } from "./worker";
import { WorkerImage } from "./worker-image";
import { WorkerNetwork } from "./worker-network";

export interface VideoPipelineArgs {
  /** The validated stack configuration. */
  readonly config: PipelineConfig;
  /** Repository root: handlers/ are bundled and worker/ is built from here. */
  readonly sourceRoot: string;
}

export class VideoPipeline extends pulumi.ComponentResource {
  /** Where videos are uploaded and outputs written. */
  readonly uploads: UploadsBucket;
  /** The jobs queue and its dead-letter queue. */
  readonly queue: JobsQueue;
  /** The jobs table (event-sourced histories). */
  readonly table: JobsTable;
  /** Subnets and public-IP setting of the worker tasks. */
  readonly network: WorkerNetwork;
  /** The worker image, built or prebuilt. */
  readonly image: WorkerImage;
  /** Cluster, task definition, roles and logs of the worker. */
  readonly worker: Worker;
  /** The dispatcher Lambda and its queue event source. */
  readonly dispatcher: Dispatcher;
  /** The task-state Lambda, its EventBridge rule and dead-letter queue. */
  readonly taskState: TaskStateTracker;
  /** Region the stack is deployed to. */
  readonly region: pulumi.Output<string>;

  constructor(name: string, args: VideoPipelineArgs, opts?: pulumi.ComponentResourceOptions) {
    super("video-jobs:index:VideoPipeline", name, {}, opts);
    const nameProblem = pipelineNameProblem(name);
    if (nameProblem !== undefined) throw new Error(`VideoPipeline name ${nameProblem}`);
    const { config, sourceRoot } = args;
    const child = { parent: this };

    const awsContext = this.lookUpAwsContext();
    this.region = awsContext.region;

    this.table = new JobsTable(
      `${name}-jobs`,
      { expireFinishedJobs: config.jobs.jobRetentionDays > 0, deletionProtection: config.deletionProtection },
      child,
    );
    this.queue = new JobsQueue(
      `${name}-jobs`,
      {
        consumerTimeoutSeconds: config.dispatcher.timeoutSeconds,
        maxReceiveCount: config.queueMaxReceiveCount,
      },
      child,
    );
    this.uploads = new UploadsBucket(
      `${name}-uploads`,
      {
        ...config.uploads,
        notificationQueue: { arn: this.queue.queue.arn, url: this.queue.queue.url },
        accountId: awsContext.accountId,
        deletionProtection: config.deletionProtection,
      },
      child,
    );

    this.network = new WorkerNetwork(`${name}-network`, { network: config.network }, child);
    this.image = new WorkerImage(
      `${name}-worker`,
      {
        prebuiltImage: config.worker.image,
        // Relative to the program's directory, as Pulumi runs it, so the build inputs are the same in
        // any checkout directory.
        context: relativeToCwd(sourceRoot),
        dockerfile: relativeToCwd(path.join(sourceRoot, "worker", "Dockerfile")),
        platform: dockerPlatform(config.worker.architecture),
        partition: awsContext.partition,
        forceDelete: !config.deletionProtection,
      },
      child,
    );
    this.worker = new Worker(
      `${name}-worker`,
      {
        ...config.worker,
        family: taskFamilyName(name),
        imageUri: this.image.imageUri,
        imageRepositoryArn: this.image.repositoryArn,
        logRetentionDays: config.logRetentionDays,
        bucketArn: this.uploads.bucketArn,
        inputPrefix: config.uploads.inputPrefix,
        outputPrefix: config.uploads.outputPrefix,
        vpcId: this.network.vpcId,
        aws: awsContext,
      },
      child,
    );

    const environment = (service: string): HandlerEnvironment<pulumi.Input<string>> => ({
      JOBS_TABLE: this.table.tableName,
      JOBS_QUEUE_URL: this.queue.queue.url,
      CLUSTER_ARN: this.worker.cluster.arn,
      TASK_DEFINITION_ARN: this.worker.taskDefinitionArn,
      WORKER_CONTAINER_NAME: this.worker.containerName,
      SUBNET_IDS: this.network.subnetIds.apply(joinIds),
      SECURITY_GROUP_IDS: this.worker.securityGroup.id,
      ASSIGN_PUBLIC_IP: this.network.assignPublicIp,
      OUTPUT_BUCKET: this.uploads.bucketName,
      OUTPUT_PREFIX: config.uploads.outputPrefix,
      ...jobSettingsEnvironment(config.jobs, config.logLevel),
      ...costEnvironment(config),
      POWERTOOLS_SERVICE_NAME: `${name}-${service}`,
    });

    this.dispatcher = new Dispatcher(
      `${name}-dispatcher`,
      {
        sourceRoot,
        entryPoint: HANDLER_ENTRY_POINTS.dispatcher,
        environment: environment("dispatcher"),
        timeoutSeconds: config.dispatcher.timeoutSeconds,
        memoryMb: config.lambdaMemoryMb,
        logRetentionDays: config.logRetentionDays,
        queueArn: this.queue.queue.arn,
        batchSize: config.dispatcher.batchSize,
        batchWindowSeconds: config.dispatcher.batchWindowSeconds,
        maxConcurrency: config.dispatcher.maxConcurrency,
        tableArn: this.table.tableArn,
        cluster: { arn: this.worker.cluster.arn, name: this.worker.cluster.name },
        taskFamily: taskFamilyName(name),
        taskRoleArn: this.worker.taskRole.arn,
        executionRoleArn: this.worker.executionRole.arn,
        aws: awsContext,
      },
      child,
    );
    this.taskState = new TaskStateTracker(
      `${name}-task-state`,
      {
        sourceRoot,
        entryPoint: HANDLER_ENTRY_POINTS.taskState,
        environment: environment("task-state"),
        timeoutSeconds: config.taskStateTimeoutSeconds,
        memoryMb: config.lambdaMemoryMb,
        logRetentionDays: config.logRetentionDays,
        clusterArn: this.worker.cluster.arn,
        tableArn: this.table.tableArn,
        queueArn: this.queue.queue.arn,
      },
      child,
    );

    // Extension point: the sweeper (DESIGN §6) is a third HandlerFunction on a schedule with
    // environment("sweeper"), once handlers/sweeper.ts exists (see lib/handler-entry-points.ts).

    this.registerOutputs({
      bucketName: this.uploads.bucketName,
      queueUrl: this.queue.queue.url,
      tableName: this.table.tableName,
      clusterName: this.worker.cluster.name,
    });
  }

  private lookUpAwsContext(): pulumi.Output<AwsContext> {
    const opts = { parent: this };
    return pulumi
      .all([
        aws.getPartitionOutput({}, opts),
        aws.getRegionOutput({}, opts),
        aws.getCallerIdentityOutput({}, opts),
      ])
      .apply(([partition, region, identity]) => ({
        partition: partition.partition,
        region: region.region,
        accountId: identity.accountId,
      }));
  }
}

function relativeToCwd(target: string): string {
  return path.relative(process.cwd(), target) || ".";
}
