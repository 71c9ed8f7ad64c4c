// The "Job State Change" events published for downstream systems: one per event in a job's history, with
// the job's state after it. Its `sequence` is the event's position in the history (1-based), so it only
// grows per job, is the same however often it is published (stream, retry, `replay`) and lets consumers
// drop duplicates and restore order. Pure: built from a history by the job model's own fold.

import { z } from "zod";
import { jobCost, roundUsd } from "../model/cost";
import type { JobEvent, TaskStopped } from "../model/events";
import { evolve, initialState, JOB_STATUSES, type JobState } from "../model/state";
import { CAPACITY_PROVIDERS } from "../model/task-size";
import { outputUrl, type WorkerTarget } from "./worker-environment";

export const OUTCOME_EVENT_SOURCE = "video-jobs";
export const OUTCOME_DETAIL_TYPE = "Job State Change";

/** Every event type of the history (events.ts), as a value for schemas. */
export const JOB_EVENT_TYPES = [
  "JobSubmitted",
  "JobRejected",
  "TaskLaunchRequested",
  "TaskLaunched",
  "TaskLaunchFailed",
  "TaskRunning",
  "TaskStopped",
  "TaskStopRequested",
  "TaskLost",
  "LaunchResumed",
  "RetryResent",
  "JobWaiting",
  "JobSucceeded",
  "RetryScheduled",
  "JobFailed",
  "JobTimedOut",
  "JobCancelled",
] as const satisfies readonly JobEvent["type"][];

const timings = z.object({
  createdAt: z.string().optional(),
  pullStartedAt: z.string().optional(),
  pullStoppedAt: z.string().optional(),
  startedAt: z.string().optional(),
  stoppingAt: z.string().optional(),
  executionStoppedAt: z.string().optional(),
  stoppedAt: z.string().optional(),
});

/** The event's `detail`. Optional fields are absent rather than null. */
export const jobStateChangeSchema = z.object({
  jobId: z.string().describe("The job (1-36 of [A-Za-z0-9_-])."),
  sequence: z
    .number()
    .int()
    .positive()
    .describe("Position of this change in the job's history, from 1: drop duplicates and order by it."),
  event: z.enum(JOB_EVENT_TYPES).describe("What happened (the history's event type)."),
  at: z.string().describe("When it was recorded (ISO-8601 UTC)."),
  status: z.enum(JOB_STATUSES).describe("The job's status after it."),
  attempt: z.number().int().nonnegative().describe("Launch number of the latest attempt (0 before any)."),
  input: z
    .object({
      videoUrl: z.string(),
      videoId: z.string().optional(),
      params: z.record(z.string(), z.unknown()).optional(),
    })
    .optional()
    .describe("What the job processes (absent for a rejected message)."),
  output: z
    .object({ url: z.string().describe("s3://bucket/prefix/<jobId>/ holding result.json and the images.") })
    .optional()
    .describe("Where the results are: on SUCCEEDED only."),
  failure: z
    .object({
      reason: z.string(),
      kind: z
        .string()
        .optional()
        .describe("The retry policy's reading of the last stop, e.g. out-of-memory."),
      exitCode: z.number().int().optional(),
      containerReason: z.string().optional(),
      workerReason: z.string().optional().describe("The worker's own account of why, when it gave one."),
    })
    .optional()
    .describe("Why: on FAILED, TIMED_OUT, CANCELLED, REJECTED, and on a retry or a failed stop."),
  timings: z.object({
    submittedAt: z.string().optional(),
    finishedAt: z.string().optional(),
    task: timings.optional().describe("ECS's timings of the task, on TaskRunning and TaskStopped."),
  }),
  placement: z
    .object({
      cpu: z.number().int().positive().describe("CPU units of the attempt's task (1024 = 1 vCPU)."),
      memoryMib: z.number().int().positive().describe("Memory of the attempt's task, MiB."),
      capacityProvider: z.enum(CAPACITY_PROVIDERS).describe("FARGATE (On-Demand) or FARGATE_SPOT."),
    })
    .optional()
    .describe(
      "Where the latest attempt runs, from its launch on: bigger after an attempt ran out of memory, FARGATE after Spot let the job down.",
    ),
  cost: z
    .object({
      attemptUsd: z.number().optional().describe("This attempt's Fargate cost, on TaskStopped."),
      totalUsd: z.number().describe("Fargate cost of the job so far, every attempt."),
    })
    .optional()
    .describe("Absent until a stopped attempt has been priced."),
});

export type JobStateChange = z.infer<typeof jobStateChangeSchema>;

/** The JSON Schema published as docs/events/job-state-change.schema.json. */
export function jobStateChangeJsonSchema(): unknown {
  // "input": objects stay open, so consumers validating with it accept fields added later.
  return {
    title: `${OUTCOME_DETAIL_TYPE}: the detail of events of source "${OUTCOME_EVENT_SOURCE}"`,
    ...z.toJSONSchema(jobStateChangeSchema, { io: "input" }),
  };
}

