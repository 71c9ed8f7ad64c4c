// What a DynamoDB client's requests cost, counted as DynamoDB bills them, for the benchmarks that run on a
// local DynamoDB (dynalite). A middleware on the client counts every request by the item it touches (the
// jobs table; the capacity table's slot shards and launch-rate item) and the capacity it consumes:
// - table reads and successful writes: the units dynalite reports (ReturnConsumedCapacity TOTAL), which
//   follow DynamoDB's rules (a write: the larger of the item before and after, per 1 KB, rounded up; a read:
//   per 4 KB, rounded up per item, half for an eventually consistent one);
// - a conditional write that fails: DynamoDB still consumes write units by the existing item's size (at
//   least 1), which dynalite does not report: counted here from the item as it was
//   (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html);
// - the jobs table's two indexes: a write costs, per index the item is in before or after, the projected
//   entry's size per 1 KB — twice when its key changes (a delete and a put) — computed here from the item
//   read before and after the write (not counted), as dynalite reports no index units.

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import {
  CAPACITY_TABLE_KEY,
  indexProjectedAttributes,
  JOBS_TABLE_KEY,
  LAUNCH_RATE_ITEM,
  STATUS_INDEX,
  SUBMITTED_INDEX,
} from "../jobs/store";
import { TEST_CREDENTIALS } from "../tests/support/dynamodb";

/** What the requests touched: the jobs table and its indexes, or one kind of the capacity table's items. */
export type MeteredPart = "jobs table" | "jobs indexes" | "slots" | "launch rate";

export interface PartUsage {
  requests: number;
  /** Requests by operation (GetItem, UpdateItem failed, ...). */
  readonly byOperation: Map<string, number>;
  readUnits: number;
  writeUnits: number;
}

export interface DynamoDbMeter {
  readonly parts: ReadonlyMap<MeteredPart, PartUsage>;
  /** All requests and units so far, and starts again from zero. */
  reset(): void;
}

type Item = Record<string, unknown>;
type Key = Record<string, unknown>;

/** Adds the meter to `client` (a local DynamoDB at `endpoint`); `jobsTable` has the indexes. */
export function meterDynamoDb(client: DynamoDBClient, endpoint: string, jobsTable: string): DynamoDbMeter {
  const parts = new Map<MeteredPart, PartUsage>();
  const usage = (part: MeteredPart): PartUsage => {
    let found = parts.get(part);
    if (found === undefined) {
      found = { requests: 0, byOperation: new Map(), readUnits: 0, writeUnits: 0 };
      parts.set(part, found);
    }
    return found;
  };
  const count = (part: MeteredPart, operation: string) => {
    const u = usage(part);
    u.requests++;
    u.byOperation.set(operation, (u.byOperation.get(operation) ?? 0) + 1);
    return u;
  };
  // Reads of items before and after a write, outside the meter.
  const peek = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint, region: "us-east-1", credentials: TEST_CREDENTIALS }),
  );
  const read = async (tableName: string, key: Key): Promise<Item | undefined> => {
    const plain = Object.fromEntries(Object.entries(key).map(([n, v]) => [n, keyString(v)]));
    const { Item } = await peek.send(
      new GetCommand({ TableName: tableName, Key: plain, ConsistentRead: true }),
    );
    return Item;
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as {
        TableName?: string;
        Key?: Key;
        RequestItems?: Record<string, { Keys?: Key[] }>;
        ReturnConsumedCapacity?: string;
      };
      const operation = context.commandName?.replace(/Command$/, "") ?? "unknown";
      input.ReturnConsumedCapacity = "TOTAL";
      const tableName = input.TableName ?? Object.keys(input.RequestItems ?? {})[0] ?? "";
      const key = input.Key ?? input.RequestItems?.[tableName]?.Keys?.[0];
      const part = partOf(tableName, jobsTable, key);
      const writes = operation === "UpdateItem" || operation === "PutItem" || operation === "DeleteItem";
      const before = writes && key !== undefined ? await read(tableName, key) : undefined;
      let result: Awaited<ReturnType<typeof next>>;
      try {
        result = await next(args);
      } catch (error) {
        const name = error instanceof Error ? error.name : "error";
        const u = count(part, `${operation} ${name === "ConditionalCheckFailedException" ? "failed" : name}`);
        if (writes) u.writeUnits += Math.max(1, Math.ceil(itemSize(before ?? {}) / 1024));
        throw error;
      }
      const output = result.output as {
        ConsumedCapacity?: { CapacityUnits?: number } | Array<{ CapacityUnits?: number }>;
      };
      const consumed = [output.ConsumedCapacity ?? []]
        .flat()
        .reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
      const u = count(part, operation);
      if (writes) u.writeUnits += consumed;
      else u.readUnits += consumed;
      if (writes && tableName === jobsTable && key !== undefined) {
        const after = await read(tableName, key);
        const indexes = usage("jobs indexes");
        indexes.writeUnits += indexWriteUnits(before, after);
      }
      return result;
    },
    { step: "initialize", name: "meterDynamoDb" },
  );
  return {
    parts,
    reset: () => parts.clear(),
  };
}

function partOf(tableName: string, jobsTable: string, key: Key | undefined): MeteredPart {
  if (tableName === jobsTable) return "jobs table";
  return keyString(key?.[CAPACITY_TABLE_KEY]) === LAUNCH_RATE_ITEM ? "launch rate" : "slots";
}

/** The tables' keys are strings: `{ S: "..." }` once marshalled, the string itself before. */
function keyString(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null && "S" in value && typeof value.S === "string")
    return value.S;
  return "";
}

/** Write units one change costs in the jobs table's two indexes (INCLUDE: the state, not the events). */
export function indexWriteUnits(before: Item | undefined, after: Item | undefined): number {
  let units = 0;
  for (const index of [STATUS_INDEX, SUBMITTED_INDEX]) {
    const entry = (item: Item | undefined) => {
      if (!item || item[index.hashKey] === undefined || item[index.rangeKey] === undefined) return undefined;
      const names = [JOBS_TABLE_KEY, index.hashKey, index.rangeKey, ...indexProjectedAttributes(index)];
      return Object.fromEntries(names.filter((n) => item[n] !== undefined).map((n) => [n, item[n]]));
    };
    const old = entry(before);
    const next = entry(after);
    const keyChanged =
      old &&
      next &&
      (old[index.hashKey] !== next[index.hashKey] || old[index.rangeKey] !== next[index.rangeKey]);
    if (old && (!next || keyChanged)) units += Math.ceil(itemSize(old) / 1024);
    if (next && JSON.stringify(next) !== JSON.stringify(old)) units += Math.ceil(itemSize(next) / 1024);
  }
  return units;
}

/** DynamoDB's item size: names plus values; numbers about 1 byte per 2 digits + 1; lists and maps 3 + 1 each. */
export function itemSize(item: Item): number {
  return Object.entries(item).reduce(
    (sum, [key, value]) => sum + Buffer.byteLength(key) + valueSize(value),
    0,
  );
}

function valueSize(value: unknown): number {
  if (typeof value === "string") return Buffer.byteLength(value);
  if (typeof value === "number")
    return Math.ceil(String(Math.abs(value)).replace(/[.-]/g, "").length / 2) + 1;
  if (typeof value === "boolean" || value === null) return 1;
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, v) => sum + 1 + valueSize(v), 0);
  if (typeof value === "object") return 3 + Object.keys(value).length + itemSize(value as Item);
  return 0;
}
