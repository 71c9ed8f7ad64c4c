// `jobs submit <input ...>`: sends one job message (contracts/README.md, "Job message") per input to the jobs queue, after
// uploading local files to the uploads bucket; `--watch` then follows the jobs to their end. Everything is
// checked before anything is uploaded or sent: each message with the dispatcher's own reader
// (jobs/boundary/intake.ts) and size rule; a --job-id that a job already has (the dispatcher would not run it again);
// an upload key that already holds an object.
//
// Uploads go under the input prefix, which the worker's role may read, at
//   <input prefix>cli/<job id or random id>/<file name>.upload
// The file name is kept as it is (Unicode, spaces): S3 keys are UTF-8 and the SDK encodes them on the wire.
// The trailing ".upload" tells the dispatcher, which the bucket notifies of every object under the input
// prefix, that the object is no video to start a job for (jobs/boundary/intake.ts: an ignored upload, reason
// JobsSubmitUpload): without it the upload itself would submit a second job for the same video. The
// worker reads the content, not the name, so only ffmpeg's file-name hint is lost.
//
// An upload never replaces an object: it is a conditional write (`If-None-Match: *`, which S3 refuses with
// 412 when the key exists), and the key is checked with HeadObject first, because the local S3 (s3rver)
// ignores If-None-Match and would overwrite.

import { randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, resolve } from "node:path";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { Upload } from "@aws-sdk/lib-storage";
import type { Command } from "commander";
import { CONFIG_SCHEMA } from "../../config/schema";
import { PARAM_NAMES, paramsProblems } from "../../contracts/params-schema";
import {
  ECS_OVERRIDES_MAX_CHARS,
  JOBS_SUBMIT_UPLOAD_SUFFIX,
  MAX_S3_KEY_BYTES,
  overridesSize,
  readMessage,
} from "../../jobs/boundary";
import { isTerminal, jobIdForMessage } from "../../jobs/model";
import { COMMAND } from "../command-name";
import {
  COMMON_EXIT_CODES,
  exitCodes,
  nonNegativeNumber,
  positiveNumber,
  type Registration,
} from "../command-options";
import { required } from "../config";
import type { CommandContext } from "../context";
import { CliError, EXIT_JOB_UNSUCCESSFUL, EXIT_OK, UsageError } from "../errors";
import { followJob, type WatchOptions } from "./watch";

/** Appended to uploaded file names so the upload does not start a job of its own (see above). */
export const UPLOAD_KEY_SUFFIX = JOBS_SUBMIT_UPLOAD_SUFFIX;

export interface SubmitOptions {
  readonly params?: string;
  readonly jobId?: string;
  readonly videoId?: string;
  /** Follow the jobs until they end (the exit code is watch's). */
  readonly watch?: boolean;
  readonly interval: number;
  readonly timeout: number;
}

interface JobMessage {
  readonly videoUrl: string;
  readonly videoId?: string;
  readonly jobId?: string;
  readonly params?: Record<string, unknown>;
}

interface PlannedJob {
  readonly given: string;
  readonly message: JobMessage;
  readonly body: string;
  readonly upload?: PlannedUpload;
}

interface Submitted {
  readonly jobId: string;
  readonly messageId: string;
  readonly message: JobMessage;
  readonly uploaded?: { readonly bucket: string; readonly key: string; readonly bytes: number };
}

