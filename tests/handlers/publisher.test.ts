// The publisher Lambda handler end to end: stream records from real writes against dynalite, EventBridge
// and SQS mocked at the SDK. PutEvents carries the documented source, detail-type and bus; an entry
// EventBridge refuses makes the record a batch item failure; a poison record goes to the dead-letter queue.

import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { checkAwsCallsAgainstRole } from "../support/aws-calls/record-in-test";
import { type LocalDynamoDb, startLocalDynamoDb } from "../support/dynamodb";
import { INPUT } from "../support/factories";
import { handlerEnvironment, OUTCOMES_DLQ_URL } from "../support/handler-env";
import { StreamRecorder } from "../support/stream-records";

const eventBridge = mockClient(EventBridgeClient);
const sqs = mockClient(SQSClient);
// Every AWS call of this file, checked at its end against the role the Pulumi program gives the publisher.
const asThePublisher = checkAwsCallsAgainstRole("publisher", [eventBridge, sqs]);
let db: LocalDynamoDb;
let recorder: StreamRecorder;
let handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;

beforeAll(async () => {
  db = await startLocalDynamoDb();
  const tableName = await db.createTable("publisher");
  Object.assign(process.env, handlerEnvironment(db.endpoint, tableName));
  recorder = new StreamRecorder(db.client, tableName);
  handler = asThePublisher((await import("../../handlers/publisher.js")).handler);
});
afterAll(async () => {
  eventBridge.restore();
  sqs.restore();
  await db?.stop();
});
beforeEach(() => {
  eventBridge.reset();
  sqs.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: "m" });
});

const submit = (jobId: string) =>
  recorder.write(jobId, {
    type: "Submit",
    now: "2026-11-29T10:00:00.000Z",
    jobId,
    input: INPUT,
    source: { kind: "message" },
  });

describe("the publisher handler", () => {
  it("puts each appended event on the jobs bus as a Job State Change", async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: "1" }, { EventId: "2" }] });
    const response = await handler({ Records: [await submit("h-1")] });
    expect(response).toEqual({ batchItemFailures: [] });
    const [call] = eventBridge.commandCalls(PutEventsCommand);
    const entries = call?.args[0].input.Entries ?? [];
    expect(entries.map((e) => [e.EventBusName, e.Source, e.DetailType])).toEqual([
      ["video-jobs-test-jobs", "video-jobs", "Job State Change"],
      ["video-jobs-test-jobs", "video-jobs", "Job State Change"],
    ]);
    expect(JSON.parse(entries[1]?.Detail ?? "{}")).toMatchObject({
      jobId: "h-1",
      sequence: 2,
      event: "TaskLaunchRequested",
      status: "LAUNCHING",
      attempt: 1,
    });
  });

  it("reports the record whose entry EventBridge refused, and does not publish the ones after it", async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 1,
        Entries: [{ EventId: "1" }, { ErrorCode: "ThrottlingException", ErrorMessage: "Rate exceeded" }],
      })
      .resolves({ FailedEntryCount: 0, Entries: [] });
    const first = await submit("h-2");
    const second = await submit("h-3");
    const response = await handler({ Records: [first, second] });
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: first.dynamodb?.SequenceNumber }] });
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(1);
  });

  it("sends a poison record to the dead-letter queue with the reason", async () => {
    const poison = recorder.record("h-4", undefined, { jobId: { S: "h-4" } });
    const response = await handler({ Records: [poison] });
    expect(response).toEqual({ batchItemFailures: [] });
    const [call] = sqs.commandCalls(SendMessageCommand);
    expect(call?.args[0].input.QueueUrl).toBe(OUTCOMES_DLQ_URL);
    expect(JSON.parse(call?.args[0].input.MessageBody ?? "{}")).toMatchObject({
      reason: expect.stringMatching(/^new image: .*version/),
      record: { eventID: poison.eventID },
    });
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });
});
