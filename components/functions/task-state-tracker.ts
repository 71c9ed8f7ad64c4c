// The task-state tracker: an EventBridge rule on this cluster's ECS task state changes (RUNNING and
// STOPPED only) invoking the task-state Lambda, which records them on the job and schedules retries, and
// starts waiting jobs into the running-task slot a stopped task freed.
// Nothing is dropped silently: events EventBridge cannot deliver, and events the function still fails
// on after Lambda's own retries, land in a dead-letter queue.

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { defined } from "../../jobs/model";
import { taskStateChangePattern } from "../lib/event-pattern";
import type { FunctionEnvironment } from "../lib/handler-environment";
import { eventBridgeDeadLetterPolicy, leastPrivilegeJson, taskStatePermissions } from "../lib/policies";
import { type WorkerLaunchArgs, workerLaunchRights } from "../worker/worker-launch-rights";
import { HandlerFunction, type HandlerFunctionArgs, handlerFunctionArgs } from "./handler-function";

/**
 * The Lambda's own settings are HandlerFunction's; the rest wires it to its event source and to what it
 * launches (a stopped task frees a slot, and the handler starts waiting jobs into it).
 */
export interface TaskStateTrackerArgs
  extends Omit<HandlerFunctionArgs, "entryPoint" | "permissions" | "environment">,
    WorkerLaunchArgs {
  /**
   * Exactly the variables the task-state handler reads; a missing name does not compile. Required.
   * @example functionEnvironment("task-state", handlerSettings(config), resources) // video-pipeline.ts
   */
  readonly environment: FunctionEnvironment<"task-state", pulumi.Input<string>>;
  /**
   * Handler entry point relative to `sourceRoot`.
   * @default "handlers/task-state.ts"
   * @example HANDLER_ENTRY_POINTS.taskState
   */
  readonly entryPoint?: string;
  /**
   * The bucket the workers write their outputs to; the handler reads their outcome files there. Required.
   * @example uploads.bucketArn
   */
  readonly bucketArn: pulumi.Input<string>;
  /**
   * The key prefix of the jobs' outputs in that bucket (`OUTPUT_PREFIX`). Required.
   * @example "outputs/"
   */
  readonly outputPrefix: pulumi.Input<string>;
  /**
   * EventBridge delivery attempts before an event goes to the dead-letter queue.
   * @default 185 (EventBridge's maximum)
   * @example 10
   */
  readonly maximumRetryAttempts?: number;
  /**
   * Age after which EventBridge stops retrying an event.
   * @default 86400 (24 hours, EventBridge's maximum)
   * @example 3600
   */
  readonly maximumEventAgeSeconds?: number;
}

/** Defaults of the optional args: EventBridge's maxima, so no state change is given up early. */
export const TASK_STATE_TRACKER_DEFAULTS: Required<
  Pick<TaskStateTrackerArgs, "entryPoint" | "maximumRetryAttempts" | "maximumEventAgeSeconds">
> = {
  entryPoint: "handlers/task-state.ts",
  maximumRetryAttempts: 185,
  maximumEventAgeSeconds: 24 * 3600,
};

/** Retries of an asynchronous invocation Lambda makes itself before the event goes to the DLQ. */
const LAMBDA_ASYNC_RETRIES = 2;
/** Lambda's maximum (and default) age of an asynchronous event, stated so the choice is visible. */
const LAMBDA_ASYNC_MAXIMUM_EVENT_AGE_SECONDS = 6 * 3600;

export class TaskStateTracker extends pulumi.ComponentResource {
  /** The task-state Lambda with its role and logs. */
  readonly handler: HandlerFunction;
  /** The EventBridge rule. */
  readonly rule: aws.cloudwatch.EventRule;
  /** Events that could not be delivered or processed. */
  readonly deadLetterQueue: aws.sqs.Queue;

