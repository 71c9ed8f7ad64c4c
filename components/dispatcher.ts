// The dispatcher: a Lambda consuming the jobs queue in batches. For each message it records the job
// and starts a worker task; a message whose launch must be retried is reported as a batch item
// failure, so only it returns to the queue. Maximum concurrency bounds the RunTask call rate.

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { HandlerFunction, type HandlerFunctionArgs } from "./handler-function";
import type { AwsContext } from "./lib/arns";
import { dispatcherPermissions } from "./lib/policies";

/** The Lambda's own settings are HandlerFunction's; the rest wires it to its event source. */
export interface DispatcherArgs extends Omit<HandlerFunctionArgs, "entryPoint" | "permissions"> {
  /**
   * Handler entry point relative to `sourceRoot`.
   * @default "handlers/dispatcher.ts"
   * @example HANDLER_ENTRY_POINTS.dispatcher
   */
  readonly entryPoint?: string;
  /**
   * The jobs queue to consume. Required.
   * @example queue.queue.arn
   */
  readonly queueArn: pulumi.Input<string>;
  /**
   * Messages per invocation.
   * @default 10
   * @example 100 // with batchWindowSeconds >= 1
   */
  readonly batchSize?: number;
  /**
   * Seconds to gather a batch.
   * @default 0
   * @example 5
   */
  readonly batchWindowSeconds?: number;
  /**
   * Concurrent invocations from the queue, 2-1000; bounds the RunTask call rate.
   * @default 5
   * @example 20
   */
  readonly maxConcurrency?: number;
  /**
   * The jobs table. Required.
   * @example table.tableArn
   */
  readonly tableArn: pulumi.Input<string>;
  /**
   * The worker's cluster. Required.
   * @example { arn: worker.cluster.arn, name: worker.cluster.name }
   */
  readonly cluster: { readonly arn: pulumi.Input<string>; readonly name: pulumi.Input<string> };
  /**
   * The worker's task definition family: RunTask is allowed for its revisions only. Required.
   * @example "video-jobs-dev-worker"
   */
  readonly taskFamily: string;
  /**
   * The worker's task role, which the dispatcher passes to the tasks it starts. Required.
   * @example worker.taskRole.arn
   */
  readonly taskRoleArn: pulumi.Input<string>;
  /**
   * The worker's execution role, which the dispatcher passes to the tasks it starts. Required.
   * @example worker.executionRole.arn
   */
  readonly executionRoleArn: pulumi.Input<string>;
  /**
   * Account, region and partition. Required.
   * @example { partition: "aws", region: "eu-west-1", accountId: "123456789012" }
   */
  readonly aws: pulumi.Input<AwsContext>;
}

export class Dispatcher extends pulumi.ComponentResource {
  /** The dispatcher Lambda with its role and logs. */
  readonly handler: HandlerFunction;
  /** The SQS event source. */
  readonly eventSource: aws.lambda.EventSourceMapping;

  constructor(name: string, args: DispatcherArgs, opts?: pulumi.ComponentResourceOptions) {
    super("video-jobs:functions:Dispatcher", name, {}, opts);

    const permissions = pulumi
      .all([
        args.aws,
        args.tableArn,
        args.queueArn,
        args.cluster.arn,
        args.cluster.name,
        args.taskRoleArn,
        args.executionRoleArn,
      ])
      .apply(([aws, tableArn, queueArn, clusterArn, clusterName, taskRoleArn, executionRoleArn]) =>
        dispatcherPermissions({
          aws,
          tableArn,
          queueArn,
          clusterArn,
          clusterName,
          taskFamily: args.taskFamily,
          taskRoleArn,
          executionRoleArn,
        }),
      );
    this.handler = new HandlerFunction(
      `${name}-handler`,
      {
        sourceRoot: args.sourceRoot,
        entryPoint: args.entryPoint ?? "handlers/dispatcher.ts",
        environment: args.environment,
        timeoutSeconds: args.timeoutSeconds,
        memoryMb: args.memoryMb,
        logRetentionDays: args.logRetentionDays,
        permissions,
      },
      { parent: this },
    );

    this.eventSource = new aws.lambda.EventSourceMapping(
      `${name}-queue-source`,
      {
        eventSourceArn: args.queueArn,
        functionName: this.handler.function.arn,
        batchSize: args.batchSize ?? 10,
        maximumBatchingWindowInSeconds: args.batchWindowSeconds ?? 0,
        functionResponseTypes: ["ReportBatchItemFailures"],
        scalingConfig: { maximumConcurrency: args.maxConcurrency ?? 5 },
      },
      { parent: this },
    );

    this.registerOutputs({
      functionName: this.handler.function.name,
      eventSourceUuid: this.eventSource.uuid,
    });
  }
}
