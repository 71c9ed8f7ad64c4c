// Runs the VideoPipeline component under Pulumi mocks in this process and returns what the engine
// would have received, with small lookups for assertions. One run per test file (vitest forks a
// process per file, and Pulumi's runtime state is process-wide).

import * as pulumi from "@pulumi/pulumi";
import * as mocks from "@pulumi/pulumi/runtime/mocks";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { AUTONAME_SUFFIX_LENGTH, AWS_NAME_LIMITS } from "../../../components/lib/naming";
import { VideoPipeline } from "../../../components/video-pipeline";
import type { PipelineConfig } from "../../../config/parse";
import { installRecordingMocks, type RecordedResource, type RecordedRun } from "./pulumi-mocks";
import { REPO_ROOT } from "./stack-config";

export interface PipelineRun extends RecordedRun {
  readonly pipeline: VideoPipeline;
  /** Resources of a type token, e.g. `aws:sqs/queue:Queue`. */
  ofType(type: string): RecordedResource[];
  /** The one resource of a type whose logical name ends with `suffix`. */
  one(type: string, suffix: string): RecordedResource;
  /** The recorded resource with this URN. */
  byUrn(urn: string): RecordedResource;
  /** Auto-named resources whose name plus Pulumi's random suffix exceeds the AWS limit. */
  overlongNames(): string[];
}

export const PIPELINE_NAME = "video-jobs-test";

export async function runPipeline(
  config: PipelineConfig,
  options: { preview?: boolean; name?: string; alarmTopicArn?: string } = {},
): Promise<PipelineRun> {
  const recorded = installRecordingMocks(
    { pulumi, mocks, rpc },
    { project: "video-jobs", stack: "test", preview: options.preview ?? false },
  );
  const pipeline = new VideoPipeline(options.name ?? PIPELINE_NAME, {
    config,
    sourceRoot: REPO_ROOT,
    ...(options.alarmTopicArn === undefined ? {} : { alarmTopicArn: options.alarmTopicArn }),
  });
  await waitForRegistrations();

  const ofType = (type: string) => recorded.resources.filter((resource) => resource.type === type);
  return {
    ...recorded,
    pipeline,
    ofType,
    one(type, suffix) {
      const matches = ofType(type).filter((resource) => resource.name.endsWith(suffix));
      if (matches.length !== 1) throw new Error(`${matches.length} ${type} named *${suffix}`);
      return matches[0] as RecordedResource;
    },
    overlongNames() {
      return recorded.resources
        .filter((resource) => {
          const limit = AWS_NAME_LIMITS[resource.type];
          return limit !== undefined && resource.name.length + AUTONAME_SUFFIX_LENGTH > limit;
        })
        .map((resource) => resource.name);
    },
    byUrn(urn) {
      const resource = recorded.resources.find((candidate) => candidate.urn === urn);
      if (resource === undefined) throw new Error(`no resource ${urn}`);
      return resource;
    },
  };
}

/** Waits until every pending registration reached the (mock) engine; Pulumi keeps it internal. */
async function waitForRegistrations(): Promise<void> {
  const { waitForRPCs } = settings as unknown as { waitForRPCs?: () => Promise<void> };
  if (typeof waitForRPCs !== "function") throw new Error("@pulumi/pulumi no longer has runtime.waitForRPCs");
  await waitForRPCs();
}

/** Resolves an Output's value in tests. */
export function resolved<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

/** A JSON-string input parsed, e.g. a policy or an event pattern. */
export function json<T = unknown>(value: unknown): T {
  if (typeof value !== "string") throw new Error(`expected a JSON string, got ${typeof value}`);
  return JSON.parse(value) as T;
}

/** The text of one file of an AssetArchive input (a Lambda's `code`). */
export async function archivedText(archive: unknown, file: string): Promise<string> {
  const assets = await (archive as { assets?: Promise<Record<string, { text?: Promise<string> }>> }).assets;
  const text = await assets?.[file]?.text;
  if (text === undefined) throw new Error(`no text asset ${file} in the archive`);
  return text;
}

/** The physical names, ARNs and URLs of the pipeline's resources (as the mocks answered them). */
export async function referencesOf(pipeline: VideoPipeline) {
  const { uploads, queue, table, worker, image, network, dispatcher, taskState, sweeper, outcomes } =
    pipeline;
  const all = {
    bucketId: uploads.bucket.id,
    bucketName: uploads.bucketName,
    bucketArn: uploads.bucketArn,
    queueArn: queue.queue.arn,
    queueUrl: queue.queue.url,
    deadLetterQueueArn: queue.deadLetterQueue.arn,
    deadLetterQueueUrl: queue.deadLetterQueue.url,
    tableName: table.tableName,
    tableArn: table.tableArn,
    capacityTableName: table.capacityTableName,
    capacityTableArn: table.capacityTableArn,
    clusterArn: worker.cluster.arn,
    clusterName: worker.cluster.name,
    taskDefinitionArn: worker.taskDefinitionArn,
    taskRoleId: worker.taskRole.id,
    taskRoleArn: worker.taskRole.arn,
    executionRoleId: worker.executionRole.id,
    executionRoleArn: worker.executionRole.arn,
    workerLogGroupName: worker.logGroup.name,
    workerLogGroupArn: worker.logGroup.arn,
    securityGroupId: worker.securityGroup.id,
    vpcId: network.vpcId,
    subnetIds: network.subnetIds,
    imageUri: image.imageUri,
    repositoryArn: image.repositoryArn,
    dispatcherArn: dispatcher.handler.function.arn,
    dispatcherName: dispatcher.handler.function.name,
    dispatcherLogGroupName: dispatcher.handler.logGroup.name,
    dispatcherLogGroupArn: dispatcher.handler.logGroup.arn,
    taskStateArn: taskState.handler.function.arn,
    taskStateName: taskState.handler.function.name,
    taskStateLogGroupName: taskState.handler.logGroup.name,
    taskStateLogGroupArn: taskState.handler.logGroup.arn,
    ruleArn: taskState.rule.arn,
    ruleName: taskState.rule.name,
    trackerDeadLetterQueueArn: taskState.deadLetterQueue.arn,
    trackerDeadLetterQueueUrl: taskState.deadLetterQueue.url,
    sweeperArn: sweeper.handler.function.arn,
    sweeperName: sweeper.handler.function.name,
    sweeperLogGroupName: sweeper.handler.logGroup.name,
    sweeperLogGroupArn: sweeper.handler.logGroup.arn,
    sweeperRuleArn: sweeper.rule.arn,
    sweeperRuleName: sweeper.rule.name,
    streamArn: table.streamArn,
    eventBusName: outcomes.eventBus.name,
    eventBusArn: outcomes.eventBus.arn,
    outcomesDeadLetterQueueArn: outcomes.deadLetterQueue.arn,
    outcomesDeadLetterQueueUrl: outcomes.deadLetterQueue.url,
    publisherArn: outcomes.publisher.function.arn,
    publisherName: outcomes.publisher.function.name,
    publisherLogGroupArn: outcomes.publisher.logGroup.arn,
    alarmTopicArn: outcomes.alarmTopicArn,
    jobsQueueName: queue.queue.name,
    deadLetterQueueName: queue.deadLetterQueue.name,
    trackerDeadLetterQueueName: taskState.deadLetterQueue.name,
    outcomesDeadLetterQueueName: outcomes.deadLetterQueue.name,
  };
  return resolved(pulumi.output(all));
}
