// The worker's outcome file: what the worker says about one attempt, in its own words, written next to its
// outputs as `<OUTPUT_URL>outcome-<attempt>.json` on every exit it lives to see (success included). The
// pipeline reads it when the task stops and records it in the job's history, so a failure says why and not
// just "exit 65". Schema only, importing nothing but zod: the job model (jobs/) parses the file with this
// same schema, and the JSON Schema generated from it is committed as worker/outcome.schema.json
// (npx tsx worker/write-schemas.ts; a test keeps it current) for workers written in other languages.

import { z } from "zod";

export const OUTCOME_SCHEMA_VERSION = 1;

/** The outcome file of an attempt, relative to OUTPUT_URL. One per attempt: a retry never overwrites it. */
export function outcomeFileName(attempt: number): string {
  return `outcome-${attempt}.json`;
}

/** Every attempt's outcome file, as an IAM resource pattern (the task-state Lambda may read only these). */
export const OUTCOME_FILE_PATTERN = "outcome-*.json";

/**
 * The reference worker's codes. A custom worker may use its own (kebab-case), so readers accept any; the
 * exit code, not the outcome, is what the retry policy decides on.
 */
export const OUTCOME_CODES = [
  "succeeded", // 0: results written
  "bad-usage", // 64: a missing, unknown or malformed command-line argument
  "bad-params", // 64: JOB_PARAMS is not JSON, not an object, has an unknown key or a value out of range
  "empty-input", // 65: the input has 0 bytes
  "not-a-video", // 65: not a media file ffmpeg reads, no video stream, or a still image
  "truncated", // 65: the file was cut off (an MP4 whose moov atom is missing)
  "partly-undecodable", // 65: under 90% of the frames the container announces decode
  "undecodable", // 65: a video stream, but no frame of it decodes
  "input-not-found", // 66: no such object or URL, or not readable by the task
  "bad-environment", // 70: the contract's environment is missing or malformed (the dispatcher's fault)
  "internal", // 70: ffmpeg missing, the output refused, a full disk, a bug
  "transient", // 1: network, throttling, a 5xx: a new attempt may pass
  "interrupted", // 143 (130): stopped by SIGTERM (SIGINT), e.g. a Spot interruption or a cancel
] as const;
export type OutcomeCode = (typeof OUTCOME_CODES)[number];

/** Longest message and hint: they go into the job's history, which lives in one DynamoDB item. */
export const OUTCOME_TEXT_MAX = 500;

export const WorkerOutcomeSchema = z
  .object({
    schemaVersion: z.literal(OUTCOME_SCHEMA_VERSION),
    jobId: z.string().nullable().meta({ description: "JOB_ID, null when it was missing or malformed" }),
    attempt: z.int().min(1),
    code: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,63}$/)
      .meta({ description: `stable, kebab-case; the reference worker's: ${OUTCOME_CODES.join(", ")}` }),
    exitCode: z.int().min(0).max(255).meta({ description: "the code the process exits with" }),
    message: z
      .string()
      .min(1)
      .max(OUTCOME_TEXT_MAX)
      .meta({ description: 'one line, e.g. "truncated: the moov atom is missing"' }),
    hint: z
      .string()
      .max(OUTCOME_TEXT_MAX)
      .optional()
      .meta({ description: "what to do about it, when there is something to do" }),
    reason: z
      .string()
      .max(100)
      .optional()
      .meta({ description: "the worker's finer tag for logs (e.g. s3-NoSuchKey, ffprobe-rejected)" }),
    startedAt: z.iso.datetime(),
    finishedAt: z.iso.datetime(),
    peakMemoryMb: z.number().min(0).nullable().meta({
      description:
        "peak resident memory of the whole process tree (ffmpeg included), MiB; null if unmeasured",
    }),
    cpuSeconds: z.number().min(0).nullable().meta({
      description: "CPU time (user + system) of the whole process tree, seconds; null if unmeasured",
    }),
  })
  .meta({
    title: "video-jobs worker outcome",
    description: "outcome-<attempt>.json: what the worker says about one attempt",
  });

export type WorkerOutcome = z.infer<typeof WorkerOutcomeSchema>;

export function outcomeJsonSchema(): unknown {
  return z.toJSONSchema(WorkerOutcomeSchema, { io: "input" });
}
