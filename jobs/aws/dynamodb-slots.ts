// The SlotPool on DynamoDB: one item of the capacity table per shard of slots (../slots.ts), whose
// `holders` map has a key per job holding a slot of it (value: when it took it). Taking a slot is a
// conditional UpdateItem per shard tried, in the job's own order — "fewer holders than the shard's slots,
// or this job holds one already" — so concurrent dispatchers never exceed the cap, and taking or giving
// back twice changes nothing: a taker first reads (consistently) whether the job holds a slot in any shard. The maps' sizes are the running tasks: no scan, no counter to drift. A shard's item stays small
// (at most SLOTS_PER_SHARD holders), so a change costs a couple of write units however large the cap.

import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { type SlotAnswer, type SlotPool, type SlotShards, slotShards } from "../slots";
import { CAPACITY_TABLE_KEY, RUNNING_TASKS_ITEM } from "../table-schema";

export class DynamoDbSlotPool implements SlotPool {
  readonly shards: SlotShards;
  private readonly documents: DynamoDBDocumentClient;
  /** Shards whose item is known to exist (the map must exist before a key is set in it). */
  private readonly created = new Set<number>();

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
    readonly cap: number,
  ) {
    this.documents = DynamoDBDocumentClient.from(client);
    this.shards = slotShards(cap);
  }

  async acquire(jobId: string, now: string): Promise<SlotAnswer> {
    if ((await this.shardsHolding(jobId)).length > 0) return { acquired: true, alreadyHeld: true };
    for (const shard of this.shards.probeOrder(jobId)) {
      await this.ensureShard(shard);
      try {
        const { Attributes } = await this.documents.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: keyOf(shard),
            UpdateExpression: "SET holders.#job = if_not_exists(holders.#job, :now)",
            ConditionExpression: "size(holders) < :slots OR attribute_exists(holders.#job)",
            ExpressionAttributeNames: { "#job": jobId },
            ExpressionAttributeValues: { ":now": now, ":slots": this.shards.caps[shard] },
            // The job's entry as it was: present when a concurrent taker of the same job got here first.
            ReturnValues: "UPDATED_OLD",
          }),
        );
        const old: unknown = Attributes?.holders;
        const alreadyHeld = typeof old === "object" && old !== null && jobId in old;
        return alreadyHeld ? { acquired: true, alreadyHeld } : { acquired: true, alreadyHeld, shard };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error; // this shard is full
      }
    }
    return { acquired: false, alreadyHeld: false };
  }

  async release(jobId: string): Promise<void> {
    for (const shard of await this.shardsHolding(jobId)) await this.removeFrom(shard, jobId);
  }

  async giveBack(jobId: string, taken: SlotAnswer): Promise<void> {
    if (taken.shard !== undefined) await this.removeFrom(taken.shard, jobId);
  }

  private async removeFrom(shard: number, jobId: string): Promise<void> {
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keyOf(shard),
        UpdateExpression: "REMOVE holders.#job",
        ExpressionAttributeNames: { "#job": jobId },
      }),
    );
  }

  /** The shards with an entry for the job (one, but two takers racing may have left two): read consistently. */
  private async shardsHolding(jobId: string): Promise<number[]> {
    const shards = this.shards.caps.map((_, shard) => shard);
    const holding: number[] = [];
    for (let from = 0; from < shards.length; from += BATCH_GET_MAX_KEYS) {
      let keys = shards.slice(from, from + BATCH_GET_MAX_KEYS).map(keyOf);
      while (keys.length > 0) {
        const { Responses, UnprocessedKeys } = await this.documents.send(
          new BatchGetCommand({
            RequestItems: {
              [this.tableName]: {
                Keys: keys,
                ConsistentRead: true,
                ProjectionExpression: "#key, holders.#job",
                ExpressionAttributeNames: { "#key": CAPACITY_TABLE_KEY, "#job": jobId },
              },
            },
          }),
        );
        for (const item of Responses?.[this.tableName] ?? []) {
          const holders: unknown = item.holders;
          if (typeof holders === "object" && holders !== null && jobId in holders)
            holding.push(shardOfKey(String(item[CAPACITY_TABLE_KEY])));
        }
        keys = (UnprocessedKeys?.[this.tableName]?.Keys ?? []) as typeof keys;
      }
    }
    return holding;
  }

  async holders(): Promise<ReadonlyMap<string, string>> {
    const shards = await Promise.all(
      this.shards.caps.map(async (_, shard) => {
        const { Item } = await this.documents.send(
          new GetCommand({ TableName: this.tableName, Key: keyOf(shard), ConsistentRead: true }),
        );
        const holders: unknown = Item?.holders;
        if (holders === undefined) return [];
        if (typeof holders !== "object" || holders === null)
          throw new Error(`capacity table ${this.tableName}: ${keyOf(shard).name}.holders is not a map`);
        return Object.entries(holders).map(([jobId, since]): [string, string] => [jobId, String(since)]);
      }),
    );
    return new Map(shards.flat());
  }

  async restore(jobId: string, now: string): Promise<boolean> {
    if ((await this.shardsHolding(jobId)).length > 0) return false;
    const [shard = 0] = this.shards.probeOrder(jobId);
    await this.ensureShard(shard);
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keyOf(shard),
        UpdateExpression: "SET holders.#job = if_not_exists(holders.#job, :now)",
        ExpressionAttributeNames: { "#job": jobId },
        ExpressionAttributeValues: { ":now": now },
      }),
    );
    return true;
  }

  /** Creates the shard's item, empty, unless it exists (whoever comes first). */
  private async ensureShard(shard: number): Promise<void> {
    if (this.created.has(shard)) return;
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keyOf(shard), holders: {} },
          ConditionExpression: "attribute_not_exists(#key)",
          ExpressionAttributeNames: { "#key": CAPACITY_TABLE_KEY },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    this.created.add(shard);
  }
}

const BATCH_GET_MAX_KEYS = 100;

function keyOf(shard: number): { readonly name: string } {
  return { [CAPACITY_TABLE_KEY]: `${RUNNING_TASKS_ITEM}#${shard}` } as { name: string };
}

function shardOfKey(key: string): number {
  return Number(key.slice(key.lastIndexOf("#") + 1));
}
