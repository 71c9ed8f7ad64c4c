// Local stand-in for the SQS operations the pipeline uses (SendMessage, ReceiveMessage, DeleteMessage,
// ChangeMessageVisibility, GetQueueUrl, GetQueueAttributes), with SQS's semantics: per-message delay,
// visibility timeout, receive counts, and a dead-letter queue after `maxReceiveCount` receives. Reached by
// the real SDK client: queue URLs point at this server, which is where the SDK sends each call.

import { createHash, randomUUID } from "node:crypto";
import { SQS_MAX_DELAY_SECONDS } from "../../jobs/model";
import { AwsError, type AwsJsonServer, startAwsJsonServer } from "./aws-json-server";

export const LOCAL_ACCOUNT = "000000000000";
const MAX_BODY_BYTES = 1024 * 1024;

export interface QueueOptions {
  readonly visibilityTimeoutSeconds: number;
  /** Redrive: after this many receives the message goes to `deadLetterQueue` instead. */
  readonly redrive?: { readonly deadLetterQueue: string; readonly maxReceiveCount: number };
}

export interface Message {
  readonly messageId: string;
  readonly body: string;
  readonly md5: string;
  readonly sentAt: number;
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  receiptHandle?: string;
}

export type QueuesSnapshot = Readonly<Record<string, readonly Message[]>>;

interface Queue {
  readonly name: string;
  readonly options: QueueOptions;
  messages: Message[];
}

export interface ReceivedMessage {
  readonly MessageId: string;
  readonly ReceiptHandle: string;
  readonly MD5OfBody: string;
  readonly Body: string;
  readonly Attributes: Record<string, string>;
}

