// `jobs submit <s3://bucket/key | https://url | ./local-file>`: sends a job message (README "Job message")
// to the jobs queue, after uploading a local file to the uploads bucket. The message is checked with the
// dispatcher's own reader (jobs/intake.ts) and size rule first, so the CLI refuses what would be rejected.
//
// Uploads go under the input prefix, which the worker's role may read, at
//   <input prefix>cli/<job id or random id>/<file name>.upload
// The trailing ".upload" keeps the object out of the bucket's ObjectCreated notification (filtered by video
// suffixes such as .mp4): without it the upload itself would submit a second job for the same video. The
// worker reads the content, not the name, so only ffmpeg's file-name hint is lost.

import { randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, resolve } from "node:path";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { Upload } from "@aws-sdk/lib-storage";
import { CONFIG_SCHEMA } from "../../config/schema";
import { readMessage } from "../../jobs/intake";
import { jobIdForMessage } from "../../jobs/job-id";
import { ECS_OVERRIDES_MAX_CHARS, overridesSize } from "../../jobs/worker-environment";
import { COMMAND } from "../command-name";
import { required } from "../config";
import type { CommandContext } from "../context";
import { CliError, UsageError } from "../errors";

/** Appended to uploaded file names so the upload does not trigger the bucket's notification (see above). */
export const UPLOAD_KEY_SUFFIX = ".upload";

export interface SubmitOptions {
  readonly params?: string;
  readonly jobId?: string;
  readonly videoId?: string;
}

interface JobMessage {
  readonly videoUrl: string;
  readonly videoId?: string;
  readonly jobId?: string;
  readonly params?: Record<string, unknown>;
}

export async function submitCommand(
  ctx: CommandContext,
  input: string,
  options: SubmitOptions,
): Promise<number> {
  const queueUrl = required(ctx.config, "queueUrl").value;
  const params = parseParams(options.params);
  const upload = isUrl(input) ? undefined : await planUpload(ctx, input, options.jobId);
  const message: JobMessage = {
    videoUrl: upload === undefined ? input : `s3://${upload.bucket}/${upload.key}`,
    ...(options.videoId === undefined ? {} : { videoId: options.videoId }),
    ...(options.jobId === undefined ? {} : { jobId: options.jobId }),
    ...(params === undefined ? {} : { params }),
  };
  const body = JSON.stringify(message);
  checkAsTheDispatcherWould(ctx, body, message);

  if (upload !== undefined) {
    await new Upload({
      client: ctx.aws.s3(),
      params: { Bucket: upload.bucket, Key: upload.key, Body: createReadStream(upload.path) },
    }).done();
    ctx.note(
      ctx.paint.paint(
        "dim",
        `uploaded ${upload.path} (${upload.size} bytes) to s3://${upload.bucket}/${upload.key}`,
      ),
    );
  }
  const sent = await ctx.aws.sqs().send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
  if (sent.MessageId === undefined)
    throw new CliError("the queue accepted the message but returned no message id");
  // Without its own jobId, the dispatcher names the job after the SQS message (jobs/job-id.ts).
  const jobId = message.jobId ?? jobIdForMessage(sent.MessageId);

  if (ctx.json) {
    ctx.emit({
      jobId,
      messageId: sent.MessageId,
      message,
      ...(upload === undefined
        ? {}
        : { uploaded: { bucket: upload.bucket, key: upload.key, bytes: upload.size } }),
    });
    return 0;
  }
  ctx.say(
    `submitted job ${ctx.paint.paint("bold", jobId)} for ${message.videoUrl} (message ${sent.MessageId})`,
  );
  ctx.say(ctx.paint.paint("dim", `follow it: ${COMMAND} watch ${jobId}`));
  return 0;
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
      `e.g. --params '{"preset":"720p"}'`,
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new UsageError("--params must be a JSON object", `e.g. --params '{"preset":"720p"}'`);
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
  const key = `${ctx.config.uploadPrefix}cli/${folder}/${safeName(basename(path))}${UPLOAD_KEY_SUFFIX}`;
  return { path, size, bucket, key };
}

/** S3 keys may hold anything, but a plain name keeps URLs and shell commands simple. */
function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, "_") || "video";
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