export async function submitCommand(
  ctx: CommandContext,
  inputs: readonly string[],
  options: SubmitOptions,
): Promise<number> {
  const queueUrl = required(ctx.config, "queueUrl").value;
  if (inputs.length > 1 && options.jobId !== undefined) {
    throw new UsageError(
      `--job-id names one job, and ${inputs.length} inputs were given`,
      "submit one input with --job-id, or leave --job-id out (each job gets its own id)",
    );
  }
  if (inputs.length > 1 && options.videoId !== undefined) {
    throw new UsageError(
      `--video-id names one video, and ${inputs.length} inputs were given`,
      "submit the inputs one by one, each with its own --video-id",
    );
  }
  const params = parseParams(options.params);
  // Everything is checked before anything is uploaded or sent.
  const planned: PlannedJob[] = [];
  for (const input of inputs) {
    const upload = isUrl(input) ? undefined : await planUpload(ctx, input, options.jobId);
    const message: JobMessage = {
      videoUrl: upload === undefined ? input : `s3://${upload.bucket}/${upload.key}`,
      ...(options.videoId === undefined ? {} : { videoId: options.videoId }),
      ...(options.jobId === undefined ? {} : { jobId: options.jobId }),
      ...(params === undefined ? {} : { params }),
    };
    const body = JSON.stringify(message);
    checkAsTheDispatcherWould(ctx, body, message);
    planned.push({ given: input, message, body, ...(upload === undefined ? {} : { upload }) });
  }
  if (options.jobId !== undefined) await refuseJobIdInUse(ctx, options.jobId);
  for (const job of planned) if (job.upload !== undefined) await refuseExistingObject(ctx, job.upload);

  const submitted: Submitted[] = [];
  for (const job of planned) {
    try {
      submitted.push(await submitOne(ctx, queueUrl, job));
    } catch (error) {
      if (submitted.length === 0) throw error;
      const explained = error instanceof Error ? error.message : String(error);
      throw new CliError(
        `submitted ${submitted.length} of ${planned.length} jobs (${submitted.map((s) => s.jobId).join(", ")}), then ${job.given} failed: ${explained}`,
        { hint: "submit the rest again: the jobs above are on their way", cause: error },
      );
    }
  }

  if (ctx.json) {
    if (options.watch === true) {
      for (const job of submitted) ctx.io.stdout.write(`${JSON.stringify({ submitted: job })}\n`);
    } else {
      ctx.emit(submitted.length === 1 ? submitted[0] : { jobs: submitted });
    }
  } else {
    for (const job of submitted) {
      ctx.say(
        `submitted job ${ctx.paint.paint("bold", job.jobId)} for ${job.message.videoUrl} (message ${job.messageId})`,
      );
    }
    if (options.watch !== true) {
      for (const job of submitted)
        ctx.say(ctx.paint.paint("dim", `watch it: ${ctx.command("watch", job.jobId)}`));
    }
  }
  if (options.watch !== true) return EXIT_OK;
  const watch: WatchOptions = { interval: options.interval, timeout: options.timeout };
  let code = EXIT_OK;
  for (const job of submitted) {
    const ended = await followJob(ctx, job.jobId, watch, true);
    if (ended !== EXIT_OK) code = EXIT_JOB_UNSUCCESSFUL;
  }
  return code;
}

async function submitOne(ctx: CommandContext, queueUrl: string, job: PlannedJob): Promise<Submitted> {
  const { upload, message } = job;
  if (upload !== undefined) {
    try {
      await new Upload({
        client: ctx.aws.s3(),
        params: {
          Bucket: upload.bucket,
          Key: upload.key,
          Body: createReadStream(upload.path),
          // S3 refuses to replace an existing object (412 PreconditionFailed).
          IfNoneMatch: "*",
        },
      }).done();
    } catch (error) {
      const name = (error as Error).name;
      if (name === "PreconditionFailed" || name === "ConditionalRequestConflict") {
        throw objectExists(ctx, upload);
      }
      throw error;
    }
    ctx.note(
      ctx.paint.paint(
        "dim",
        `uploaded ${upload.path} (${upload.size} bytes) to s3://${upload.bucket}/${upload.key}`,
      ),
    );
  }
  const sent = await ctx.aws
    .sqs()
    .send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: job.body }));
  if (sent.MessageId === undefined)
    throw new CliError("the queue accepted the message but returned no message id");
  // Without its own jobId, the dispatcher names the job after the SQS message (jobs/model/job-id.ts).
  const jobId = message.jobId ?? jobIdForMessage(sent.MessageId);
  return {
    jobId,
    messageId: sent.MessageId,
    message,
    ...(upload === undefined
      ? {}
      : { uploaded: { bucket: upload.bucket, key: upload.key, bytes: upload.size } }),
  };
}