export class LocalSqs {
  private readonly queues = new Map<string, Queue>();
  private server: AwsJsonServer | undefined;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly now: () => number = Date.now) {}

  async start(port?: number): Promise<string> {
    this.server = await startAwsJsonServer({
      errorNamespace: "com.amazonaws.sqs",
      port,
      operations: {
        SendMessage: (input) =>
          this.sendMessage(queueName(input), str(input.MessageBody), num(input.DelaySeconds)),
        ReceiveMessage: (input) =>
          this.receiveMessage(queueName(input), {
            maxMessages: num(input.MaxNumberOfMessages) ?? 1,
            visibilityTimeoutSeconds: num(input.VisibilityTimeout),
            waitSeconds: num(input.WaitTimeSeconds) ?? 0,
          }).then((messages) => (messages.length > 0 ? { Messages: messages } : {})),
        DeleteMessage: (input) => this.deleteMessage(queueName(input), str(input.ReceiptHandle)),
        ChangeMessageVisibility: (input) =>
          this.changeVisibility(
            queueName(input),
            str(input.ReceiptHandle),
            num(input.VisibilityTimeout) ?? 0,
          ),
        GetQueueUrl: (input) => ({ QueueUrl: this.queueUrl(this.queue(str(input.QueueName)).name) }),
        GetQueueAttributes: (input) => ({ Attributes: this.attributes(queueName(input)) }),
      },
    });
    return this.server.endpoint;
  }

  async stop(): Promise<void> {
    for (const wake of this.waiters) wake();
    await this.server?.stop();
  }

  get endpoint(): string {
    if (!this.server) throw new Error("local SQS is not started");
    return this.server.endpoint;
  }

  createQueue(name: string, options: QueueOptions): string {
    if (!this.queues.has(name)) this.queues.set(name, { name, options, messages: [] });
    return this.queueUrl(name);
  }

  queueUrl(name: string): string {
    return `${this.endpoint}/${LOCAL_ACCOUNT}/${name}`;
  }

  sendMessage(name: string, body: string, delaySeconds = 0): { MessageId: string; MD5OfMessageBody: string } {
    const queue = this.queue(name);
    if (body.length === 0) throw new AwsError("InvalidParameterValue", "The message body must not be empty");
    if (Buffer.byteLength(body) > MAX_BODY_BYTES) {
      throw new AwsError("InvalidParameterValue", `The message body must be at most ${MAX_BODY_BYTES} bytes`);
    }
    if (!Number.isInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > SQS_MAX_DELAY_SECONDS) {
      throw new AwsError(
        "InvalidParameterValue",
        `DelaySeconds must be an integer from 0 to ${SQS_MAX_DELAY_SECONDS}`,
      );
    }
    const now = this.now();
    const message: Message = {
      messageId: randomUUID(),
      body,
      md5: md5(body),
      sentAt: now,
      visibleAt: now + delaySeconds * 1000,
      receiveCount: 0,
    };
    queue.messages.push(message);
    for (const wake of this.waiters) wake();
    return { MessageId: message.messageId, MD5OfMessageBody: message.md5 };
  }

  async receiveMessage(
    name: string,
    options: { maxMessages: number; visibilityTimeoutSeconds?: number | undefined; waitSeconds: number },
  ): Promise<ReceivedMessage[]> {
    const queue = this.queue(name);
    if (!Number.isInteger(options.maxMessages) || options.maxMessages < 1 || options.maxMessages > 10) {
      throw new AwsError("InvalidParameterValue", "MaxNumberOfMessages must be an integer from 1 to 10");
    }
    const deadline = Date.now() + Math.min(20, Math.max(0, options.waitSeconds)) * 1000;
    for (;;) {
      const received = this.takeVisible(queue, options.maxMessages, options.visibilityTimeoutSeconds);
      if (received.length > 0 || Date.now() >= deadline) return received;
      await this.waitForChange(Math.min(100, deadline - Date.now()));
    }
  }

  deleteMessage(name: string, receiptHandle: string): Record<string, never> {
    const queue = this.queue(name);
    const index = queue.messages.findIndex((m) => m.receiptHandle === receiptHandle);
    if (index < 0)
      throw new AwsError("ReceiptHandleIsInvalid", `The receipt handle "${receiptHandle}" is not valid`);
    queue.messages.splice(index, 1);
    return {};
  }

  changeVisibility(name: string, receiptHandle: string, timeoutSeconds: number): Record<string, never> {
    const message = this.queue(name).messages.find((m) => m.receiptHandle === receiptHandle);
    if (!message)
      throw new AwsError("ReceiptHandleIsInvalid", `The receipt handle "${receiptHandle}" is not valid`);
    if (message.visibleAt <= this.now()) {
      throw new AwsError(
        "MessageNotInflight",
        "The message is not in flight (its visibility timeout expired)",
      );
    }
    message.visibleAt = this.now() + timeoutSeconds * 1000;
    for (const wake of this.waiters) wake();
    return {};
  }

  attributes(name: string): Record<string, string> {
    const queue = this.queue(name);
    const now = this.now();
    const delayed = queue.messages.filter((m) => m.receiveCount === 0 && m.visibleAt > now).length;
    const inFlight = queue.messages.filter((m) => m.receiveCount > 0 && m.visibleAt > now).length;
    return {
      ApproximateNumberOfMessages: String(queue.messages.length - delayed - inFlight),
      ApproximateNumberOfMessagesNotVisible: String(inFlight),
      ApproximateNumberOfMessagesDelayed: String(delayed),
      VisibilityTimeout: String(queue.options.visibilityTimeoutSeconds),
      ...(queue.options.redrive
        ? {
            RedrivePolicy: JSON.stringify({
              deadLetterTargetArn: `arn:aws:sqs:us-east-1:${LOCAL_ACCOUNT}:${queue.options.redrive.deadLetterQueue}`,
              maxReceiveCount: queue.options.redrive.maxReceiveCount,
            }),
          }
        : {}),
    };
  }

  /** Every queue's messages, to be restored by a later run (local mode keeps its queues across restarts). */
  snapshot(): QueuesSnapshot {
    return Object.fromEntries(
      [...this.queues].map(([name, queue]) => [name, queue.messages.map((m) => ({ ...m }))]),
    );
  }

  /** Puts back the messages of a snapshot into the queues of the same names (the others are dropped). */
  restore(snapshot: QueuesSnapshot): void {
    for (const [name, messages] of Object.entries(snapshot)) {
      const queue = this.queues.get(name);
      if (queue) queue.messages.push(...messages.map((m) => ({ ...m })));
    }
  }

  /** Bodies of the messages in a queue, visible or not (for tests and the DLQ report). */
  peek(name: string): string[] {
    return this.queue(name).messages.map((m) => m.body);
  }

  private takeVisible(
    queue: Queue,
    max: number,
    visibilityTimeoutSeconds: number | undefined,
  ): ReceivedMessage[] {
    const now = this.now();
    const received: ReceivedMessage[] = [];
    for (const message of [...queue.messages]) {
      if (received.length >= max) break;
      if (message.visibleAt > now) continue;
      const redrive = queue.options.redrive;
      if (redrive && message.receiveCount >= redrive.maxReceiveCount) {
        queue.messages.splice(queue.messages.indexOf(message), 1);
        this.queue(redrive.deadLetterQueue).messages.push({
          ...message,
          visibleAt: now,
          receiptHandle: undefined,
        });
        continue;
      }
      message.receiveCount++;
      message.firstReceivedAt ??= now;
      message.receiptHandle = `${message.messageId}#${message.receiveCount}#${randomUUID()}`;
      message.visibleAt = now + (visibilityTimeoutSeconds ?? queue.options.visibilityTimeoutSeconds) * 1000;
      received.push({
        MessageId: message.messageId,
        ReceiptHandle: message.receiptHandle,
        MD5OfBody: message.md5,
        Body: message.body,
        Attributes: {
          ApproximateReceiveCount: String(message.receiveCount),
          SentTimestamp: String(message.sentAt),
          ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt),
        },
      });
    }
    return received;
  }

  private queue(nameOrUrl: string): Queue {
    const name = nameOrUrl.slice(nameOrUrl.lastIndexOf("/") + 1);
    const queue = this.queues.get(name);
    if (!queue) throw new AwsError("QueueDoesNotExist", `The specified queue "${name}" does not exist`);
    return queue;
  }

  private waitForChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, Math.max(1, ms));
      this.waiters.add(wake);
    });
  }
}

function queueName(input: Record<string, unknown>): string {
  const url = str(input.QueueUrl);
  return url.slice(url.lastIndexOf("/") + 1);
}

function str(value: unknown): string {
  if (typeof value !== "string")
    throw new AwsError("MissingParameter", "a required string parameter is missing");
  return value;
}

function num(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number")
    throw new AwsError("InvalidParameterValue", "a number parameter is not a number");
  return value;
}

function md5(text: string): string {
  return createHash("md5").update(text, "utf8").digest("hex");
}
