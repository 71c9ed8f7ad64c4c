// Stack entry point: typed configuration -> the VideoPipeline component -> stack outputs.
// Loaded by Pulumi's Node.js host through ts-node as CommonJS: relative imports in the program stay
// extensionless (ts-node resolves `./x` to x.ts, but not `./x.js`).

import * as pulumi from "@pulumi/pulumi";
import { pipelineName } from "./components/lib/naming";
import { VideoPipeline } from "./components/video-pipeline";
import { loadConfig } from "./config";

const pipeline = new VideoPipeline(pipelineName(pulumi.getProject(), pulumi.getStack()), {
  config: loadConfig(),
  sourceRoot: __dirname,
});

export const bucketName = pipeline.uploads.bucketName;
export const queueUrl = pipeline.queue.queue.url;
export const deadLetterQueueUrl = pipeline.queue.deadLetterQueue.url;
export const tableName = pipeline.table.tableName;
export const clusterName = pipeline.worker.cluster.name;
export const taskDefinitionFamily = pipeline.worker.taskDefinition.family;
export const taskDefinitionArn = pipeline.worker.taskDefinitionArn;
export const workerLogGroupName = pipeline.worker.logGroup.name;
export const workerImageUri = pipeline.image.imageUri;
export const dispatcherFunctionName = pipeline.dispatcher.handler.function.name;
export const taskStateFunctionName = pipeline.taskState.handler.function.name;
export const taskStateDeadLetterQueueUrl = pipeline.taskState.deadLetterQueue.url;
export const eventBusName = pipeline.outcomes.eventBus.name;
export const outcomesDeadLetterQueueUrl = pipeline.outcomes.deadLetterQueue.url;
export const alarmTopicArn = pipeline.alarmTopic.topicArn;
export const dashboardName = pipeline.monitoring.dashboard.dashboardName;
export const region = pipeline.region;