/** A job id already in use: the dispatcher would not run the message (same input: a duplicate; another: rejected). */
async function refuseJobIdInUse(ctx: CommandContext, jobId: string): Promise<void> {
  const existing = await ctx.aws.store().get(jobId);
  if (existing === undefined) return;
  const { state } = existing;
  const retryable = state.status === "FAILED" || state.status === "TIMED_OUT" || state.status === "CANCELLED";
  throw new CliError(
    `job id "${jobId}" is already in use: that job is ${state.status}${state.submittedAt ? `, submitted ${state.submittedAt}` : ""}${state.input ? `, for ${state.input.videoUrl}` : ""}; nothing was uploaded or sent`,
    {
      hint: `choose another --job-id (or none); see that job: ${ctx.command("show", jobId)}${
        retryable
          ? `; run it again: ${ctx.command("retry", jobId)}`
          : isTerminal(state.status)
            ? ""
            : `; follow it: ${ctx.command("watch", jobId)}`
      }`,
    },
  );
}

async function refuseExistingObject(ctx: CommandContext, upload: PlannedUpload): Promise<void> {
  try {
    await ctx.aws.s3().send(new HeadObjectCommand({ Bucket: upload.bucket, Key: upload.key }));
  } catch (error) {
    const name = (error as Error).name;
    if (name === "NotFound" || name === "NoSuchKey") return;
    throw error;
  }
  throw objectExists(ctx, upload);
}

function objectExists(ctx: CommandContext, upload: PlannedUpload): CliError {
  const url = `s3://${upload.bucket}/${upload.key}`;
  return new CliError(`${url} already exists; it was not overwritten, and this job was not submitted`, {
    hint: `submit with another --job-id (or none), or submit that object as it is: ${ctx.command("submit", url)}`,
  });
}

function isUrl(input: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(input);
}

function parseParams(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `--params is not JSON: ${(error as Error).message}`,
      `e.g. --params '{"maxThumbnails":10}'`,
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new UsageError("--params must be a JSON object", `e.g. --params '{"maxThumbnails":10}'`);
  }
  // The reference worker's published params schema: bad params are refused before anything is uploaded
  // or sent, rather than failing the job later (exit 64). A stack running its own worker image, with other
  // params, sends its job messages directly: the dispatcher passes any params on.
  const problems = paramsProblems(value);
  if (problems.length > 0) {
    throw new UsageError(
      `--params: ${problems.map((p) => (p.key === undefined ? p.message : `${p.key}: ${p.message}`)).join("; ")}`,
      `the worker's parameters: ${PARAM_NAMES.join(", ")} (npm run worker -- --help describes each)`,
    );
  }
  return value as Record<string, unknown>;
}

interface PlannedUpload {
  readonly path: string;
  readonly size: number;
  readonly bucket: string;
  readonly key: string;
}

async function planUpload(
  ctx: CommandContext,
  given: string,
  jobId: string | undefined,
): Promise<PlannedUpload> {
  const path = resolve(ctx.io.cwd, given);
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new UsageError(`${given} is not a file`);
    size = info.size;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(
      `no such file: ${given}`,
      "give an s3://bucket/key or https:// URL, or the path of a local video file",
    );
  }
  const bucket = required(ctx.config, "bucket").value;
  const folder = jobId ?? randomUUID();
  const name = basename(path);
  // S3 keys are any UTF-8; control characters are the exception worth refusing (XML 1.0 listings
  // cannot carry some of them).
  if (/\p{Cc}/u.test(name)) {
    throw new UsageError(`the file name ${JSON.stringify(name)} has control characters`, "rename the file");
  }
  const key = `${ctx.config.uploadPrefix}cli/${folder}/${name}${UPLOAD_KEY_SUFFIX}`;
  const keyBytes = Buffer.byteLength(key);
  if (keyBytes > MAX_S3_KEY_BYTES) {
    const room = Buffer.byteLength(name) - (keyBytes - MAX_S3_KEY_BYTES);
    throw new UsageError(
      `the file name of ${given} is ${Buffer.byteLength(name)} bytes (UTF-8): its upload key ${key.slice(0, 60)}… would be ${keyBytes} bytes, and S3 keys are at most ${MAX_S3_KEY_BYTES}; nothing was uploaded or sent`,
      `rename the file to a name of at most ${Math.max(room, 1)} bytes (the key adds the upload folder and ${UPLOAD_KEY_SUFFIX})`,
    );
  }
  return { path, size, bucket, key };
}

