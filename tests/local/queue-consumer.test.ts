// The local SQS event source: batches go to the handler, at most maxConcurrency at once; what succeeded is
// deleted, batch item failures (and whole failed invocations) come back after the visibility timeout.

import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LocalSqs } from "../../local/aws/sqs";
import { QueueConsumer } from "../../local/handlers/queue-consumer";

let clock = 0;
const sqs = new LocalSqs(() => clock);
let consumer: QueueConsumer | undefined;

beforeAll(async () => {
  await sqs.start();
});
afterAll(async () => {
  await sqs.stop();
});
afterEach(async () => {
  await consumer?.stop();
  consumer = undefined;
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}

function consume(
  queue: string,
  handler: (event: SQSEvent) => Promise<SQSBatchResponse>,
  options: { batchSize?: number; maxConcurrency?: number; errors?: unknown[] } = {},
): void {
  consumer = new QueueConsumer({
    sqs,
    queueName: queue,
    region: "us-east-1",
    batchSize: options.batchSize ?? 10,
    maxConcurrency: options.maxConcurrency ?? 2,
    handler,
    onError: (error) => options.errors?.push(error),
  });
  consumer.start();
}

describe("local SQS event source", () => {
  it("deletes what succeeded and leaves batch item failures for redelivery", async () => {
    sqs.createQueue("q1", { visibilityTimeoutSeconds: 30 });
    for (const body of ["ok-1", "fail", "ok-2"]) sqs.sendMessage("q1", body);
    const seen: string[][] = [];
    consume("q1", async (event) => {
      seen.push(event.Records.map((r) => r.body));
      return {
        batchItemFailures: event.Records.filter((r) => r.body === "fail").map((r) => ({
          itemIdentifier: r.messageId,
        })),
      };
    });
    await until(() => seen.length === 1);
    await until(() => sqs.peek("q1").length === 1);
    expect(seen[0]).toEqual(["ok-1", "fail", "ok-2"]);
    expect(sqs.peek("q1")).toEqual(["fail"]);
    clock += 30_000;
    await until(() => seen.length === 2);
    expect(seen[1]).toEqual(["fail"]);
  });

  it("keeps a whole batch when the handler throws, and reports the error", async () => {
    sqs.createQueue("q2", { visibilityTimeoutSeconds: 30 });
    sqs.sendMessage("q2", "boom");
    const errors: unknown[] = [];
    consume(
      "q2",
      async () => {
        throw new Error("handler crashed");
      },
      { errors },
    );
    await until(() => errors.length === 1);
    expect(sqs.peek("q2")).toEqual(["boom"]);
  });

  it("runs at most maxConcurrency invocations at once, in batches of batchSize", async () => {
    sqs.createQueue("q3", { visibilityTimeoutSeconds: 30 });
    for (let i = 0; i < 7; i++) sqs.sendMessage("q3", `m${i}`);
    let running = 0;
    let most = 0;
    const sizes: number[] = [];
    consume(
      "q3",
      async (event) => {
        running++;
        most = Math.max(most, running);
        sizes.push(event.Records.length);
        await new Promise((resolve) => setTimeout(resolve, 50));
        running--;
        return { batchItemFailures: [] };
      },
      { batchSize: 2, maxConcurrency: 2 },
    );
    await until(() => sqs.peek("q3").length === 0 && running === 0);
    expect(most).toBe(2);
    expect(sizes.every((n) => n <= 2)).toBe(true);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(7);
  });
});
