// The task-state tracker: an EventBridge rule on this cluster's ECS task state changes (RUNNING and
// STOPPED only) invoking the task-state Lambda, which records them on the job and schedules retries.
// Nothing is dropped silently: events EventBridge cannot deliver, and events the function still fails
// on after Lambda's own retries, land in a dead-letter queue.

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { HandlerFunction, type HandlerFunctionArgs } from "./handler-function";
import { taskStateChangePattern } from "./lib/event-pattern";
import { eventBridgeDeadLetterPolicy, leastPrivilegeJson, taskStatePermissions } from "./lib/policies";

/** The Lambda's own settings are HandlerFunction's; the rest wires it to its event source. */
export interface TaskStateTrackerArgs extends Omit<HandlerFunctionArgs, "entryPoint" | "permissions"> {
  /** Handler entry point relative to `sourceRoot`; default `handlers/task-state.ts`. */
  readonly entryPoint?: string;
  /** The cluster whose tasks are tracked (and only it). */
  readonly clusterArn: pulumi.Input<string>;
  /** The jobs table. */
  readonly tableArn: pulumi.Input<string>;
  /** The jobs queue, where retries are sent. */
  readonly queueArn: pulumi.Input<string>;
  /** The bucket the workers write their outputs to; the handler reads their outcome files there. */
  readonly bucketArn: pulumi.Input<string>;
  /** The key prefix of the jobs' outputs in that bucket (`OUTPUT_PREFIX`). */
  readonly outputPrefix: pulumi.Input<string>;
  /** EventBridge delivery attempts before an event goes to the DLQ; default 185 (EventBridge's maximum). */
  readonly maximumRetryAttempts?: number;
  /** Age after which EventBridge stops retrying an event; default 24 hours (its maximum). */
  readonly maximumEventAgeSeconds?: number;
}

export class TaskStateTracker extends pulumi.ComponentResource {
  /** The task-state Lambda with its role and logs. */
  readonly handler: HandlerFunction;
  /** The EventBridge rule. */
  readonly rule: aws.cloudwatch.EventRule;
  /** Events that could not be delivered or processed. */
  readonly deadLetterQueue: aws.sqs.Queue;

  constructor(name: string, args: TaskStateTrackerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("video-jobs:functions:TaskStateTracker", name, {}, opts);

    // SQS-managed encryption: EventBridge can deliver to it without a KMS key policy.
    this.deadLetterQueue = new aws.sqs.Queue(
      `${name}-dlq`,
      { sqsManagedSseEnabled: true, messageRetentionSeconds: 14 * 24 * 3600 },
      { parent: this },
    );
    this.handler = new HandlerFunction(
      `${name}-handler`,
      {
        sourceRoot: args.sourceRoot,
        entryPoint: args.entryPoint ?? "handlers/task-state.ts",
        environment: args.environment,
        timeoutSeconds: args.timeoutSeconds,
        memoryMb: args.memoryMb,
        logRetentionDays: args.logRetentionDays,
        permissions: pulumi
          .all([args.tableArn, args.queueArn, this.deadLetterQueue.arn, args.bucketArn, args.outputPrefix])
          .apply(([tableArn, queueArn, deadLetterQueueArn, bucketArn, outputPrefix]) =>
            taskStatePermissions({ tableArn, queueArn, deadLetterQueueArn, bucketArn, outputPrefix }),
          ),
      },
      { parent: this },
    );
    const fn = this.handler.function;

    this.rule = new aws.cloudwatch.EventRule(
      `${name}-rule`,
      {
        description: "ECS task state changes (RUNNING, STOPPED) of the video worker cluster",
        eventPattern: pulumi
          .output(args.clusterArn)
          .apply((arn) => JSON.stringify(taskStateChangePattern(arn))),
      },
      { parent: this },
    );
    const deadLetterPolicy = new aws.sqs.QueuePolicy(
      `${name}-dlq-policy`,
      {
        queueUrl: this.deadLetterQueue.url,
        policy: pulumi
          .all([this.deadLetterQueue.arn, this.rule.arn])
          .apply(([queueArn, ruleArn]) =>
            leastPrivilegeJson(eventBridgeDeadLetterPolicy({ queueArn, ruleArn })),
          ),
      },
      { parent: this },
    );
    const permission = new aws.lambda.Permission(
      `${name}-invoke-permission`,
      {
        action: "lambda:InvokeFunction",
        function: fn.name,
        principal: "events.amazonaws.com",
        sourceArn: this.rule.arn,
      },
      { parent: this },
    );
    new aws.cloudwatch.EventTarget(
      `${name}-target`,
      {
        rule: this.rule.name,
        arn: fn.arn,
        retryPolicy: {
          maximumRetryAttempts: args.maximumRetryAttempts ?? 185,
          maximumEventAgeInSeconds: args.maximumEventAgeSeconds ?? 24 * 3600,
        },
        deadLetterConfig: { arn: this.deadLetterQueue.arn },
      },
      { parent: this, dependsOn: [permission, deadLetterPolicy] },
    );
    // EventBridge invokes asynchronously: once Lambda accepts an event, its own retries apply, and an
    // event still failing after them would be discarded without this destination.
    new aws.lambda.FunctionEventInvokeConfig(
      `${name}-async-failures`,
      {
        functionName: fn.name,
        maximumRetryAttempts: 2,
        destinationConfig: { onFailure: { destination: this.deadLetterQueue.arn } },
      },
      { parent: this },
    );

    this.registerOutputs({
      functionName: fn.name,
      ruleArn: this.rule.arn,
      deadLetterQueueUrl: this.deadLetterQueue.url,
    });
  }
}
