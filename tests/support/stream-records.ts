// DynamoDB stream records for the outcome publisher's tests, made from real writes: dynalite has no
// streams, so each write goes through the real store against dynalite with the item read (as DynamoDB's
// typed JSON, the stream's image format) just before and just after it — the OldImage and NewImage a
// NEW_AND_OLD_IMAGES stream would carry.

import {
  type DynamoDBClient,
  GetItemCommand,
  type AttributeValue as SdkAttributeValue,
} from "@aws-sdk/client-dynamodb";
import type { AttributeValue, DynamoDBRecord } from "aws-lambda";
import { DynamoDbJobStore } from "../../jobs/adapters/aws/dynamodb-store";
import { type JobCommand, jobDecider, type PolicyCommand } from "../../jobs/model/decide";
import { changeJob } from "../../jobs/store/store";
import { TEST_POLICY } from "./factories";

type Image = Record<string, AttributeValue>;

export class StreamRecorder {
  private sequence = 100;
  readonly store: DynamoDbJobStore;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.store = new DynamoDbJobStore(client, { tableName, retentionDays: 0 });
  }

  /** Applies a command to the job (one write) and returns the stream record of that write. */
  async write(jobId: string, command: JobCommand | PolicyCommand): Promise<DynamoDBRecord> {
    const before = await this.image(jobId);
    const change = await changeJob(this.store, jobId, (state) => jobDecider(TEST_POLICY)(state, command));
    if (change.events.length === 0) throw new Error(`the command decided nothing for ${jobId}`);
    const after = await this.image(jobId);
    return this.record(jobId, before, after);
  }

  /** A record with the images given (for poison records and removals). */
  record(jobId: string, before: Image | undefined, after: Image | undefined): DynamoDBRecord {
    this.sequence += 1;
    return {
      eventID: `event-${this.sequence}`,
      eventName: after === undefined ? "REMOVE" : before === undefined ? "INSERT" : "MODIFY",
      eventSource: "aws:dynamodb",
      eventVersion: "1.1",
      awsRegion: "us-east-1",
      eventSourceARN: `arn:aws:dynamodb:us-east-1:111122223333:table/${this.tableName}/stream/2026-11-29T00:00:00.000`,
      dynamodb: {
        Keys: { jobId: { S: jobId } },
        ...(after === undefined ? {} : { NewImage: after }),
        ...(before === undefined ? {} : { OldImage: before }),
        SequenceNumber: String(this.sequence).padStart(21, "0"),
        StreamViewType: "NEW_AND_OLD_IMAGES",
      },
    };
  }

  async image(jobId: string): Promise<Image | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: { jobId: { S: jobId } }, ConsistentRead: true }),
    );
    return Item === undefined ? undefined : toStreamImage(Item);
  }
}

/** The SDK's AttributeValue and the stream's are the same JSON (binary aside, unused in the jobs table). */
function toStreamImage(item: Record<string, SdkAttributeValue>): Image {
  return JSON.parse(JSON.stringify(item)) as Image;
}