function checkAsTheDispatcherWould(ctx: CommandContext, body: string, message: JobMessage): void {
  const [intent] = readMessage(body, "jobs-cli");
  if (intent?.kind !== "submit") {
    const reason = intent?.kind === "reject" ? intent.reason : "the dispatcher would not read it as a job";
    throw new UsageError(`the dispatcher would reject this job: ${reason}`);
  }
  // The worker's environment must fit ECS's limit on container overrides; measured with the longest job id
  // and bucket name when the real ones are not known yet.
  const size = overridesSize(message.jobId ?? "m".repeat(36), intent.input, {
    containerName: ctx.config.containerName,
    outputBucket: ctx.config.bucket?.value ?? "b".repeat(63),
    outputPrefix: CONFIG_SCHEMA.outputPrefix.default,
  });
  if (size > ECS_OVERRIDES_MAX_CHARS) {
    throw new UsageError(
      `the dispatcher would reject this job: its worker environment takes ${size} characters, over ECS's limit of ${ECS_OVERRIDES_MAX_CHARS}`,
      "make --params smaller (pass large settings as an S3 object the worker reads)",
    );
  }
}

const SUBMIT_EXIT_CODES = [
  ...COMMON_EXIT_CODES,
  "with --watch, as watch: 0 every job succeeded, 3 one did not, 4 --timeout passed",
];

/** Declares `submit` on the program: its arguments, options, help and action. */
export function registerSubmitCommand(program: Command, { run }: Registration): void {
  program
    .command("submit")
    .description(
      "send a job message per input to the jobs queue (local files are uploaded to the uploads bucket first)",
    )
    .argument("<input...>", "s3://bucket/key, https://url, or a local file; several make several jobs")
    .option("--params <json>", "parameters for the worker, a JSON object (JOB_PARAMS)")
    .option(
      "--job-id <id>",
      "the job's id, refused if a job has it already (default: from the SQS message id)",
    )
    .option("--video-id <id>", "your own id for the video, kept with the job")
    .option("--watch", "then follow the jobs until they end, as `watch` does")
    .option("--interval <seconds>", "with --watch: seconds between reads", positiveNumber, 5)
    .option(
      "--timeout <seconds>",
      "with --watch: give up after this many seconds (0: never)",
      nonNegativeNumber,
      0,
    )
    .addHelpText(
      "after",
      `\nEverything is checked before anything is uploaded or sent: each message as the dispatcher would check it, a --job-id already in use, and an upload key that already holds an object (an upload never overwrites one).\nA local file goes to s3://<bucket>/<JOBS_UPLOAD_PREFIX>cli/<job id or random id>/<file name>.upload, its name kept as it is; the ".upload" suffix keeps the bucket's upload notification from submitting it a second time.\n${exitCodes(SUBMIT_EXIT_CODES)}\n\nExamples:\n  ${COMMAND} submit s3://my-uploads/uploads/clip.mp4\n  ${COMMAND} --local submit ./clip.mp4 --params '{"maxThumbnails":10}' --watch\n  ${COMMAND} --local submit ./a.mp4 ./b.mov`,
    )
    .action((inputs: string[], opts, command: Command) =>
      run(command, (ctx) => submitCommand(ctx, inputs, opts)),
    );
}
