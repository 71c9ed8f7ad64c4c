// What a stored job must look like to be read back: its events and its state, as zod schemas. A store
// parses what it reads with these instead of trusting it, because an item may have been written by an
// older or newer version of this code. Compatible items are read: events are loose objects, so a field a
// newer version added passes through untouched. Anything else is refused with a StoredJobError that
// names the job and the field. The schemas are checked against events.ts and state.ts at compile time: a
// new event type or a new required field does not compile until it is described here.

import { z } from "zod";
import { JobError } from "../model/errors";
import type { FailureKind, JobEvent, JobEventType } from "../model/events";
import { JOB_STATUSES, type JobState } from "../model/state";
import { CAPACITY_PROVIDERS } from "../model/task-size";

/** An item of the store that this version cannot read. */
export class StoredJobError extends JobError {
  constructor(
    readonly jobId: string,
    /** Where in the item, e.g. `events[3].attempt` or `status`. */
    readonly field: string,
    problem: string,
  ) {
    super(`stored job "${jobId}" cannot be read: ${field}: ${problem}`);
  }
}

const text = z.string();
const count = z.number().int().nonnegative();

const jobInput = z.looseObject({
  videoUrl: text,
  videoId: text.optional(),
  params: z.record(z.string(), z.unknown()).optional(),
  timeoutSeconds: z.number().int().positive().optional(),
});

const taskSize = z.looseObject({ cpu: z.number().int().positive(), memoryMib: z.number().int().positive() });

const deadline = z.enum(["launch", "run"]);

const jobSource = z.discriminatedUnion("kind", [
  z.looseObject({
    kind: z.literal("s3"),
    bucket: text,
    key: text,
    versionId: text.optional(),
    sequencer: text.optional(),
  }),
  z.looseObject({ kind: z.literal("message") }),
  z.looseObject({ kind: z.literal("cli") }),
]);

const taskTimings = z.looseObject({
  createdAt: text.optional(),
  pullStartedAt: text.optional(),
  pullStoppedAt: text.optional(),
  startedAt: text.optional(),
  stoppingAt: text.optional(),
  executionStoppedAt: text.optional(),
  stoppedAt: text.optional(),
});

const FAILURE_KINDS = [
  "exit-code",
  "out-of-memory",
  "non-retryable-exit-code",
  "infrastructure",
  "stopped",
] as const satisfies readonly FailureKind[];

/** One schema per event type; `satisfies` makes a missing type, or a schema of the wrong shape, an error. */
const EVENT_SCHEMAS = {
  JobSubmitted: z.looseObject({
    type: z.literal("JobSubmitted"),
    at: text,
    jobId: text,
    input: jobInput,
    source: jobSource,
    messageId: text.optional(),
  }),
  JobRejected: z.looseObject({
    type: z.literal("JobRejected"),
    at: text,
    jobId: text,
    reason: text,
    rawInput: text,
    truncated: z.boolean(),
    messageId: text.optional(),
  }),
  TaskLaunchRequested: z.looseObject({
    type: z.literal("TaskLaunchRequested"),
    at: text,
    attempt: count,
    clientToken: text,
    size: taskSize.optional(),
    capacity: z.enum(CAPACITY_PROVIDERS).optional(),
  }),
  TaskLaunched: z.looseObject({ type: z.literal("TaskLaunched"), at: text, attempt: count, taskArn: text }),
  TaskLaunchFailed: z.looseObject({
    type: z.literal("TaskLaunchFailed"),
    at: text,
    attempt: count,
    reason: text,
    retryable: z.boolean(),
    throttled: z.boolean().optional(),
  }),
  TaskRunning: z.looseObject({
    type: z.literal("TaskRunning"),
    at: text,
    attempt: count,
    taskArn: text,
    ecsVersion: z.number(),
    timings: taskTimings,
  }),
  TaskStopped: z.looseObject({
    type: z.literal("TaskStopped"),
    at: text,
    attempt: count,
    taskArn: text,
    ecsVersion: z.number(),
    stopCode: text.optional(),
    stoppedReason: text.optional(),
    exitCode: z.number().int().optional(),
    containerReason: text.optional(),
    failure: z.looseObject({ kind: z.enum(FAILURE_KINDS), description: text }).optional(),
    timings: taskTimings,
  }),
  TaskStopRequested: z.looseObject({
    type: z.literal("TaskStopRequested"),
    at: text,
    attempt: count,
    taskArn: text,
    deadline,
    reason: text,
  }),
  TaskLost: z.looseObject({
    type: z.literal("TaskLost"),
    at: text,
    attempt: count,
    taskArn: text.optional(),
    reason: text,
  }),
  LaunchResumed: z.looseObject({ type: z.literal("LaunchResumed"), at: text, attempt: count, reason: text }),
  RetryResent: z.looseObject({ type: z.literal("RetryResent"), at: text, attempt: count, reason: text }),
  JobWaiting: z.looseObject({
    type: z.literal("JobWaiting"),
    at: text,
    attempt: count,
    reason: text,
    throttled: z.boolean().optional(),
  }),
  JobSucceeded: z.looseObject({ type: z.literal("JobSucceeded"), at: text, attempt: count }),
  RetryScheduled: z.looseObject({
    type: z.literal("RetryScheduled"),
    at: text,
    nextAttempt: count,
    delaySeconds: z.number().nonnegative(),
    reason: text,
    countsAsAttempt: z.boolean(),
    manual: z.boolean(),
    throttled: z.boolean().optional(),
    size: taskSize.optional(),
    capacity: z.literal("FARGATE").optional(),
  }),
  JobFailed: z.looseObject({
    type: z.literal("JobFailed"),
    at: text,
    reason: text,
    outOfMemoryAt: taskSize.optional(),
  }),
  JobTimedOut: z.looseObject({ type: z.literal("JobTimedOut"), at: text, reason: text }),
  JobCancelled: z.looseObject({ type: z.literal("JobCancelled"), at: text, reason: text }),
} satisfies { [T in JobEventType]: z.ZodType<Extract<JobEvent, { type: T }>> };

