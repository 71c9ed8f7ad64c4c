// The local counterpart of Lambda's SQS event source mapping: polls the local jobs queue, invokes the
// dispatcher handler with batches (at most `maxConcurrency` invocations at once), deletes what succeeded and
// leaves the batch item failures to come back after the visibility timeout — or go to the DLQ.

import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import type { LocalSqs } from "../aws/sqs";

export interface QueueConsumerOptions {
  readonly sqs: LocalSqs;
  readonly queueName: string;
  readonly region: string;
  readonly batchSize: number;
  readonly maxConcurrency: number;
  readonly handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
  readonly onError: (error: unknown) => void;
}

export class QueueConsumer {
  private running = false;
  private readonly inFlight = new Set<Promise<void>>();
  private loop: Promise<void> | undefined;

  constructor(private readonly options: QueueConsumerOptions) {}

  start(): void {
    this.running = true;
    this.loop = this.poll();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await Promise.all([...this.inFlight]);
  }

  private async poll(): Promise<void> {
    const { sqs, queueName } = this.options;
    while (this.running) {
      if (this.inFlight.size >= this.options.maxConcurrency) {
        await Promise.race(this.inFlight);
        continue;
      }
      const messages = await sqs.receiveMessage(queueName, {
        maxMessages: Math.min(10, this.options.batchSize),
        waitSeconds: 0.2,
      });
      if (messages.length === 0) continue;
      const invocation = this.invoke(messages).catch(this.options.onError);
      this.inFlight.add(invocation);
      void invocation.finally(() => this.inFlight.delete(invocation));
    }
  }

  private async invoke(messages: Awaited<ReturnType<LocalSqs["receiveMessage"]>>): Promise<void> {
    const { sqs, queueName, region } = this.options;
    const event: SQSEvent = {
      Records: messages.map((m) => ({
        messageId: m.MessageId,
        receiptHandle: m.ReceiptHandle,
        body: m.Body,
        attributes: {
          ApproximateReceiveCount: m.Attributes.ApproximateReceiveCount ?? "1",
          SentTimestamp: m.Attributes.SentTimestamp ?? "0",
          SenderId: "LOCAL",
          ApproximateFirstReceiveTimestamp: m.Attributes.ApproximateFirstReceiveTimestamp ?? "0",
        },
        messageAttributes: {},
        md5OfBody: m.MD5OfBody,
        eventSource: "aws:sqs",
        eventSourceARN: `arn:aws:sqs:${region}:000000000000:${queueName}`,
        awsRegion: region,
      })),
    };
    const context = {
      functionName: "dispatcher",
      awsRequestId: crypto.randomUUID(),
      getRemainingTimeInMillis: () => 60_000,
    };
    // A handler that throws fails the whole batch: every message comes back after its visibility timeout.
    const response = await this.options.handler(event, context as unknown as Context);
    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    for (const message of messages) {
      if (failed.has(message.MessageId)) continue;
      try {
        sqs.deleteMessage(queueName, message.ReceiptHandle);
      } catch (error) {
        // As with Lambda: a message whose visibility ran out while it was processed is delivered again.
        this.options.onError(error);
      }
    }
  }
}
