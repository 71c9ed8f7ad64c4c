// Reading what arrives on the jobs queue: S3 event notifications, job messages and retry messages
// (contracts/README.md). Every message body becomes a list of intents; anything that cannot become a job
// becomes a rejection with a reason a person can act on. Parsing only: nothing here touches a store.
// A job's params are checked against the reference worker's published schema (worker/params.schema.json)
// unless the stack runs a worker of its own (`workerParams: any`): bad params are REJECTED here, naming
// the key and the reason, instead of failing the job later.
// Which uploads are videos is decided here, not by the bucket: S3's notification filters compare key
// suffixes case-sensitively (object keys are case-sensitive: https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html;
// a ".jpg" rule misses "IMG.JPG": https://github.com/serverless/serverless/issues/6409), and cameras write
// ".MP4" and ".MOV". The bucket notifies every object under the input prefix; an object that is not a video
// is acknowledged as an ignored upload, which the dispatcher logs and counts (UploadsIgnored).

import { z } from "zod";
import { PARAM_NAMES, paramsProblems } from "../../contracts/params-schema";
import { MAX_TIMEOUT_SECONDS, MIN_DEADLINE_SECONDS } from "../model/deadlines";
import { defined } from "../model/defined";
import type { JobInput, JobSource } from "../model/events";
import {
  isJobId,
  JOB_ID_RULE,
  jobIdForMessage,
  jobIdForRejectedMessage,
  jobIdForS3Object,
} from "../model/job-id";
import { IGNORED_UPLOAD_REASONS, type IgnoredUploadReason } from "../model/metrics";

/** Which params a job message may carry: the reference worker's, or any (a custom worker image's). */
export const WORKER_PARAMS_RULES = ["reference", "any"] as const;
export type WorkerParamsRule = (typeof WORKER_PARAMS_RULES)[number];

export type Intent =
  | { readonly kind: "submit"; readonly jobId: string; readonly input: JobInput; readonly source: JobSource }
  | { readonly kind: "retry"; readonly jobId: string; readonly attempt: number }
  | { readonly kind: "reject"; readonly jobId: string; readonly reason: string }
  | { readonly kind: "ignore"; readonly reason: string; readonly upload?: IgnoredUpload };

export { IGNORED_UPLOAD_REASONS, type IgnoredUploadReason };

export interface IgnoredUpload {
  readonly bucket: string;
  readonly key: string;
  readonly why: IgnoredUploadReason;
}

/**
 * Appended by `jobs submit` to the files it uploads: the object is the input of the job its message names,
 * and must not start a second one from its notification.
 */
export const JOBS_SUBMIT_UPLOAD_SUFFIX = ".upload";

/** Whether a key names a video: it ends with one of the suffixes, in any case (".MP4" is ".mp4"). */
export function isVideoKey(key: string, videoSuffixes: readonly string[]): boolean {
  const lower = key.toLowerCase();
  return videoSuffixes.some((suffix) => lower.endsWith(suffix.toLowerCase()));
}

/** Raw payloads are kept in REJECTED records up to this many characters. */
export const MAX_RAW_INPUT_CHARS = 4096;
const MAX_URL_CHARS = 2048;

export function truncateRaw(body: string): { rawInput: string; truncated: boolean } {
  return body.length > MAX_RAW_INPUT_CHARS
    ? { rawInput: body.slice(0, MAX_RAW_INPUT_CHARS), truncated: true }
    : { rawInput: body, truncated: false };
}

/**
 * `videoSuffixes`: the stack's inputSuffixes; an S3 object whose key ends with none of them (in any case)
 * is an ignored upload. Without them every object created is a job (a reader that is not the dispatcher).
 */
