// The whole pipeline of the README's flow diagram as one component: uploads bucket -> jobs queue -> dispatcher ->
// Fargate worker; ECS task state changes -> task-state tracker; jobs recorded in the jobs table.
// It wires the parts together and sets every variable the handlers read; it reads no configuration.

import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { dockerPlatform } from "../config/fargate";
import type { LauncherFunctionName } from "../config/handler-functions";
import { handlerSettings, type PipelineConfig, sweeperTimeoutSeconds } from "../config/parse";
import { JOB_METRICS_NAMESPACE } from "../jobs/model";
import { Dispatcher } from "./functions/dispatcher";
import { Sweeper } from "./functions/sweeper";
import { TaskStateTracker } from "./functions/task-state-tracker";
import { type AwsContext, taskFamilyName } from "./lib/arns";
import { HANDLER_ENTRY_POINTS } from "./lib/handler-entry-points";
import { functionEnvironment, joinIds, type ResourceEnvironment } from "./lib/handler-environment";
import { pipelineNameProblem } from "./lib/naming";
import { JobsQueue } from "./messaging/jobs-queue";
import { AlarmTopic } from "./monitoring/alarm-topic";
import { OperationsMonitoring } from "./monitoring/operations-monitoring";
import { VpcInterfaceEndpoints } from "./network/vpc-interface-endpoints";
import { WorkerNetwork } from "./network/worker-network";
import { JobOutcomes, type PublisherEnvironment } from "./outcomes/job-outcomes";
import { JobsTable } from "./storage/jobs-table";
import { UploadsBucket } from "./storage/uploads-bucket";
import { securityGroupDeleteWaitMinutes, Worker } from "./worker/worker";
import { WorkerImage } from "./worker/worker-image";
import type { WorkerLaunchArgs } from "./worker/worker-launch-rights";

export interface VideoPipelineArgs {
  /**
   * The validated stack configuration; every setting has its default in config/schema.ts. Required.
   * @example loadConfig() // config.ts, or parsePipelineConfig({}) for the defaults
   */
  readonly config: PipelineConfig;
  /**
   * Repository root: handlers/ are bundled and worker/ is built from here. Required.
   * @example __dirname // in index.ts
   */
  readonly sourceRoot: string;
  /**
   * Topic every alarm notifies (config's alarmEmail is subscribed to it); default: a topic of the stack's own.
   * @example "arn:aws:sns:us-east-1:123456789012:ops-alarms"
   */
  readonly alarmTopicArn?: pulumi.Input<string>;
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
  /** ECR and CloudWatch Logs endpoints in the new VPC, when `vpcInterfaceEndpoints` asks for them. */
  readonly interfaceEndpoints: VpcInterfaceEndpoints | undefined;
  /** The worker image, built or prebuilt. */
  readonly image: WorkerImage;
  /** Cluster, task definition, roles and logs of the worker. */
  readonly worker: Worker;
  /** The dispatcher Lambda and its queue event source. */
  readonly dispatcher: Dispatcher;
  /** The task-state Lambda, its EventBridge rule and dead-letter queue. */
  readonly taskState: TaskStateTracker;
  /** The scheduled sweeper Lambda: deadlines, missed events, stuck launches, lost retries. */
  readonly sweeper: Sweeper;
  /** The jobs bus and the publisher of job state changes from the table's stream. */
  readonly outcomes: JobOutcomes;
  /** The one topic every alarm notifies, with the optional email subscription. */
  readonly alarmTopic: AlarmTopic;
  /** The operations alarms and the dashboard. */
  readonly monitoring: OperationsMonitoring;
  /** Region the stack is deployed to. */
  readonly region: pulumi.Output<string>;

