// result.json, the worker's answer, written last under OUTPUT_URL: its schema, versioned. Readers check
// `schemaVersion` (bumped on any incompatible change; fields may be added within a version). The JSON
// Schema generated from this file is committed as worker/result.schema.json (a test keeps it current).
// Times are seconds from the start of the video, rounded to the millisecond; ffmpeg reports them with 6
// significant digits (1 ms up to 1000 s, 10 ms beyond). Paths are relative to OUTPUT_URL.

import { z } from "zod";

export const RESULT_SCHEMA_VERSION = 1;
export const RESULT_FILE = "result.json";

const Seconds = z.number().min(0).meta({ description: "seconds from the start of the video" });
const NullableNumber = z.number().nullable();
const NullableString = z.string().nullable();

const Segment = z
  .object({ startSeconds: Seconds, endSeconds: Seconds, durationSeconds: z.number().min(0) })
  .meta({ description: "a time segment of the video" });

const ToolInfo = z.object({
  path: z.string(),
  version: z
    .string()
    .meta({ description: "as the tool prints it (a git describe for static snapshot builds)" }),
  source: z.enum(["path", "package"]).meta({
    description: "path: found on PATH (the image's Debian ffmpeg); package: the npm-packaged static build",
  }),
});

export const ResultSchema = z
  .object({
    schemaVersion: z.literal(RESULT_SCHEMA_VERSION),
    job: z.object({
      id: z.string(),
      attempt: z.int().min(1),
      params: z.record(z.string(), z.unknown()).meta({ description: "the analysis parameters in effect" }),
    }),
    input: z.object({ url: z.string(), sizeBytes: z.int().min(0) }),
    createdAt: z.iso.datetime(),
    tools: z.object({ worker: z.string(), ffmpeg: ToolInfo, ffprobe: ToolInfo }),
    media: z.object({
      container: z.object({
        formatName: z.string(),
        formatLongName: NullableString,
        durationSeconds: NullableNumber,
        startTimeSeconds: NullableNumber,
        sizeBytes: NullableNumber,
        bitRate: NullableNumber.meta({ description: "bits per second" }),
      }),
      video: z.object({
        index: z.int().meta({ description: "stream index in the container" }),
        codec: z.string(),
        codecLongName: NullableString,
        profile: NullableString,
        width: z.int(),
        height: z.int(),
        pixelFormat: NullableString,
        sampleAspectRatio: NullableString,
        frameRate: NullableNumber.meta({ description: "average frames per second" }),
        frameRateRational: NullableString.meta({ description: 'as ffprobe states it, e.g. "30000/1001"' }),
        bitRate: NullableNumber,
        frameCount: NullableNumber,
        durationSeconds: NullableNumber,
        rotation: NullableNumber.meta({ description: "display rotation in degrees, null when none" }),
      }),
      audio: z.array(
        z.object({
          index: z.int(),
          codec: z.string(),
          profile: NullableString,
          sampleRate: NullableNumber,
          channels: NullableNumber,
          channelLayout: NullableString,
          bitRate: NullableNumber,
          language: NullableString,
          durationSeconds: NullableNumber,
        }),
      ),
    }),
    scenes: z
      .array(
        z.object({
          index: z.int().min(0),
          startSeconds: Seconds,
          endSeconds: Seconds,
          score: NullableNumber.meta({
            description: "scene-change score 0..1 of its first frame; null for the first",
          }),
          thumbnail: NullableString.meta({ description: "JPEG path, null past the thumbnail bound" }),
        }),
      )
      .meta({ description: "scenes in order; the first starts at the first frame" }),
    quality: z.object({
      black: z.array(Segment).meta({ description: "black segments (blackdetect)" }),
      frozen: z.array(Segment).meta({ description: "frozen segments (freezedetect)" }),
      silence: z.array(Segment).nullable().meta({ description: "silent segments of the first audio stream" }),
      decodedFrames: z.int().min(0).nullable().meta({ description: "video frames ffmpeg decoded" }),
      expectedFrames: z
        .int()
        .min(0)
        .nullable()
        .meta({ description: "video frames the container announces; null when it does not say" }),
    }),
    artifacts: z.object({
      contactSheet: z
        .object({
          path: z.string(),
          columns: z.int().min(1),
          rows: z.int().min(1),
          frames: z.int().min(1),
          intervalSeconds: z.number().min(0),
        })
        .nullable(),
      thumbnails: z.array(z.string()),
    }),
    timings: z
      .record(z.string(), z.number())
      .meta({ description: "milliseconds spent in each step before the upload" }),
    resources: z
      .object({
        peakMemoryMb: z.number().min(0).nullable().meta({
          description: "peak resident memory of the whole process tree (ffmpeg included), MiB",
        }),
        cpuSeconds: z
          .number()
          .min(0)
          .nullable()
          .meta({ description: "CPU time (user + system) of the whole process tree, seconds" }),
      })
      .optional()
      .meta({
        description:
          "what the attempt cost up to the upload (null where not measurable: no /proc); the outcome file has the final figures. Absent in results of workers before it",
      }),
  })
  .meta({ title: "video-jobs worker result", description: "result.json written by the reference worker" });

export type Result = z.infer<typeof ResultSchema>;

export function resultJsonSchema(): unknown {
  // "input": objects stay open (no additionalProperties: false), so fields added within a version validate.
  return z.toJSONSchema(ResultSchema, { io: "input" });
}