const EVENT_TYPES = Object.keys(EVENT_SCHEMAS);

function isEventType(type: unknown): type is JobEventType {
  return typeof type === "string" && Object.hasOwn(EVENT_SCHEMAS, type);
}

/**
 * The stored state columns. Loose: a column a newer version added passes through; the store decides
 * which columns it hands over (table-schema.ts's STATE_ATTRIBUTES).
 */
const jobStateSchema = z.looseObject({
  jobId: text,
  status: z.enum(JOB_STATUSES, { error: `must be one of ${JOB_STATUSES.join(", ")}` }),
  input: jobInput.optional(),
  source: jobSource.optional(),
  attempt: count,
  attemptsUsed: count,
  infraRetries: count,
  retryAttempt: count.optional(),
  attemptSize: taskSize.optional(),
  attemptCapacity: z.enum(CAPACITY_PROVIDERS).optional(),
  nextSize: taskSize.optional(),
  outOfMemoryAt: taskSize.optional(),
  onDemandOnly: z.boolean().optional(),
  taskArn: text.optional(),
  lastEcsVersion: z.number().optional(),
  exitCode: z.number().int().optional(),
  stopCode: text.optional(),
  reason: text.optional(),
  launchRequestedAt: text.optional(),
  runningAt: text.optional(),
  stopRequested: deadline.optional(),
  retryDueAt: text.optional(),
  retryResentAt: text.optional(),
  retryResends: count.optional(),
  throttledLaunches: count.optional(),
  waitingSince: text.optional(),
  submittedAt: text.optional(),
  updatedAt: text.optional(),
  finishedAt: text.optional(),
}) satisfies z.ZodType<JobState>;

/** A stored job's events, in order; refuses the first that this version cannot read. */
export function parseStoredEvents(jobId: string, events: unknown): JobEvent[] {
  if (!Array.isArray(events))
    throw new StoredJobError(jobId, "events", `expected a list, got ${describe(events)}`);
  return events.map((event: unknown, index) => parseStoredEvent(jobId, index, event));
}

function parseStoredEvent(jobId: string, index: number, event: unknown): JobEvent {
  const type = typeof event === "object" && event !== null && "type" in event ? event.type : undefined;
  if (!isEventType(type)) {
    throw new StoredJobError(
      jobId,
      `events[${index}].type`,
      `unknown event type ${describe(type)} (written by a newer version?); this version reads ${EVENT_TYPES.join(", ")}`,
    );
  }
  const result = EVENT_SCHEMAS[type].safeParse(event);
  if (!result.success) throw refusal(jobId, `events[${index}]`, result.error);
  return result.data;
}

/** A stored job's state columns (with its id). */
export function parseStoredState(jobId: string, columns: Record<string, unknown>): JobState {
  const result = jobStateSchema.safeParse({ ...columns, jobId });
  if (!result.success) throw refusal(jobId, "", result.error);
  return result.data;
}

/** A stored job's version: the count of its changes, a whole number from 1. */
export function parseStoredVersion(jobId: string, version: unknown): number {
  const result = z.number().int().positive().safeParse(version);
  if (!result.success) throw refusal(jobId, "version", result.error);
  return result.data;
}

function refusal(jobId: string, where: string, error: z.ZodError): StoredJobError {
  const issue = error.issues[0];
  const path = (issue?.path ?? []).map((key) => (typeof key === "number" ? `[${key}]` : `.${String(key)}`));
  const field = `${where}${path.join("")}`.replace(/^\./, "") || "item";
  return new StoredJobError(jobId, field, issue?.message ?? error.message);
}

function describe(value: unknown): string {
  return value === undefined ? "nothing" : JSON.stringify(value);
}
