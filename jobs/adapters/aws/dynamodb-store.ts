// The JobStore on DynamoDB (table layout in ../../store/table-schema.ts). Every change is one UpdateItem that appends
// the new events (list_append) and sets the folded state, conditioned on the version read: atomic without
// transactions. Listings query the two indexes newest first; nothing here ever scans the table.

import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { ConcurrencyConflictError } from "../../model/errors";
import type { JobEvent } from "../../model/events";
import { isTerminal, type JobState, type JobStatus } from "../../model/state";
import type { JobPage, JobStore, PageRequest, StoredJob, TimeWindow } from "../../store/store";
import { parseStoredEvents, parseStoredState, parseStoredVersion } from "../../store/stored-job-schema";
import {
  JOBS_TABLE_KEY,
  STATE_ATTRIBUTES,
  STATUS_INDEX,
  SUBMITTED_INDEX,
  submittedDay,
  TTL_ATTRIBUTE,
} from "../../store/table-schema";

export interface DynamoDbJobStoreOptions {
  readonly tableName: string;
  /** Days a finished job is kept before DynamoDB's TTL may delete it; 0 keeps it forever. */
  readonly retentionDays: number;
}

/** Longest window `listBySubmission` accepts: one query per day in it. */
export const MAX_WINDOW_DAYS = 400;

export class DynamoDbJobStore implements JobStore {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly options: DynamoDbJobStoreOptions,
  ) {
    this.documents = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
  }

  async get(jobId: string): Promise<StoredJob | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.options.tableName,
        Key: { [JOBS_TABLE_KEY]: jobId },
        ConsistentRead: true,
      }),
    );
    if (Item === undefined) return undefined;
    return {
      state: toState(Item),
      events: parseStoredEvents(jobId, Item.events),
      version: parseStoredVersion(jobId, Item.version),
    };
  }

  async append(
    jobId: string,
    expectedVersion: number,
    events: readonly JobEvent[],
    state: JobState,
  ): Promise<void> {
    const names: Record<string, string> = { "#events": "events", "#version": "version" };
    const values: Record<string, unknown> = { ":events": events, ":empty": [], ":next": expectedVersion + 1 };
    const sets = ["#events = list_append(if_not_exists(#events, :empty), :events)", "#version = :next"];
    const removes: string[] = [];
    const attributes: Record<string, unknown> = {
      ...pickStateFields(state),
      ...derivedAttributes(state, this.options),
    };
    for (const [index, field] of [...STATE_ATTRIBUTES, SUBMITTED_INDEX.hashKey, TTL_ATTRIBUTE].entries()) {
      names[`#f${index}`] = field;
      const value = attributes[field];
      if (value === undefined) {
        removes.push(`#f${index}`);
      } else {
        values[`:f${index}`] = value;
        sets.push(`#f${index} = :f${index}`);
      }
    }
    if (expectedVersion > 0) values[":expected"] = expectedVersion;
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: { [JOBS_TABLE_KEY]: jobId },
          UpdateExpression: `SET ${sets.join(", ")}${removes.length > 0 ? ` REMOVE ${removes.join(", ")}` : ""}`,
          ConditionExpression:
            expectedVersion === 0 ? "attribute_not_exists(#version)" : "#version = :expected",
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        throw new ConcurrencyConflictError(jobId, expectedVersion);
      throw error;
    }
  }

  async listByStatus(status: JobStatus, page: PageRequest, window?: TimeWindow): Promise<JobPage> {
    const { items, lastKey } = await this.query({
      index: STATUS_INDEX,
      partition: status,
      window,
      limit: page.limit,
      startKey: page.cursor === undefined ? undefined : decodeCursor(page.cursor, STATUS_INDEX.name).key,
      oldestFirst: page.oldestFirst === true,
    });
    return lastKey === undefined
      ? { jobs: items }
      : { jobs: items, cursor: encodeCursor({ index: STATUS_INDEX.name, key: lastKey }) };
  }

  async listBySubmission(window: TimeWindow, page: PageRequest): Promise<JobPage> {
    const days = daysDescending(window);
    const cursor = page.cursor === undefined ? undefined : decodeCursor(page.cursor, SUBMITTED_INDEX.name);
    let dayIndex = cursor?.day === undefined ? 0 : days.indexOf(cursor.day);
    if (dayIndex < 0) throw new Error("the cursor does not belong to this time window");
    let startKey = cursor?.key;
    const jobs: JobState[] = [];
    while (dayIndex < days.length && jobs.length < page.limit) {
      const day = days[dayIndex] as string;
      const { items, lastKey } = await this.query({
        index: SUBMITTED_INDEX,
        partition: day,
        window,
        limit: page.limit - jobs.length,
        startKey,
      });
      jobs.push(...items);
      if (lastKey !== undefined) {
        startKey = lastKey;
      } else {
        startKey = undefined;
        dayIndex++;
      }
    }
    if (dayIndex >= days.length) return { jobs };
    return {
      jobs,
      cursor: encodeCursor({
        index: SUBMITTED_INDEX.name,
        day: days[dayIndex],
        ...(startKey === undefined ? {} : { key: startKey }),
      }),
    };
  }

  private async query(request: {
    index: { readonly name: string; readonly hashKey: string; readonly rangeKey: string };
    partition: string;
    window: TimeWindow | undefined;
    limit: number;
    startKey: Record<string, unknown> | undefined;
    oldestFirst?: boolean;
  }): Promise<{ items: JobState[]; lastKey?: Record<string, unknown> }> {
    const { index, window } = request;
    const result = await this.documents.send(
      new QueryCommand({
        TableName: this.options.tableName,
        IndexName: index.name,
        KeyConditionExpression:
          window === undefined ? "#pk = :pk" : "#pk = :pk AND #sk BETWEEN :from AND :to",
        ExpressionAttributeNames: {
          "#pk": index.hashKey,
          ...(window === undefined ? {} : { "#sk": index.rangeKey }),
        },
        ExpressionAttributeValues: {
          ":pk": request.partition,
          ...(window === undefined ? {} : { ":from": window.from, ":to": window.to }),
        },
        ScanIndexForward: request.oldestFirst === true,
        Limit: request.limit,
        ExclusiveStartKey: request.startKey,
      }),
    );
    const items = (result.Items ?? []).map(toState);
    return result.LastEvaluatedKey === undefined ? { items } : { items, lastKey: result.LastEvaluatedKey };
  }
}

