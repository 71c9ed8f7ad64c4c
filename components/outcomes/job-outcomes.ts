// Job outcomes for downstream systems: the jobs bus, and the publisher Lambda that reads the jobs table's
// stream (the outbox) and puts a "Job State Change" on the bus for every event recorded. Stream batches
// report the first record that failed (ReportBatchItemFailures, bisected), so retries never re-send what
// was published before it; batches still failing after the retries, and records the publisher cannot
// read, land in a dead-letter queue, and an alarm on it (and on the publisher falling behind) notifies a
// topic.

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  HandlerFunction,
  type HandlerFunctionArgs,
  handlerFunctionArgs,
} from "../functions/handler-function";
import type { FunctionEnvironment } from "../lib/handler-environment";
import { publisherPermissions } from "../lib/policies";

/** The variables this component sets in its publisher's environment, from its own bus and queue. */
export type OutcomeEnvironmentName = "JOBS_EVENT_BUS_NAME" | "OUTCOMES_DEAD_LETTER_QUEUE_URL";

/** The publisher's environment but for the two variables this component sets. */
export type PublisherEnvironment = Omit<
  FunctionEnvironment<"publisher", pulumi.Input<string>>,
  OutcomeEnvironmentName
>;

/** The publisher Lambda's settings are HandlerFunction's; the rest wires it to the stream and the bus. */
export interface JobOutcomesArgs
  extends Omit<HandlerFunctionArgs, "entryPoint" | "permissions" | "environment"> {
  /** Handler entry point relative to `sourceRoot`; default `handlers/publisher.ts`. */
  readonly entryPoint?: string;
  /** The publisher's environment but for the two variables this component sets (bus name, DLQ URL). */
  readonly environment: PublisherEnvironment;
  /** The jobs table's stream ARN (NEW_AND_OLD_IMAGES). */
  readonly streamArn: pulumi.Input<string>;
  /** Topic the alarms notify; default: a topic this component creates (subscribe to it). */
  readonly alarmTopicArn?: pulumi.Input<string>;
  /** Stream records per invocation; default 100. */
  readonly batchSize?: number;
  /** Retries of a failing batch (from its first failed record) before it goes to the DLQ; default 20. */
  readonly maximumRetryAttempts?: number;
  /** Concurrent batches per shard, in order per job either way (Lambda keeps one key's records in order); default 1. */
  readonly parallelizationFactor?: number;
  /** Age of the oldest unpublished record that raises the lag alarm, in seconds; default 300. */
  readonly lagAlarmSeconds?: number;
}

export class JobOutcomes extends pulumi.ComponentResource {
  /** The jobs bus: consumers' rules attach here. */
  readonly eventBus: aws.cloudwatch.EventBus;
  /** The publisher Lambda with its role and logs. */
  readonly publisher: HandlerFunction;
  /** Stream batches not published after their retries (Lambda's on-failure destination), and poison records. */
  readonly deadLetterQueue: aws.sqs.Queue;
  /** The stream's event source mapping. */
  readonly eventSource: aws.lambda.EventSourceMapping;
  /** The topic the alarms notify. */
  readonly alarmTopicArn: pulumi.Output<string>;

