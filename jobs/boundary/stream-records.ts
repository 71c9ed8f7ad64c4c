// Reading the jobs table's DynamoDB stream (NEW_AND_OLD_IMAGES): which of a job's events one write appended
// — those of the new image past the old image's count — for the outcome publisher. A record that cannot be
// read is "poison": no retry would make it readable, so it is set aside rather than blocking its shard.

import type { AttributeValue, DynamoDBRecord } from "aws-lambda";
import type { JobEvent } from "../model/events";
import { parseStoredEvents, parseStoredVersion } from "../store/stored-job-schema";
import { JOBS_TABLE_KEY } from "../store/table-schema";

export type StreamReading =
  | {
      readonly kind: "appended";
      readonly jobId: string;
      /** The whole history after the write. */
      readonly events: readonly JobEvent[];
      /** Index of the first event the write appended. */
      readonly from: number;
    }
  | { readonly kind: "skip"; readonly reason: string }
  | { readonly kind: "poison"; readonly reason: string };

export function readStreamRecord(record: DynamoDBRecord): StreamReading {
  if (record.eventName === "REMOVE") return { kind: "skip", reason: "item removed (TTL): no transition" };
  const images = record.dynamodb;
  if (images?.NewImage === undefined)
    return { kind: "poison", reason: "no new image (the stream must be NEW_AND_OLD_IMAGES)" };
  const after = parseImage(images.NewImage);
  if (typeof after === "string") return { kind: "poison", reason: `new image: ${after}` };
  const before = images.OldImage === undefined ? undefined : parseImage(images.OldImage);
  if (typeof before === "string") return { kind: "poison", reason: `old image: ${before}` };
  const from = before?.events.length ?? 0;
  if (after.events.length < from)
    return { kind: "poison", reason: `history shrank from ${from} to ${after.events.length} events` };
  if (after.events.length === from) return { kind: "skip", reason: "no event appended" };
  // The parse checked each event's type and time; the rest of each event is the job model's own record.
  return {
    kind: "appended",
    jobId: after[JOBS_TABLE_KEY],
    events: after.events as unknown as JobEvent[],
    from,
  };
}

/** An image read as the store reads an item (stored-job-schema.ts), or why it cannot be. */
function parseImage(image: Record<string, AttributeValue>): { jobId: string; events: JobEvent[] } | string {
  try {
    const plain = fromAttributeValue({ M: image }) as Record<string, unknown>;
    const jobId = plain[JOBS_TABLE_KEY];
    if (typeof jobId !== "string" || jobId === "") return `no ${JOBS_TABLE_KEY}`;
    parseStoredVersion(jobId, plain.version);
    return { jobId, events: parseStoredEvents(jobId, plain.events) };
  } catch (error) {
    return (error as Error).message;
  }
}

/** DynamoDB's typed JSON to plain values (the stream gives images in it). */
export function fromAttributeValue(value: AttributeValue): unknown {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.L !== undefined) return value.L.map(fromAttributeValue);
  if (value.M !== undefined)
    return Object.fromEntries(Object.entries(value.M).map(([key, v]) => [key, fromAttributeValue(v)]));
  if (value.SS !== undefined) return [...value.SS];
  if (value.NS !== undefined) return value.NS.map(Number);
  throw new Error(`unsupported attribute value ${JSON.stringify(Object.keys(value))}`);
}