  constructor(name: string, args: VideoPipelineArgs, opts?: pulumi.ComponentResourceOptions) {
    super("video-jobs:index:VideoPipeline", name, {}, opts);
    const nameProblem = pipelineNameProblem(name);
    if (nameProblem !== undefined) throw new Error(`VideoPipeline name ${nameProblem}`);
    const { config, sourceRoot } = args;
    const parent = this;
    // Where the handlers write the pipeline's metrics, and where the alarms and dashboard read them.
    const metrics = { namespace: JOB_METRICS_NAMESPACE, service: name };

    const awsContext = this.lookUpAwsContext();
    this.region = awsContext.region;
    this.table = createTable();
    this.queue = createQueue();
    this.uploads = createUploads(this.queue);
    this.network = new WorkerNetwork(
      `${name}-network`,
      { network: config.network, region: this.region },
      { parent },
    );
    this.image = createImage();
    this.worker = createWorker(this.image, this.uploads, this.network);
    this.interfaceEndpoints = createInterfaceEndpoints(this.worker);
    this.alarmTopic = createAlarmTopic();
    this.outcomes = createOutcomes();
    this.dispatcher = createDispatcher();
    this.taskState = createTaskStateTracker();
    this.sweeper = createSweeper();
    this.monitoring = createMonitoring();

    this.registerOutputs({
      bucketName: this.uploads.bucketName,
      queueUrl: this.queue.queue.url,
      tableName: this.table.tableName,
      clusterName: this.worker.cluster.name,
      alarmTopicArn: this.alarmTopic.topicArn,
      dashboardName: this.monitoring.dashboard.dashboardName,
    });

    function createTable(): JobsTable {
      return new JobsTable(
        `${name}-jobs`,
        {
          expireFinishedJobs: config.jobs.jobRetentionDays > 0,
          deletionProtection: config.deletionProtection,
        },
        { parent },
      );
    }

    function createQueue(): JobsQueue {
      return new JobsQueue(
        `${name}-jobs`,
        {
          consumerTimeoutSeconds: config.dispatcher.timeoutSeconds,
          maxReceiveCount: config.queueMaxReceiveCount,
        },
        { parent },
      );
    }

    function createUploads(queue: JobsQueue): UploadsBucket {
      return new UploadsBucket(
        `${name}-uploads`,
        {
          inputPrefix: config.uploads.inputPrefix,
          notificationQueue: { arn: queue.queue.arn, url: queue.queue.url },
          accountId: awsContext.accountId,
          deletionProtection: config.deletionProtection,
        },
        { parent },
      );
    }

    function createImage(): WorkerImage {
      return new WorkerImage(
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
        { parent },
      );
    }

    function createWorker(image: WorkerImage, uploads: UploadsBucket, network: WorkerNetwork): Worker {
      return new Worker(
        `${name}-worker`,
        {
          ...config.worker,
          family: taskFamilyName(name),
          imageUri: image.imageUri,
          imageRepositoryArn: image.repositoryArn,
          logRetentionDays: config.logRetentionDays,
          bucketArn: uploads.bucketArn,
          inputPrefix: config.uploads.inputPrefix,
          outputPrefix: config.uploads.outputPrefix,
          vpcId: network.vpcId,
          securityGroupDeleteWaitMinutes: securityGroupDeleteWaitMinutes({
            ...config.jobs,
            sweepIntervalMinutes: config.sweepIntervalMinutes,
            stopTimeoutSeconds: config.worker.stopTimeoutSeconds,
          }),
          aws: awsContext,
        },
        { parent },
      );
    }

    /** Only in a VPC the stack creates (config refuses the key for the other networks). */
    function createInterfaceEndpoints(worker: Worker): VpcInterfaceEndpoints | undefined {
      const network = config.network;
      if (network.mode !== "new-vpc" || !network.interfaceEndpoints) return undefined;
      return new VpcInterfaceEndpoints(
        `${name}-endpoints`,
        {
          vpcId: parent.network.vpcId,
          subnetIds: parent.network.subnetIds,
          clientSecurityGroupId: worker.securityGroup.id,
          region: awsContext.region,
        },
        { parent },
      );
    }

    /**
     * What every launching Lambda may be given from this pipeline's resources; functionEnvironment keeps of
     * them, and of the settings, exactly the variables each one's handler reads.
     */
    function launcherResources(
      service: LauncherFunctionName,
    ): ResourceEnvironment<LauncherFunctionName, pulumi.Input<string>> {
      return {
        JOBS_TABLE: parent.table.tableName,
        CAPACITY_TABLE: parent.table.capacityTableName,
        JOBS_QUEUE_URL: parent.queue.queue.url,
        CLUSTER_ARN: parent.worker.clusterArn,
        TASK_DEFINITION_ARN: parent.worker.taskDefinitionArn,
        WORKER_CONTAINER_NAME: parent.worker.containerName,
        SUBNET_IDS: parent.network.subnetIds.apply(joinIds),
        SECURITY_GROUP_IDS: parent.worker.securityGroup.id,
        ASSIGN_PUBLIC_IP: parent.network.assignPublicIp,
        OUTPUT_BUCKET: parent.uploads.bucketName,
        METRICS_NAMESPACE: metrics.namespace,
        METRICS_SERVICE: metrics.service,
        POWERTOOLS_SERVICE_NAME: `${name}-${service}`,
      };
    }

    /** The outcome publisher's, but for the two variables JobOutcomes sets from its own bus and queue. */
    function publisherEnvironment(): PublisherEnvironment {
      const {
        JOBS_EVENT_BUS_NAME: _bus,
        OUTCOMES_DEAD_LETTER_QUEUE_URL: _queue,
        ...environment
      } = functionEnvironment<"publisher", pulumi.Input<string>>("publisher", handlerSettings(config), {
        OUTPUT_BUCKET: parent.uploads.bucketName,
        POWERTOOLS_SERVICE_NAME: `${name}-publisher`,
        JOBS_EVENT_BUS_NAME: "",
        OUTCOMES_DEAD_LETTER_QUEUE_URL: "",
      });
      return environment;
    }

    function createAlarmTopic(): AlarmTopic {
      return new AlarmTopic(
        `${name}-alarms`,
        {
          ...(args.alarmTopicArn === undefined ? {} : { topicArn: args.alarmTopicArn }),
          ...(config.alarms.email === undefined ? {} : { email: config.alarms.email }),
        },
        { parent },
      );
    }

    function createOutcomes(): JobOutcomes {
      return new JobOutcomes(
        `${name}-outcomes`,
        {
          sourceRoot,
          entryPoint: HANDLER_ENTRY_POINTS.publisher,
          environment: publisherEnvironment(),
          timeoutSeconds: config.taskStateTimeoutSeconds,
          memoryMb: config.lambdaMemoryMb,
          logRetentionDays: config.logRetentionDays,
          streamArn: parent.table.streamArn,
          alarmTopicArn: parent.alarmTopic.topicArn,
        },
        { parent },
      );
    }

    /** What each Lambda that launches worker tasks is told (the dispatcher, task-state handler, sweeper). */
    function workerLaunchArgs(): WorkerLaunchArgs {
      return {
        tableArn: parent.table.tableArn,
        capacityTableArn: parent.table.capacityTableArn,
        queueArn: parent.queue.queue.arn,
        cluster: { arn: parent.worker.cluster.arn, name: parent.worker.cluster.name },
        taskFamily: taskFamilyName(name),
        taskRoleArn: parent.worker.taskRole.arn,
        executionRoleArn: parent.worker.executionRole.arn,
        aws: awsContext,
      };
    }

    function createDispatcher(): Dispatcher {
      return new Dispatcher(
        `${name}-dispatcher`,
        {
          sourceRoot,
          entryPoint: HANDLER_ENTRY_POINTS.dispatcher,
          environment: functionEnvironment(
            "dispatcher",
            handlerSettings(config),
            launcherResources("dispatcher"),
          ),
          timeoutSeconds: config.dispatcher.timeoutSeconds,
          memoryMb: config.lambdaMemoryMb,
          logRetentionDays: config.logRetentionDays,
          ...workerLaunchArgs(),
          batchSize: config.dispatcher.batchSize,
          batchWindowSeconds: config.dispatcher.batchWindowSeconds,
          maxConcurrency: config.dispatcher.maxConcurrency,
        },
        { parent },
      );
    }

    function createTaskStateTracker(): TaskStateTracker {
      return new TaskStateTracker(
        `${name}-task-state`,
        {
          sourceRoot,
          entryPoint: HANDLER_ENTRY_POINTS.taskState,
          environment: functionEnvironment(
            "task-state",
            handlerSettings(config),
            launcherResources("task-state"),
          ),
          timeoutSeconds: config.taskStateTimeoutSeconds,
          memoryMb: config.lambdaMemoryMb,
          logRetentionDays: config.logRetentionDays,
          ...workerLaunchArgs(),
          bucketArn: parent.uploads.bucketArn,
          outputPrefix: config.uploads.outputPrefix,
        },
        { parent },
      );
    }

    function createSweeper(): Sweeper {
      return new Sweeper(
        `${name}-sweeper`,
        {
          sourceRoot,
          entryPoint: HANDLER_ENTRY_POINTS.sweeper,
          environment: functionEnvironment("sweeper", handlerSettings(config), launcherResources("sweeper")),
          intervalMinutes: config.sweepIntervalMinutes,
          timeoutSeconds: sweeperTimeoutSeconds(config),
          memoryMb: config.lambdaMemoryMb,
          logRetentionDays: config.logRetentionDays,
          ...workerLaunchArgs(),
          bucketArn: parent.uploads.bucketArn,
          outputPrefix: config.uploads.outputPrefix,
        },
        { parent },
      );
    }

    function createMonitoring(): OperationsMonitoring {
      return new OperationsMonitoring(
        `${name}-monitoring`,
        {
          region: parent.region,
          alarmTopicArn: parent.alarmTopic.topicArn,
          metrics,
          queues: {
            jobs: parent.queue.queue.name,
            jobsDeadLetter: parent.queue.deadLetterQueue.name,
            taskStateDeadLetter: parent.taskState.deadLetterQueue.name,
            outcomesDeadLetter: parent.outcomes.deadLetterQueue.name,
          },
          functions: {
            dispatcher: parent.dispatcher.handler.function.name,
            "task-state": parent.taskState.handler.function.name,
            sweeper: parent.sweeper.handler.function.name,
            publisher: parent.outcomes.publisher.function.name,
          },
          oldestMessageMinutes: config.alarms.oldestMessageMinutes,
          failedJobPercent: config.alarms.failedJobPercent,
          throttledLaunchesMinutes: config.alarms.throttledLaunchesMinutes,
          // CloudWatch dashboards are global to the account, not regional ("All dashboards in your account
          // are global, not region-specific", https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudwatch-dashboard.html):
          // the same stack in two regions would share, and overwrite, one dashboard without the region.
          dashboardName: pulumi.interpolate`${name}-${parent.region}`,
          runningTasksCap: config.jobs.maxRunningTasks,
        },
        { parent },
      );
    }
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