  constructor(name: string, args: JobOutcomesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("video-jobs:outcomes:JobOutcomes", name, {}, opts);
    const parent = this;

    this.eventBus = new aws.cloudwatch.EventBus(`${name}-bus`, {}, { parent });
    this.deadLetterQueue = new aws.sqs.Queue(
      `${name}-dlq`,
      { sqsManagedSseEnabled: true, messageRetentionSeconds: 14 * 24 * 3600 },
      { parent },
    );
    this.alarmTopicArn =
      args.alarmTopicArn === undefined
        ? new aws.sns.Topic(`${name}-alarms`, {}, { parent }).arn
        : pulumi.output(args.alarmTopicArn);
    this.publisher = createPublisher();
    this.eventSource = createEventSource(this.publisher, this.deadLetterQueue);
    createAlarms(this.publisher, this.deadLetterQueue, this.alarmTopicArn);

    this.registerOutputs({
      eventBusName: this.eventBus.name,
      eventBusArn: this.eventBus.arn,
      deadLetterQueueUrl: this.deadLetterQueue.url,
      alarmTopicArn: this.alarmTopicArn,
    });

    function createPublisher(): HandlerFunction {
      return new HandlerFunction(
        `${name}-publisher`,
        handlerFunctionArgs(
          {
            ...args,
            environment: {
              ...args.environment,
              JOBS_EVENT_BUS_NAME: parent.eventBus.name,
              OUTCOMES_DEAD_LETTER_QUEUE_URL: parent.deadLetterQueue.url,
            },
          },
          "handlers/publisher.ts",
          pulumi
            .all([args.streamArn, parent.eventBus.arn, parent.deadLetterQueue.arn])
            .apply(([streamArn, eventBusArn, deadLetterQueueArn]) =>
              publisherPermissions({ streamArn, eventBusArn, deadLetterQueueArn }),
            ),
        ),
        { parent },
      );
    }

    function createEventSource(
      publisher: HandlerFunction,
      deadLetterQueue: aws.sqs.Queue,
    ): aws.lambda.EventSourceMapping {
      return new aws.lambda.EventSourceMapping(
        `${name}-stream`,
        {
          eventSourceArn: args.streamArn,
          functionName: publisher.function.arn,
          // Only writes from now on: the history before the publisher existed is `replay`'s job.
          startingPosition: "LATEST",
          batchSize: args.batchSize ?? 100,
          functionResponseTypes: ["ReportBatchItemFailures"],
          // A failure reported at record N retries N and after; an invocation error splits the batch to
          // isolate the record that causes it.
          bisectBatchOnFunctionError: true,
          maximumRetryAttempts: args.maximumRetryAttempts ?? 20,
          // The stream keeps records 24 hours: retrying past that would lose them silently.
          maximumRecordAgeInSeconds: 24 * 3600,
          parallelizationFactor: args.parallelizationFactor ?? 1,
          destinationConfig: { onFailure: { destinationArn: deadLetterQueue.arn } },
        },
        { parent },
      );
    }

    function createAlarms(
      publisher: HandlerFunction,
      deadLetterQueue: aws.sqs.Queue,
      topicArn: pulumi.Output<string>,
    ): void {
      new aws.cloudwatch.MetricAlarm(
        `${name}-dlq-alarm`,
        {
          alarmDescription:
            "Job state changes were not published (stream batches past their retries, or unreadable records): see the outcome publisher's dead-letter queue, then `replay`",
          namespace: "AWS/SQS",
          metricName: "ApproximateNumberOfMessagesVisible",
          dimensions: { QueueName: deadLetterQueue.name },
          statistic: "Maximum",
          period: 60,
          evaluationPeriods: 1,
          threshold: 1,
          comparisonOperator: "GreaterThanOrEqualToThreshold",
          treatMissingData: "notBreaching",
          alarmActions: [topicArn],
          okActions: [topicArn],
        },
        { parent },
      );
      new aws.cloudwatch.MetricAlarm(
        `${name}-lag-alarm`,
        {
          alarmDescription: "The outcome publisher is falling behind the jobs table's stream",
          namespace: "AWS/Lambda",
          metricName: "IteratorAge",
          dimensions: { FunctionName: publisher.function.name },
          statistic: "Maximum",
          period: 60,
          evaluationPeriods: 5,
          threshold: (args.lagAlarmSeconds ?? 300) * 1000,
          comparisonOperator: "GreaterThanThreshold",
          treatMissingData: "notBreaching",
          alarmActions: [topicArn],
          okActions: [topicArn],
        },
        { parent },
      );
    }
  }
}