export function readMessage(
  body: string,
  messageId: string,
  workerParams: WorkerParamsRule = "reference",
  videoSuffixes?: readonly string[],
): Intent[] {
  const reject = (reason: string, index = 0): Intent => ({
    kind: "reject",
    jobId: jobIdForRejectedMessage(index === 0 ? messageId : `${messageId}#${index}`),
    reason,
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    return [reject(`message body is not JSON (${(error as Error).message})`)];
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return [
      reject(`message body must be a JSON object, got ${Array.isArray(parsed) ? "an array" : typeof parsed}`),
    ];
  }
  const message = parsed as Record<string, unknown>;
  if (message.Event === "s3:TestEvent") return [{ kind: "ignore", reason: "s3:TestEvent" }];
  if ("Records" in message) return readS3Event(message, reject, videoSuffixes);
  if ("videoUrl" in message) return [readJobMessage(message, messageId, workerParams, reject)];
  if ("attempt" in message) return [readRetryMessage(message, reject)];
  return [
    reject(
      `unknown message shape (keys: ${Object.keys(message).join(", ") || "none"}); expected an S3 event notification, ` +
        "a job message {videoUrl, videoId?, jobId?, params?, timeoutSeconds?} or a retry message {jobId, attempt}",
    ),
  ];
}

const videoUrl = z
  .string({ error: "videoUrl must be a string" })
  .max(MAX_URL_CHARS, `videoUrl is longer than ${MAX_URL_CHARS} characters`)
  .refine(isVideoUrl, "videoUrl must be s3://<bucket>/<key> or an https:// URL")
  .superRefine((url, context) => {
    if (url.startsWith("s3://") && s3KeyBytes(url) > MAX_S3_KEY_BYTES) {
      context.addIssue({
        code: "custom",
        message: `videoUrl names an S3 key of ${s3KeyBytes(url)} bytes (UTF-8); S3 keys are at most ${MAX_S3_KEY_BYTES}`,
      });
    }
  });

/** S3's longest key, in bytes of UTF-8 (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html). */
export const MAX_S3_KEY_BYTES = 1024;

function s3KeyBytes(url: string): number {
  return Buffer.byteLength(url.replace(/^s3:\/\/[^/]*\//, ""));
}

const jobMessage = z.strictObject({
  videoUrl,
  videoId: z
    .string()
    .min(1, "videoId must not be empty")
    .max(1024, "videoId is longer than 1024 characters")
    .optional(),
  jobId: z.string().refine(isJobId, `jobId must be ${JOB_ID_RULE}`).optional(),
  params: z
    .record(z.string(), z.unknown(), { error: "params must be a JSON object" })
    .superRefine((params, context) => {
      const problem = storableProblem(params, "params", 1);
      if (problem) context.addIssue({ code: "custom", message: problem });
    })
    .optional(),
  timeoutSeconds: z
    .number({ error: "timeoutSeconds must be a number" })
    .int("timeoutSeconds must be a whole number")
    .min(MIN_DEADLINE_SECONDS, `timeoutSeconds must be at least ${MIN_DEADLINE_SECONDS}`)
    .max(MAX_TIMEOUT_SECONDS, `timeoutSeconds must be at most ${MAX_TIMEOUT_SECONDS} (7 days)`)
    .optional(),
});

const retryMessage = z.strictObject({
  jobId: z.string({ error: "jobId is required" }).refine(isJobId, `jobId must be ${JOB_ID_RULE}`),
  attempt: z
    .number({ error: "attempt must be a number" })
    .int("attempt must be a whole number")
    .min(1, "attempt must be >= 1"),
});

const s3Record = z.object({
  eventSource: z.literal("aws:s3", { error: "eventSource must be aws:s3" }),
  eventName: z.string(),
  s3: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({
      key: z.string().min(1),
      versionId: z.string().optional(),
      sequencer: z.string().optional(),
    }),
  }),
});

function readJobMessage(
  message: unknown,
  messageId: string,
  workerParams: WorkerParamsRule,
  reject: (reason: string) => Intent,
): Intent {
  const result = jobMessage.safeParse(message);
  if (!result.success) return reject(`invalid job message: ${describeIssues(result.error, message)}`);
  const { videoUrl, videoId, jobId, params, timeoutSeconds } = result.data;
  const problems = params === undefined || workerParams === "any" ? [] : paramsProblems(params);
  if (problems.length > 0) {
    const each = problems.map((p) => (p.key === undefined ? p.message : `params.${p.key}: ${p.message}`));
    return reject(
      `invalid job message: ${each.join("; ")} (the worker's parameters: ${PARAM_NAMES.join(", ")}; ` +
        "a stack running its own worker image sets workerParams to any)",
    );
  }
  const input: JobInput = { videoUrl, ...defined({ videoId, params, timeoutSeconds }) };
  return { kind: "submit", jobId: jobId ?? jobIdForMessage(messageId), input, source: { kind: "message" } };
}

function readRetryMessage(message: unknown, reject: (reason: string) => Intent): Intent {
  const result = retryMessage.safeParse(message);
  if (!result.success) return reject(`invalid retry message: ${describeIssues(result.error, message)}`);
  return { kind: "retry", jobId: result.data.jobId, attempt: result.data.attempt };
}

function readS3Event(
  message: Record<string, unknown>,
  reject: (reason: string, index?: number) => Intent,
  videoSuffixes: readonly string[] | undefined,
): Intent[] {
  const records = message.Records;
  if (!Array.isArray(records) || records.length === 0) {
    return [reject("S3 event notification has no Records")];
  }
  return records.map((record: unknown, index): Intent => {
    const result = s3Record.safeParse(record);
    if (!result.success)
      return reject(`invalid S3 event record ${index}: ${describeIssues(result.error, record)}`, index);
    const { eventName, s3 } = result.data;
    if (!eventName.startsWith("ObjectCreated:")) {
      return { kind: "ignore", reason: `S3 event ${eventName} is not an object creation` };
    }
    let key: string;
    try {
      key = decodeS3Key(s3.object.key);
    } catch {
      return reject(
        `S3 event record ${index}: object key "${s3.object.key}" is not valid URL encoding`,
        index,
      );
    }
    const bucket = s3.bucket.name;
    const ignored = ignoredUpload(bucket, key, videoSuffixes);
    if (ignored !== undefined) return ignored;
    const source: JobSource = {
      kind: "s3",
      bucket,
      key,
      ...(s3.object.versionId ? { versionId: s3.object.versionId } : {}),
      ...(s3.object.sequencer ? { sequencer: s3.object.sequencer } : {}),
    };
    const jobId = jobIdForS3Object({
      bucket,
      key,
      versionId: s3.object.versionId,
      sequencer: s3.object.sequencer,
    });
    return { kind: "submit", jobId, input: { videoUrl: `s3://${bucket}/${key}` }, source };
  });
}

function ignoredUpload(
  bucket: string,
  key: string,
  videoSuffixes: readonly string[] | undefined,
): Intent | undefined {
  const ignore = (why: IgnoredUploadReason, reason: string): Intent => ({
    kind: "ignore",
    reason,
    upload: { bucket, key, why },
  });
  if (key.endsWith("/")) return ignore("FolderMarker", `S3 key "${key}" is a folder marker`);
  if (videoSuffixes === undefined || isVideoKey(key, videoSuffixes)) return undefined;
  if (key.endsWith(JOBS_SUBMIT_UPLOAD_SUFFIX)) {
    return ignore(
      "JobsSubmitUpload",
      `S3 key "${key}" is an upload of \`jobs submit\`: its job comes from the message the CLI sent`,
    );
  }
  return ignore(
    "NotAVideo",
    `S3 key "${key}" does not end with a video suffix (${videoSuffixes.join(", ")}, in any case): no job started`,
  );
}

/** S3 notifications URL-encode object keys, with "+" for a space. */
export function decodeS3Key(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, " "));
}

