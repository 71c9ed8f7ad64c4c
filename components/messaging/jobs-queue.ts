// The jobs queue between S3 (and clients) and the dispatcher, with its dead-letter queue. Both use
// SQS-managed encryption (SSE-SQS) rather than a KMS key: S3 event notifications can only reach a
// KMS-encrypted queue through a customer managed key whose policy admits S3, and every producer and
// consumer would then need kms:GenerateDataKey/Decrypt. SSE-SQS encrypts at rest with neither.

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { redrivePolicy, visibilityTimeoutFor } from "../lib/queue-settings";

export interface JobsQueueArgs {
  /**
   * Timeout of the consuming Lambda; the visibility timeout is six times this (AWS's rule for SQS event sources). Required.
   * @example 60
   */
  readonly consumerTimeoutSeconds: number;
  /**
   * Receives before a message moves to the dead-letter queue; at least 5.
   * @default 5
   * @example 10
   */
  readonly maxReceiveCount?: number;
  /**
   * How long a message may wait in the queue.
   * @default 345600 (4 days)
   * @example 86400
   */
  readonly messageRetentionSeconds?: number;
  /**
   * How long a dead letter is kept.
   * @default 1209600 (14 days, the SQS maximum)
   * @example 604800
   */
  readonly deadLetterRetentionSeconds?: number;
}

const MIN_MAX_RECEIVE_COUNT = 5;

export class JobsQueue extends pulumi.ComponentResource {
  /** The jobs queue. */
  readonly queue: aws.sqs.Queue;
  /** Its dead-letter queue. */
  readonly deadLetterQueue: aws.sqs.Queue;

  constructor(name: string, args: JobsQueueArgs, opts?: pulumi.ComponentResourceOptions) {
    super("video-jobs:messaging:JobsQueue", name, {}, opts);
    const {
      consumerTimeoutSeconds,
      maxReceiveCount = MIN_MAX_RECEIVE_COUNT,
      messageRetentionSeconds = 4 * 24 * 3600,
      deadLetterRetentionSeconds = 14 * 24 * 3600,
    } = args;
    // Fewer receives send messages to the DLQ while the dispatcher is merely throttled by RunTask.
    if (maxReceiveCount < MIN_MAX_RECEIVE_COUNT) {
      throw new Error(
        `${name}: maxReceiveCount must be at least ${MIN_MAX_RECEIVE_COUNT}, got ${maxReceiveCount}`,
      );
    }
    // A message keeps its enqueue time in the DLQ: a shorter retention there would expire it on arrival.
    if (deadLetterRetentionSeconds < messageRetentionSeconds) {
      throw new Error(`${name}: the dead-letter queue must retain messages at least as long as the queue`);
    }

    this.deadLetterQueue = new aws.sqs.Queue(
      `${name}-dlq`,
      { sqsManagedSseEnabled: true, messageRetentionSeconds: deadLetterRetentionSeconds },
      { parent: this },
    );
    this.queue = new aws.sqs.Queue(
      `${name}-queue`,
      {
        sqsManagedSseEnabled: true,
        visibilityTimeoutSeconds: visibilityTimeoutFor(consumerTimeoutSeconds),
        messageRetentionSeconds,
        receiveWaitTimeSeconds: 20,
        redrivePolicy: this.deadLetterQueue.arn.apply((arn) => redrivePolicy(arn, maxReceiveCount)),
      },
      { parent: this },
    );
    // Only the jobs queue may move messages into this DLQ (and redrive them back).
    new aws.sqs.RedriveAllowPolicy(
      `${name}-dlq-redrive-allow`,
      {
        queueUrl: this.deadLetterQueue.url,
        redriveAllowPolicy: this.queue.arn.apply((arn) =>
          JSON.stringify({ redrivePermission: "byQueue", sourceQueueArns: [arn] }),
        ),
      },
      { parent: this },
    );

    this.registerOutputs({
      queueUrl: this.queue.url,
      queueArn: this.queue.arn,
      deadLetterQueueUrl: this.deadLetterQueue.url,
      deadLetterQueueArn: this.deadLetterQueue.arn,
    });
  }
}
