// The local SQS stand-in, driven through the real SDK client (which also checks the MD5 digests).

import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  QueueDoesNotExist,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { LocalSqs } from "../../local/aws/sqs";

let clock = 1_000_000;
const sqs = new LocalSqs(() => clock);
let client: SQSClient;
let queueUrl: string;
let counter = 0;

beforeAll(async () => {
  const endpoint = await sqs.start();
  client = new SQSClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  });
});
afterAll(async () => {
  client.destroy();
  await sqs.stop();
});
beforeEach(() => {
  counter++;
  sqs.createQueue(`dlq-${counter}`, { visibilityTimeoutSeconds: 30 });
  queueUrl = sqs.createQueue(`jobs-${counter}`, {
    visibilityTimeoutSeconds: 60,
    redrive: { deadLetterQueue: `dlq-${counter}`, maxReceiveCount: 2 },
  });
});

const receive = async (url = queueUrl, extra: Record<string, number> = {}) =>
  (await client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, ...extra })))
    .Messages ?? [];

describe("local SQS", () => {
  it("sends, receives (with attributes) and deletes through the SDK", async () => {
    const sent = await client.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"videoUrl":"s3://b/k"}' }),
    );
    const [message] = await receive();
    expect(message).toMatchObject({ MessageId: sent.MessageId, Body: '{"videoUrl":"s3://b/k"}' });
    expect(message?.Attributes?.ApproximateReceiveCount).toBe("1");
    await client.send(
      new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message?.ReceiptHandle }),
    );
    clock += 61_000;
    expect(await receive()).toEqual([]);
  });

  it("holds a delayed message until its delay has passed", async () => {
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "later", DelaySeconds: 30 }));
    expect(await receive()).toEqual([]);
    const attributes = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["All"] }),
    );
    expect(attributes.Attributes?.ApproximateNumberOfMessagesDelayed).toBe("1");
    clock += 30_000;
    expect((await receive()).map((m) => m.Body)).toEqual(["later"]);
  });

  it("hides a received message for the visibility timeout, then delivers it again", async () => {
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "again" }));
    await receive();
    clock += 59_000;
    expect(await receive()).toEqual([]);
    clock += 1_000;
    const [second] = await receive();
    expect(second?.Attributes?.ApproximateReceiveCount).toBe("2");
  });

  it("changes a message's visibility", async () => {
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "soon" }));
    const [message] = await receive();
    await client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: message?.ReceiptHandle,
        VisibilityTimeout: 5,
      }),
    );
    clock += 5_000;
    expect((await receive()).map((m) => m.Body)).toEqual(["soon"]);
  });

  it("moves a message to the dead-letter queue after maxReceiveCount receives", async () => {
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "poison" }));
    await receive();
    clock += 60_000;
    await receive();
    clock += 60_000;
    expect(await receive()).toEqual([]);
    expect(sqs.peek(`dlq-${counter}`)).toEqual(["poison"]);
    expect((await receive(sqs.queueUrl(`dlq-${counter}`))).map((m) => m.Body)).toEqual(["poison"]);
  });

  it("keeps messages, delays and receive counts across a snapshot and a restore", async () => {
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "received once" }));
    await receive();
    await client.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "retry later", DelaySeconds: 20 }),
    );
    const restored = new LocalSqs(() => clock);
    const endpoint = await restored.start();
    try {
      restored.createQueue(`jobs-${counter}`, { visibilityTimeoutSeconds: 60 });
      restored.restore(JSON.parse(JSON.stringify(sqs.snapshot())));
      clock += 60_000;
      const messages = await restored.receiveMessage(`jobs-${counter}`, { maxMessages: 10, waitSeconds: 0 });
      expect(messages.map((m) => [m.Body, m.Attributes.ApproximateReceiveCount])).toEqual([
        ["received once", "2"],
        ["retry later", "1"],
      ]);
      expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:/);
    } finally {
      await restored.stop();
    }
  });

  it("waits for a message when long polling", async () => {
    const polling = receive(queueUrl, { WaitTimeSeconds: 2 });
    setTimeout(() => sqs.sendMessage(`jobs-${counter}`, "arrived"), 50);
    expect((await polling).map((m) => m.Body)).toEqual(["arrived"]);
  });

  it("answers errors the SDK turns into typed exceptions", async () => {
    await expect(
      client.send(new SendMessageCommand({ QueueUrl: sqs.queueUrl("nope"), MessageBody: "x" })),
    ).rejects.toBeInstanceOf(QueueDoesNotExist);
    await expect(
      client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: "bogus" })),
    ).rejects.toBeInstanceOf(ReceiptHandleIsInvalid);
    await expect(
      client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "x", DelaySeconds: 901 })),
    ).rejects.toThrow(/DelaySeconds must be an integer from 0 to 900/);
  });
});
