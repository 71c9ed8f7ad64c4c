// One job, start to finish, as a sequence of logged steps: find ffmpeg, fetch the input to a private
// working directory, probe it, analyse it in one decode pass, assemble result.json, and write the
// outputs. The working directory is removed whatever happens. Errors propagate as the named errors the
// steps throw; main.ts turns them into exit codes.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import type { WorkerStep } from "../../contracts/progress-schema";
import { version as packageVersion } from "../../package.json";
import { type Analysis, analyse } from "./analyse";
import type { JobConfig } from "./env";
import { InternalError } from "./errors";
import { discoverTools, type Tools } from "./ffmpeg";
import { fetchInput, type LocalInput } from "./input";
import type { Logger } from "./log";
import { writeOutputs } from "./output";
import { type Media, probe } from "./probe";
import type { ResourceUsage } from "./resources";
import { RESULT_SCHEMA_VERSION, type Result, ResultSchema } from "./result";
import { createS3Client } from "./s3";

export const WORKER_VERSION = `video-jobs-worker/${packageVersion}`;

export interface JobDeps {
  readonly env: NodeJS.ProcessEnv;
  readonly log: Logger;
  readonly signal: AbortSignal;
  readonly now?: () => Date;
  /** What the process tree has used so far (resources.ts), recorded in result.json. */
  readonly resources?: () => ResourceUsage;
}

export async function runJob(config: JobConfig, deps: JobDeps): Promise<Result> {
  const { env, log, signal } = deps;
  const timings: Record<string, number> = {};
  const timed = async <T>(
    step: WorkerStep,
    work: () => Promise<T>,
    details?: (value: T) => Record<string, unknown>,
  ) => {
    const started = performance.now();
    try {
      return await log.step(step, work, details);
    } finally {
      timings[step] = Math.round(performance.now() - started);
    }
  };

  let client: S3Client | undefined;
  const s3 = (): S3Client => {
    client ??= createS3Client(env);
    return client;
  };
  const workDir = await mkdtemp(path.join(tmpdir(), `video-worker-${config.jobId}-`));
  try {
    const tools = await timed("tools", () => discoverTools(env, signal), describeTools);
    const input = await timed(
      "fetch",
      () => fetchInput(config.input, workDir, { s3, signal }),
      (i) => ({
        bytes: i.sizeBytes,
      }),
    );
    const media = await timed("probe", () => probe(tools.ffprobe, input.path, signal), describeMedia);
    const outDir = path.join(workDir, "out");
    const analysis = await timed(
      "analyse",
      () => analyse(tools, input.path, media, config.params, outDir, signal),
      describeAnalysis,
    );
    const result = assembleResult(
      config,
      tools,
      input,
      media,
      analysis,
      timings,
      deps.now?.() ?? new Date(),
      deps.resources?.(),
    );
    await timed(
      "upload",
      () =>
        writeOutputs(config.output, outDir, analysis.files, `${JSON.stringify(result, null, 2)}\n`, {
          s3,
          signal,
        }),
      () => ({ output: config.output.url, files: analysis.files.length + 1 }),
    );
    return result;
  } finally {
    client?.destroy();
    await rm(workDir, { recursive: true, force: true });
  }
}

function assembleResult(
  config: JobConfig,
  tools: Tools,
  input: LocalInput,
  media: Media,
  analysis: Analysis,
  timings: Record<string, number>,
  now: Date,
  resources: ResourceUsage | undefined,
): Result {
  const candidate = {
    schemaVersion: RESULT_SCHEMA_VERSION,
    job: { id: config.jobId, attempt: config.attempt, params: config.params },
    input: { url: publicUrl(config.input.url), sizeBytes: input.sizeBytes },
    createdAt: now.toISOString(),
    tools: { worker: WORKER_VERSION, ffmpeg: tools.ffmpeg, ffprobe: tools.ffprobe },
    media,
    scenes: analysis.scenes,
    quality: {
      black: analysis.black,
      frozen: analysis.frozen,
      silence: analysis.silence,
      decodedFrames: analysis.decodedFrames,
      expectedFrames: analysis.expectedFrames,
    },
    artifacts: {
      contactSheet: analysis.contactSheet && {
        path: analysis.contactSheet.file,
        columns: analysis.contactSheet.columns,
        rows: analysis.contactSheet.rows,
        frames: analysis.contactSheet.frames,
        intervalSeconds: analysis.contactSheet.intervalSeconds,
      },
      thumbnails: analysis.scenes.flatMap((scene) => (scene.thumbnail ? [scene.thumbnail] : [])),
    },
    timings: { ...timings },
    ...(resources === undefined ? {} : { resources }),
  };
  // The schema is the published contract of result.json: never write one that breaks it.
  const parsed = ResultSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InternalError(
      "result-schema",
      `result.json would break its schema at ${issue?.path.join(".")}: ${issue?.message}`,
    );
  }
  return parsed.data;
}

/** Presigned URLs carry credentials in their query string; result.json must not. */
function publicUrl(url: string): string {
  if (!/^https?:\/\//i.test(url)) return url;
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

function describeTools(tools: Tools): Record<string, unknown> {
  return {
    ffmpeg: `${tools.ffmpeg.version} (${tools.ffmpeg.source})`,
    ffprobe: `${tools.ffprobe.version} (${tools.ffprobe.source})`,
  };
}

function describeMedia(media: Media): Record<string, unknown> {
  return {
    format: media.container.formatName,
    durationSeconds: media.container.durationSeconds,
    video: `${media.video.codec} ${media.video.width}x${media.video.height}@${media.video.frameRateRational}`,
    audioStreams: media.audio.length,
  };
}

function describeAnalysis(analysis: Analysis): Record<string, unknown> {
  return {
    scenes: analysis.scenes.length,
    black: analysis.black.length,
    frozen: analysis.frozen.length,
    silence: analysis.silence?.length ?? null,
  };
}