  constructor(name: string, args: TaskStateTrackerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("video-jobs:functions:TaskStateTracker", name, {}, opts);
    const parent = this;
    const settings = { ...TASK_STATE_TRACKER_DEFAULTS, ...definedArgs(args) };

    this.deadLetterQueue = createDeadLetterQueue();
    this.handler = createHandler(this.deadLetterQueue);
    this.rule = createRule();
    const deliveries = allowDeliveries(this.rule, this.handler.function, this.deadLetterQueue);
    createTarget(this.rule, this.handler.function, this.deadLetterQueue, deliveries);
    sendAsyncFailuresToDeadLetterQueue(this.handler.function, this.deadLetterQueue);

    this.registerOutputs({
      functionName: this.handler.function.name,
      ruleArn: this.rule.arn,
      deadLetterQueueUrl: this.deadLetterQueue.url,
    });

    function createDeadLetterQueue(): aws.sqs.Queue {
      // SQS-managed encryption: EventBridge can deliver to it without a KMS key policy.
      return new aws.sqs.Queue(
        `${name}-dlq`,
        { sqsManagedSseEnabled: true, messageRetentionSeconds: 14 * 24 * 3600 },
        { parent },
      );
    }

    function createHandler(deadLetterQueue: aws.sqs.Queue): HandlerFunction {
      return new HandlerFunction(
        `${name}-handler`,
        handlerFunctionArgs(
          args,
          settings.entryPoint,
          pulumi
            .all([workerLaunchRights(args), deadLetterQueue.arn, args.bucketArn, args.outputPrefix])
            .apply(([launch, deadLetterQueueArn, bucketArn, outputPrefix]) =>
              taskStatePermissions({ ...launch, deadLetterQueueArn, bucketArn, outputPrefix }),
            ),
        ),
        { parent },
      );
    }

    function createRule(): aws.cloudwatch.EventRule {
      return new aws.cloudwatch.EventRule(
        `${name}-rule`,
        {
          description: "ECS task state changes (RUNNING, STOPPED) of the video worker cluster",
          eventPattern: pulumi
            .output(args.cluster.arn)
            .apply((arn) => JSON.stringify(taskStateChangePattern(arn))),
        },
        { parent },
      );
    }

    /** The rule may invoke the function and send what it cannot deliver to the dead-letter queue. */
    function allowDeliveries(
      rule: aws.cloudwatch.EventRule,
      fn: aws.lambda.Function,
      deadLetterQueue: aws.sqs.Queue,
    ): pulumi.Resource[] {
      const deadLetterPolicy = new aws.sqs.QueuePolicy(
        `${name}-dlq-policy`,
        {
          queueUrl: deadLetterQueue.url,
          policy: pulumi
            .all([deadLetterQueue.arn, rule.arn])
            .apply(([queueArn, ruleArn]) =>
              leastPrivilegeJson(eventBridgeDeadLetterPolicy({ queueArn, ruleArn })),
            ),
        },
        { parent },
      );
      const permission = new aws.lambda.Permission(
        `${name}-invoke-permission`,
        {
          action: "lambda:InvokeFunction",
          function: fn.name,
          principal: "events.amazonaws.com",
          sourceArn: rule.arn,
        },
        { parent },
      );
      return [permission, deadLetterPolicy];
    }

    function createTarget(
      rule: aws.cloudwatch.EventRule,
      fn: aws.lambda.Function,
      deadLetterQueue: aws.sqs.Queue,
      dependsOn: pulumi.Resource[],
    ): aws.cloudwatch.EventTarget {
      return new aws.cloudwatch.EventTarget(
        `${name}-target`,
        {
          rule: rule.name,
          arn: fn.arn,
          retryPolicy: {
            maximumRetryAttempts: settings.maximumRetryAttempts,
            maximumEventAgeInSeconds: settings.maximumEventAgeSeconds,
          },
          deadLetterConfig: { arn: deadLetterQueue.arn },
        },
        { parent, dependsOn },
      );
    }

    // EventBridge invokes asynchronously: its target retry policy covers delivery only (a throttled or
    // unavailable Lambda); once Lambda accepts an event, Lambda's own retries apply, and an event still
    // failing after them would be discarded without this destination
    // (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html). Deliberate here,
    // unlike the sweeper's: a state change is applied idempotently, and a transient failure (DynamoDB, S3)
    // is worth both retries; the event may wait Lambda's maximum, 6 hours, before it goes to the queue.
    function sendAsyncFailuresToDeadLetterQueue(
      fn: aws.lambda.Function,
      deadLetterQueue: aws.sqs.Queue,
    ): void {
      new aws.lambda.FunctionEventInvokeConfig(
        `${name}-async-failures`,
        {
          functionName: fn.name,
          maximumRetryAttempts: LAMBDA_ASYNC_RETRIES,
          maximumEventAgeInSeconds: LAMBDA_ASYNC_MAXIMUM_EVENT_AGE_SECONDS,
          destinationConfig: { onFailure: { destination: deadLetterQueue.arn } },
        },
        { parent },
      );
    }
  }
}

/** The optional args that are set, so spreading them over the defaults keeps a default for each unset one. */
function definedArgs(args: TaskStateTrackerArgs): Partial<typeof TASK_STATE_TRACKER_DEFAULTS> {
  return defined({
    entryPoint: args.entryPoint,
    maximumRetryAttempts: args.maximumRetryAttempts,
    maximumEventAgeSeconds: args.maximumEventAgeSeconds,
  });
}