export function isVideoUrl(url: string): boolean {
  if (url.startsWith("s3://")) {
    const match = /^s3:\/\/([^/]+)\/(.+)$/s.exec(url);
    return match !== null && /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(match[1] ?? "");
  }
  if (!url.startsWith("https://")) return false;
  try {
    const parsed = new URL(url);
    return parsed.hostname !== "" && parsed.username === "" && parsed.password === "";
  } catch {
    return false;
  }
}

function describeIssues(error: z.ZodError, input: unknown): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.join(".");
      if (issue.code === "unrecognized_keys") return `unknown field(s) ${issue.keys.join(", ")}`;
      if (issue.code === "invalid_type" && valueAt(input, issue.path) === undefined)
        return `${path} is required`;
      return path && !issue.message.startsWith(path) ? `${path}: ${issue.message}` : issue.message;
    })
    .join("; ");
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/**
 * params are stored in the job's history (a DynamoDB item): numbers must fit DynamoDB's (and JavaScript's
 * exact integer) range, and nesting stays well under DynamoDB's 32 levels (the history adds four).
 */
const MAX_PARAMS_DEPTH = 24;

function storableProblem(value: unknown, path: string, depth: number): string | undefined {
  if (typeof value === "number") {
    const integerOk = !Number.isInteger(value) || Number.isSafeInteger(value);
    const magnitude = Math.abs(value);
    const rangeOk = magnitude === 0 || (magnitude >= 1e-130 && magnitude < 1e126);
    return integerOk && rangeOk ? undefined : `${path} is ${value}, a number that cannot be stored exactly`;
  }
  if (typeof value !== "object" || value === null) return undefined;
  if (depth > MAX_PARAMS_DEPTH) return `params nest deeper than ${MAX_PARAMS_DEPTH} levels`;
  for (const [key, item] of Object.entries(value)) {
    const problem = storableProblem(
      item,
      Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`,
      depth + 1,
    );
    if (problem) return problem;
  }
  return undefined;
}
