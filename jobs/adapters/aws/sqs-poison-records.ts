// PoisonRecords on SQS: a stream record the publisher cannot read goes to its dead-letter queue (the same
// queue Lambda sends exhausted batches to), whole and with the reason, so it can be looked at and the
// alarm on that queue fires.

import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { PoisonRecords } from "../../workflows/publish-outcomes";

/** Below SQS's 256 KiB message limit; a larger record is sent as its identity only. */
const MAX_MESSAGE_CHARS = 250_000;

export class SqsPoisonRecords implements PoisonRecords {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async setAside(record: unknown, reason: string): Promise<void> {
    const whole = JSON.stringify({ reason, record });
    const body =
      whole.length <= MAX_MESSAGE_CHARS ? whole : JSON.stringify({ reason, record: identity(record) });
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: body }));
  }
}

function identity(record: unknown): unknown {
  const { eventID, eventSourceARN, dynamodb } = (record ?? {}) as {
    eventID?: unknown;
    eventSourceARN?: unknown;
    dynamodb?: { Keys?: unknown; SequenceNumber?: unknown };
  };
  return {
    eventID,
    eventSourceARN,
    keys: dynamodb?.Keys,
    sequenceNumber: dynamodb?.SequenceNumber,
    truncated: true,
  };
}
