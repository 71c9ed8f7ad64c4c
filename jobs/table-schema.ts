// The jobs table's layout, shared by the DynamoDB adapter and the Pulumi component that creates the table,
// so the two cannot drift. One item per job: key `jobId`, the event list and the folded state's fields.

export const JOBS_TABLE_KEY = "jobId";

/** Jobs in a status, most recently changed first: `jobs list --status FAILED`. */
export const STATUS_INDEX = { name: "by-status", hashKey: "status", rangeKey: "updatedAt" } as const;

/** Jobs submitted in a time window, newest first; one partition per UTC day (`YYYY-MM-DD`). */
export const SUBMITTED_INDEX = {
  name: "by-submitted-day",
  hashKey: "submittedDay",
  rangeKey: "submittedAt",
} as const;

/** Epoch seconds after which DynamoDB may delete a finished job (absent: kept forever). */
export const TTL_ATTRIBUTE = "expiresAt";

/** All attributes used as keys, with their DynamoDB types (all strings). */
export const KEY_ATTRIBUTES = [
  JOBS_TABLE_KEY,
  STATUS_INDEX.hashKey,
  STATUS_INDEX.rangeKey,
  SUBMITTED_INDEX.hashKey,
  SUBMITTED_INDEX.rangeKey,
] as const;

export function submittedDay(submittedAt: string): string {
  return submittedAt.slice(0, 10);
}