function pickStateFields(state: JobState): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const field of STATE_ATTRIBUTES) picked[field] = state[field];
  return picked;
}

function derivedAttributes(state: JobState, options: DynamoDbJobStoreOptions): Record<string, unknown> {
  const finished = state.finishedAt !== undefined && isTerminal(state.status);
  const expiresAt =
    finished && options.retentionDays > 0
      ? Math.floor(Date.parse(state.finishedAt as string) / 1000) + options.retentionDays * 86_400
      : undefined;
  return {
    [SUBMITTED_INDEX.hashKey]: state.submittedAt === undefined ? undefined : submittedDay(state.submittedAt),
    [TTL_ATTRIBUTE]: expiresAt,
  };
}

/** The item's state columns, parsed: an item this version cannot read is refused, not trusted. */
function toState(item: Record<string, unknown>): JobState {
  const jobId = String(item[JOBS_TABLE_KEY]);
  const columns: Record<string, unknown> = {};
  for (const field of STATE_ATTRIBUTES) if (item[field] !== undefined) columns[field] = item[field];
  return parseStoredState(jobId, columns);
}

/** UTC days of a window, latest first. */
function daysDescending(window: TimeWindow): string[] {
  const from = Date.parse(`${submittedDay(window.from)}T00:00:00Z`);
  const to = Date.parse(`${submittedDay(window.to)}T00:00:00Z`);
  if (Number.isNaN(from) || Number.isNaN(to))
    throw new Error(`invalid time window ${window.from} .. ${window.to}`);
  if (from > to) throw new Error(`time window starts (${window.from}) after it ends (${window.to})`);
  const count = (to - from) / 86_400_000 + 1;
  if (count > MAX_WINDOW_DAYS)
    throw new Error(`time window of ${count} days is longer than ${MAX_WINDOW_DAYS} days`);
  return Array.from({ length: count }, (_, i) => new Date(to - i * 86_400_000).toISOString().slice(0, 10));
}

interface Cursor {
  /** The listing it continues: a cursor of one listing is refused by the other. */
  readonly index: string;
  readonly day?: string | undefined;
  readonly key?: Record<string, unknown>;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

function decodeCursor(text: string, index: string): Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    // reported below
  }
  if (typeof parsed === "object" && parsed !== null && (parsed as Cursor).index === index)
    return parsed as Cursor;
  throw new Error(
    "invalid page cursor (pass back the cursor the previous page of the same listing returned)",
  );
}
