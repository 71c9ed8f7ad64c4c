// The jobs table's layout, shared by the DynamoDB adapter and the Pulumi component that creates the table,
// so the two cannot drift. One item per job: key `jobId`, the event list and the folded state's fields.

import type { JobState } from "../model/state";

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

/** The folded state's fields, stored as top-level attributes beside the event list (everything but the key). */
export const STATE_ATTRIBUTES = [
  "status",
  "input",
  "source",
  "attempt",
  "attemptsUsed",
  "infraRetries",
  "retryAttempt",
  "attemptSize",
  "attemptCapacity",
  "nextSize",
  "outOfMemoryAt",
  "onDemandOnly",
  "taskArn",
  "lastEcsVersion",
  "exitCode",
  "stopCode",
  "reason",
  "launchRequestedAt",
  "runningAt",
  "stopRequested",
  "retryDueAt",
  "retryResentAt",
  "retryResends",
  "throttledLaunches",
  "waitingSince",
  "submittedAt",
  "updatedAt",
  "finishedAt",
] as const satisfies ReadonlyArray<Exclude<keyof JobState, "jobId">>;

/**
 * Attributes an index carries besides its own keys: the state, not the event list. Listings need only the
 * state, and an index write costs by the size of what it projects — with the growing event list projected
 * (ALL), every change would cost several write units per index (measured by `npm run bench lifecycle`).
 */
export function indexProjectedAttributes(index: {
  readonly hashKey: string;
  readonly rangeKey: string;
}): string[] {
  return STATE_ATTRIBUTES.filter(
    (name) => name !== index.hashKey && name !== index.rangeKey && !READ_WITH_THE_JOB_ONLY.has(name),
  );
}

/**
 * Where the job's launches run: read only with the job itself (to launch it), never in listings. Kept out of
 * the indexes, so that adding them changed no index (DynamoDB rebuilds an index whose projection changes).
 */
export const READ_WITH_THE_JOB_ONLY: ReadonlySet<string> = new Set([
  "attemptSize",
  "attemptCapacity",
  "nextSize",
  "outOfMemoryAt",
  "onDemandOnly",
]);

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

/**
 * The capacity table: a few shared counters, apart from the jobs table so that they never reach its stream
 * (the outcome publisher reads jobs only) and so that their hot items do not share its partitions.
 * Key `name`; items RUNNING_TASKS_ITEM (slots.ts) and LAUNCH_RATE_ITEM (launch-rate.ts).
 */
export const CAPACITY_TABLE_KEY = "name";
export const RUNNING_TASKS_ITEM = "running-tasks";
export const LAUNCH_RATE_ITEM = "run-task-rate";
