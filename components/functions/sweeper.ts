// The sweeper: a Lambda on an EventBridge schedule that makes every job finish whatever goes missing
// (jobs/workflows/sweep.ts): it stops tasks past their launch or run deadline, applies STOPPED events that were
// missed (DescribeTasks), resolves launches that got no answer, and sends overdue retries again. It
// shares the handlers' environment; its role may run, inspect and stop this cluster's worker tasks.

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_SCHEMA } from "../../config/schema";
import type { FunctionEnvironment } from "../lib/handler-environment";
import { sweeperPermissions } from "../lib/policies";
import { type WorkerLaunchArgs, workerLaunchRights } from "../worker/worker-launch-rights";
import { HandlerFunction, type HandlerFunctionArgs, handlerFunctionArgs } from "./handler-function";

/** The Lambda's own settings are HandlerFunction's; the rest is its schedule and what it may touch. */
export interface SweeperArgs
  extends Omit<HandlerFunctionArgs, "entryPoint" | "permissions" | "environment">,
    WorkerLaunchArgs {
  /**
   * Exactly the variables the sweeper handler reads; a missing name does not compile. Required.
   * @example functionEnvironment("sweeper", handlerSettings(config), resources) // video-pipeline.ts
   */
  readonly environment: FunctionEnvironment<"sweeper", pulumi.Input<string>>;
  /** Handler entry point relative to `sourceRoot`; default `handlers/sweeper.ts`. */
  readonly entryPoint?: string;
  /** Minutes between runs, 1-30; e.g. 2 (default). */
  readonly intervalMinutes?: number;
  /** The bucket the workers write to, and the prefix of their outputs (the outcome files are read). */
  readonly bucketArn: pulumi.Input<string>;
  readonly outputPrefix: pulumi.Input<string>;
}

/**
 * How long a scheduled run may wait in Lambda's asynchronous queue: Lambda's minimum (60 to 21600 seconds,
 * https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionEventInvokeConfig.html), at most the
 * shortest schedule interval (1 minute), so a late run never starts after the next one is due.
 */
export const SWEEP_MAXIMUM_EVENT_AGE_SECONDS = 60;

export class Sweeper extends pulumi.ComponentResource {
  /** The sweeper Lambda with its role and logs. */
  readonly handler: HandlerFunction;
  /** The schedule. */
  readonly rule: aws.cloudwatch.EventRule;

  constructor(name: string, args: SweeperArgs, opts?: pulumi.ComponentResourceOptions) {
    super("video-jobs:functions:Sweeper", name, {}, opts);
    const interval = args.intervalMinutes ?? CONFIG_SCHEMA.sweepIntervalMinutes.default;
    if (!Number.isInteger(interval) || interval < 1 || interval > 30) {
      throw new Error(`Sweeper intervalMinutes must be a whole number from 1 to 30 (got ${interval})`);
    }
    this.handler = this.createFunction(name, args);
    this.rule = this.schedule(name, interval);
    this.registerOutputs({ functionName: this.handler.function.name, ruleName: this.rule.name });
  }

  private createFunction(name: string, args: SweeperArgs): HandlerFunction {
    const permissions = pulumi
      .all([workerLaunchRights(args), args.bucketArn, args.outputPrefix])
      .apply(([launch, bucketArn, outputPrefix]) =>
        sweeperPermissions({ ...launch, bucketArn, outputPrefix }),
      );
    return new HandlerFunction(
      `${name}-handler`,
      handlerFunctionArgs(args, "handlers/sweeper.ts", permissions),
      { parent: this },
    );
  }

  /**
   * An EventBridge schedule invoking the function; a run that fails is simply followed by the next. The
   * target's retry policy covers only EventBridge's delivery: EventBridge invokes Lambda asynchronously, and
   * once Lambda has queued the event its own retries apply (two by default, a minute and two minutes apart,
   * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html). So the function's
   * asynchronous invocation is configured too: no retries, and an event older than Lambda's minimum age
   * (60 seconds) is dropped rather than run late, overlapping the next scheduled run.
   */
  private schedule(name: string, intervalMinutes: number): aws.cloudwatch.EventRule {
    const rule = new aws.cloudwatch.EventRule(
      `${name}-schedule`,
      {
        description: "Runs the video-jobs sweeper (deadlines, missed events, stuck launches, lost retries)",
        scheduleExpression: `rate(${intervalMinutes} ${intervalMinutes === 1 ? "minute" : "minutes"})`,
      },
      { parent: this },
    );
    new aws.cloudwatch.EventTarget(
      `${name}-target`,
      {
        rule: rule.name,
        arn: this.handler.function.arn,
        retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 },
      },
      { parent: this },
    );
    new aws.lambda.FunctionEventInvokeConfig(
      `${name}-async-invocation`,
      {
        functionName: this.handler.function.name,
        maximumRetryAttempts: 0,
        maximumEventAgeInSeconds: SWEEP_MAXIMUM_EVENT_AGE_SECONDS,
      },
      { parent: this },
    );
    new aws.lambda.Permission(
      `${name}-invoke`,
      {
        action: "lambda:InvokeFunction",
        function: this.handler.function.name,
        principal: "events.amazonaws.com",
        sourceArn: rule.arn,
      },
      { parent: this },
    );
    return rule;
  }
}