/**
 * The changes for the events of `events` from index `from` on (those a write appended), each with the state
 * folded up to it. `events` is the whole history as stored after the write.
 */
export function jobStateChanges(
  jobId: string,
  events: readonly JobEvent[],
  from: number,
  target: Pick<WorkerTarget, "outputBucket" | "outputPrefix">,
): JobStateChange[] {
  let state = initialState(jobId);
  const changes: JobStateChange[] = [];
  for (const [index, event] of events.entries()) {
    state = evolve(state, event);
    if (index >= from) changes.push(change(state, events.slice(0, index + 1), event, index + 1, target));
  }
  return changes;
}

function change(
  state: JobState,
  history: readonly JobEvent[],
  event: JobEvent,
  sequence: number,
  target: Pick<WorkerTarget, "outputBucket" | "outputPrefix">,
): JobStateChange {
  if (state.status === "NEW") throw new Error(`job ${state.jobId}: an event left it NEW`);
  const cost = jobCost(history);
  const failure = failureOf(state, history, event);
  return {
    jobId: state.jobId,
    sequence,
    event: event.type,
    at: event.at,
    status: state.status,
    attempt: state.attempt,
    ...(state.input === undefined ? {} : { input: state.input }),
    ...(state.status === "SUCCEEDED"
      ? { output: { url: outputUrl(state.jobId, { ...target, containerName: "" }) } }
      : {}),
    ...(failure === undefined ? {} : { failure }),
    timings: {
      ...(state.submittedAt === undefined ? {} : { submittedAt: state.submittedAt }),
      ...(state.finishedAt === undefined ? {} : { finishedAt: state.finishedAt }),
      ...(event.type === "TaskRunning" || event.type === "TaskStopped" ? { task: event.timings } : {}),
    },
    ...(state.attemptSize === undefined || state.attemptCapacity === undefined
      ? {}
      : {
          placement: {
            cpu: state.attemptSize.cpu,
            memoryMib: state.attemptSize.memoryMib,
            capacityProvider: state.attemptCapacity,
          },
        }),
    ...(cost.attempts.length === 0
      ? {}
      : {
          cost: {
            ...(event.type === "TaskStopped" && event.cost !== undefined
              ? { attemptUsd: roundUsd(event.cost.usd) }
              : {}),
            totalUsd: cost.totalUsd,
          },
        }),
  };
}

const UNSUCCESSFUL: ReadonlySet<JobState["status"]> = new Set([
  "FAILED",
  "TIMED_OUT",
  "CANCELLED",
  "REJECTED",
  "RETRYING",
]);

/** Why: a failed launch or stop says so itself; an unsuccessful status gives its reason and the attempt's stop. */
function failureOf(
  state: JobState,
  history: readonly JobEvent[],
  event: JobEvent,
): JobStateChange["failure"] | undefined {
  if (event.type === "TaskLaunchFailed") return { reason: event.reason };
  if (event.type === "TaskStopped")
    return event.failure === undefined ? undefined : withStop(event.failure.description, event);
  if (!UNSUCCESSFUL.has(state.status) || state.reason === undefined) return undefined;
  const stop = lastStopOf(history, state.attempt);
  return withStop(state.reason, stop?.failure === undefined ? undefined : stop);
}

function withStop(reason: string, stop: TaskStopped | undefined): NonNullable<JobStateChange["failure"]> {
  const workerReason = stop === undefined ? undefined : workerReasonOf(stop);
  return {
    reason,
    ...(stop?.failure === undefined ? {} : { kind: stop.failure.kind }),
    ...(stop?.exitCode === undefined ? {} : { exitCode: stop.exitCode }),
    ...(stop?.containerReason === undefined ? {} : { containerReason: stop.containerReason }),
    ...(workerReason === undefined ? {} : { workerReason }),
  };
}

function lastStopOf(history: readonly JobEvent[], attempt: number): TaskStopped | undefined {
  for (let i = history.length - 1; i >= 0; i--) {
    const event = history[i];
    if (event?.type === "TaskStopped" && event.attempt === attempt) return event;
  }
  return undefined;
}

// The worker's structured outcome (issue "Say why, show where") is recorded on TaskStopped as
// `workerOutcome`; read by shape so this module needs no change when it lands, and ignores it until then.
const workerOutcome = z.looseObject({
  workerOutcome: z.looseObject({ code: z.string().optional(), message: z.string().optional() }),
});

function workerReasonOf(stop: TaskStopped): string | undefined {
  const parsed = workerOutcome.safeParse(stop);
  if (!parsed.success) return undefined;
  const { code, message } = parsed.data.workerOutcome;
  if (message === undefined) return code;
  return code === undefined ? message : `${code}: ${message}`;
}
