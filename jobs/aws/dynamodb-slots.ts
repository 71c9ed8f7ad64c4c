// The SlotPool on DynamoDB: one item of the capacity table whose `holders` map has a key per job holding a
// slot (value: when it took it). Taking a slot is one conditional UpdateItem — "fewer holders than the cap,
// or this job holds one already" — so concurrent dispatchers never exceed the cap, and taking or giving
// back twice changes nothing. The map's size is the number of running tasks: no scan, no counter to drift.
// Its write cost grows with the map (about 40 bytes a holder: 500 slots, ~20 KB, ~20 write units a change).

import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { SlotAnswer, SlotPool } from "../slots";
import { CAPACITY_TABLE_KEY, RUNNING_TASKS_ITEM } from "../table-schema";

export class DynamoDbSlotPool implements SlotPool {
  private readonly documents: DynamoDBDocumentClient;
  private readonly key = { [CAPACITY_TABLE_KEY]: RUNNING_TASKS_ITEM };

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
    readonly cap: number,
  ) {
    this.documents = DynamoDBDocumentClient.from(client);
  }

  async acquire(jobId: string, now: string): Promise<SlotAnswer> {
    await this.ensureItem();
    try {
      const { Attributes } = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key,
          UpdateExpression: "SET holders.#job = if_not_exists(holders.#job, :now)",
          ConditionExpression: "size(holders) < :cap OR attribute_exists(holders.#job)",
          ExpressionAttributeNames: { "#job": jobId },
          ExpressionAttributeValues: { ":now": now, ":cap": this.cap },
          ReturnValues: "ALL_NEW",
        }),
      );
      return { acquired: true, inUse: holderCount(Attributes) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return { acquired: false, inUse: this.cap };
    }
  }

  async release(jobId: string): Promise<number> {
    await this.ensureItem();
    const { Attributes } = await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: this.key,
        UpdateExpression: "REMOVE holders.#job",
        ExpressionAttributeNames: { "#job": jobId },
        ReturnValues: "ALL_NEW",
      }),
    );
    return holderCount(Attributes);
  }

  async holders(): Promise<ReadonlyMap<string, string>> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: this.key, ConsistentRead: true }),
    );
    const holders = Item?.holders;
    if (holders === undefined) return new Map();
    if (typeof holders !== "object" || holders === null)
      throw new Error(`capacity table ${this.tableName}: ${RUNNING_TASKS_ITEM}.holders is not a map`);
    return new Map(Object.entries(holders).map(([jobId, since]) => [jobId, String(since)]));
  }

  async restore(jobId: string, now: string): Promise<void> {
    await this.ensureItem();
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: this.key,
        UpdateExpression: "SET holders.#job = if_not_exists(holders.#job, :now)",
        ExpressionAttributeNames: { "#job": jobId },
        ExpressionAttributeValues: { ":now": now },
      }),
    );
  }

  private itemExists = false;

  /** The map must exist before a key can be set in it: created once, empty, by whoever comes first. */
  private async ensureItem(): Promise<void> {
    if (this.itemExists) return;
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...this.key, holders: {} },
          ConditionExpression: "attribute_not_exists(#key)",
          ExpressionAttributeNames: { "#key": CAPACITY_TABLE_KEY },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    this.itemExists = true;
  }
}

function holderCount(item: Record<string, unknown> | undefined): number {
  const holders = item?.holders;
  return typeof holders === "object" && holders !== null ? Object.keys(holders).length : 0;
}
