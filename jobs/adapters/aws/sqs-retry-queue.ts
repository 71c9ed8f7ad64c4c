// RetryQueue on SQS: the retry message `{jobId, attempt}` on the jobs queue, delayed by the backoff
// (SQS delays at most 900 s; the retry policy caps its backoff there).

import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { SQS_MAX_DELAY_SECONDS } from "../../model/retry-policy";
import type { RetryQueue } from "../../store/ports";

export class SqsRetryQueue implements RetryQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async sendRetry(jobId: string, attempt: number, delaySeconds: number): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify({ jobId, attempt }),
        DelaySeconds: Math.min(SQS_MAX_DELAY_SECONDS, Math.max(0, Math.round(delaySeconds))),
      }),
    );
  }
}
