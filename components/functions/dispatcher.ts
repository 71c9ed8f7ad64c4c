// The dispatcher: a Lambda consuming the jobs queue in batches. For each message it records the job
// and starts a worker task; a message whose launch must be retried is reported as a batch item
// failure, so only it returns to the queue. Maximum concurrency bounds the RunTask call rate.

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_SCHEMA } from "../../config/schema";
import type { FunctionEnvironment } from "../lib/handler-environment";
import { dispatcherPermissions } from "../lib/policies";
import { type WorkerLaunchArgs, workerLaunchRights } from "../worker/worker-launch-rights";
import { HandlerFunction, type HandlerFunctionArgs, handlerFunctionArgs } from "./handler-function";

/** The Lambda's own settings are HandlerFunction's; the rest wires it to its event source. */
export interface DispatcherArgs
  extends Omit<HandlerFunctionArgs, "entryPoint" | "permissions" | "environment">,
    WorkerLaunchArgs {
  /**
   * Exactly the variables the dispatcher handler reads; a missing name does not compile. Required.
   * @example functionEnvironment("dispatcher", handlerSettings(config), resources) // video-pipeline.ts
   */
  readonly environment: FunctionEnvironment<"dispatcher", pulumi.Input<string>>;
  /**
   * Handler entry point relative to `sourceRoot`.
   * @default "handlers/dispatcher.ts"
   * @example HANDLER_ENTRY_POINTS.dispatcher
   */
  readonly entryPoint?: string;
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
}

export class Dispatcher extends pulumi.ComponentResource {
  /** The dispatcher Lambda with its role and logs. */
  readonly handler: HandlerFunction;
  /** The SQS event source. */
  readonly eventSource: aws.lambda.EventSourceMapping;

  constructor(name: string, args: DispatcherArgs, opts?: pulumi.ComponentResourceOptions) {
    super("video-jobs:functions:Dispatcher", name, {}, opts);

    const permissions = workerLaunchRights(args).apply(dispatcherPermissions);
    this.handler = new HandlerFunction(
      `${name}-handler`,
      handlerFunctionArgs(args, "handlers/dispatcher.ts", permissions),
      { parent: this },
    );

    this.eventSource = new aws.lambda.EventSourceMapping(
      `${name}-queue-source`,
      {
        eventSourceArn: args.queueArn,
        functionName: this.handler.function.arn,
        batchSize: args.batchSize ?? CONFIG_SCHEMA.dispatcherBatchSize.default,
        maximumBatchingWindowInSeconds:
          args.batchWindowSeconds ?? CONFIG_SCHEMA.dispatcherBatchWindowSeconds.default,
        functionResponseTypes: ["ReportBatchItemFailures"],
        scalingConfig: {
          maximumConcurrency: args.maxConcurrency ?? CONFIG_SCHEMA.dispatcherMaxConcurrency.default,
        },
      },
      { parent: this },
    );

    this.registerOutputs({
      functionName: this.handler.function.name,
      eventSourceUuid: this.eventSource.uuid,
    });
  }
}
