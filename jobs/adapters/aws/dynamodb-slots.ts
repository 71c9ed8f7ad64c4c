// The SlotPool on DynamoDB: one item of the capacity table per shard of slots (../../capacity/slots.ts), whose
// `holders` map has a key per job holding a slot of it (value: when it took it), and `taken` the number of
// its holders, changed in the same update as the map. The map's size is the authority: a take is the
// conditional UpdateItem "fewer holders than the shard's slots, and this job holds none here", so
// concurrent dispatchers never exceed the cap, and taking or giving back twice changes nothing. `taken` is
// what a taker reads to choose: one consistent BatchGetItem of every shard says whether the job holds a
// slot already and which shards have one free, so a taker tries a shard it read as free (about one update
// per take) and a pool read as full costs that one read, not an update per shard. A take that loses a race
// reads again. An item whose `taken` disagrees with its map (written before `taken` existed) is put right
// when the sweeper reads every holder. A shard's item stays small (at most SLOTS_PER_SHARD holders), so a
// change costs a couple of write units however large the cap.

import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { type SlotAnswer, type SlotPool, type SlotShards, slotShards } from "../../capacity/slots";
import { CAPACITY_TABLE_KEY, RUNNING_TASKS_ITEM } from "../../store/table-schema";

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
    // Each lost race is another taker's win: the tries are bounded by the slots there are to win.
    for (let race = 0; race <= this.shards.caps.length; race++) {
      const read = await this.readShards(jobId);
      if (read.holding.length > 0) return { acquired: true, alreadyHeld: true };
      const shard = this.shards
        .probeOrder(jobId)
        .find((s) => (read.taken.get(s) ?? 0) < (this.shards.caps[s] ?? 0));
      if (shard === undefined) return { acquired: false, alreadyHeld: false };
      try {
        await this.addHolder(shard, jobId, now, this.shards.caps[shard] ?? 0);
        return { acquired: true, alreadyHeld: false, shard };
      } catch (error) {
        // Full since the read, or a concurrent taker of the same job got here first: read again.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    return { acquired: false, alreadyHeld: false };
  }

  async release(jobId: string): Promise<void> {
    for (const shard of (await this.readShards(jobId)).holding) await this.removeFrom(shard, jobId);
  }

  async giveBack(jobId: string, taken: SlotAnswer): Promise<void> {
    if (taken.shard !== undefined) await this.removeFrom(taken.shard, jobId);
  }

  private async removeFrom(shard: number, jobId: string): Promise<void> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keyOf(shard),
          UpdateExpression: "REMOVE holders.#job ADD taken :minusOne",
          ConditionExpression: "attribute_exists(holders.#job)",
          ExpressionAttributeNames: { "#job": jobId },
          ExpressionAttributeValues: { ":minusOne": -1 },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error; // given back already
    }
  }

  /**
   * Read consistently, in one BatchGetItem per 100 shards: the shards with an entry for the job (one, but two
   * takers racing may have left two), and each shard's count of holders (absent: not created yet).
   */
  private async readShards(jobId: string): Promise<{ holding: number[]; taken: Map<number, number> }> {
    const shards = this.shards.caps.map((_, shard) => shard);
    const holding: number[] = [];
    const taken = new Map<number, number>();
    for (let from = 0; from < shards.length; from += BATCH_GET_MAX_KEYS) {
      let keys = shards.slice(from, from + BATCH_GET_MAX_KEYS).map(keyOf);
      while (keys.length > 0) {
        const { Responses, UnprocessedKeys } = await this.documents.send(
          new BatchGetCommand({
            RequestItems: {
              [this.tableName]: {
                Keys: keys,
                ConsistentRead: true,
                ProjectionExpression: "#key, holders.#job, taken",
                ExpressionAttributeNames: { "#key": CAPACITY_TABLE_KEY, "#job": jobId },
              },
            },
          }),
        );
        for (const item of Responses?.[this.tableName] ?? []) {
          const shard = shardOfKey(String(item[CAPACITY_TABLE_KEY]));
          const holders: unknown = item.holders;
          if (typeof holders === "object" && holders !== null && jobId in holders) holding.push(shard);
          // An item without the count (written before it existed) is tried: its map decides.
          taken.set(shard, typeof item.taken === "number" ? item.taken : 0);
        }
        keys = (UnprocessedKeys?.[this.tableName]?.Keys ?? []) as typeof keys;
      }
    }
    return { holding, taken };
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
        const entries = Object.entries(holders).map(([jobId, since]): [string, string] => [
          jobId,
          String(since),
        ]);
        if (Item?.taken !== entries.length) await this.recount(shard, entries.length);
        return entries;
      }),
    );
    return new Map(shards.flat());
  }

  async restore(jobId: string, now: string): Promise<boolean> {
    if ((await this.readShards(jobId)).holding.length > 0) return false;
    const [shard = 0] = this.shards.probeOrder(jobId);
    try {
      await this.addHolder(shard, jobId, now);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    return true;
  }

  /** Sets a shard's count to the size of its map, unless the map changed since it was read. */
  /**
   * `jobId` becomes a holder of `shard`, its count one more, in one update: refused (ConditionalCheckFailed)
   * if it holds there already or, with `cap`, if the shard is full.
   */
  private async addHolder(shard: number, jobId: string, now: string, cap?: number): Promise<void> {
    await this.ensureShard(shard);
    const notHeld = "attribute_not_exists(holders.#job)";
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keyOf(shard),
        UpdateExpression: "SET holders.#job = :now ADD taken :one",
        ConditionExpression: cap === undefined ? notHeld : `size(holders) < :slots AND ${notHeld}`,
        ExpressionAttributeNames: { "#job": jobId },
        ExpressionAttributeValues: {
          ":now": now,
          ":one": 1,
          ...(cap === undefined ? {} : { ":slots": cap }),
        },
      }),
    );
  }

  private async recount(shard: number, size: number): Promise<void> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keyOf(shard),
          UpdateExpression: "SET taken = :size",
          ConditionExpression: "size(holders) = :size",
          ExpressionAttributeValues: { ":size": size },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error; // changed meanwhile: next sweep
    }
  }

  /** Creates the shard's item, empty, unless it exists (whoever comes first). */
  private async ensureShard(shard: number): Promise<void> {
    if (this.created.has(shard)) return;
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keyOf(shard), holders: {}, taken: 0 },
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
