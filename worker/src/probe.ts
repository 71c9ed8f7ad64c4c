// Container and stream metadata from ffprobe (reads headers only, no decoding): duration, codecs,
// resolution, frame rate, bit rates, audio streams. Also the first gate of "is this a video at all":
// ffprobe refusing the file, no video stream, or a still image is an InvalidVideoError (exit 65), and so is
// an empty file. Its reason tells them apart for the outcome: an MP4 cut off before its index (the moov
// atom, which encoders write last) is "truncated", not "not a video".

import { open, stat } from "node:fs/promises";
import { z } from "zod";
import { InternalError, InvalidVideoError } from "./errors";
import { run } from "./exec";
import type { Tool } from "./ffmpeg";

export interface VideoStream {
  readonly index: number;
  readonly codec: string;
  readonly codecLongName: string | null;
  readonly profile: string | null;
  readonly width: number;
  readonly height: number;
  readonly pixelFormat: string | null;
  readonly sampleAspectRatio: string | null;
  /** Average frame rate in frames per second, and as ffprobe states it ("30000/1001"). */
  readonly frameRate: number | null;
  readonly frameRateRational: string | null;
  readonly bitRate: number | null;
  readonly frameCount: number | null;
  readonly durationSeconds: number | null;
  /** Display rotation in degrees (phones), or null when none is set. */
  readonly rotation: number | null;
}

export interface AudioStream {
  readonly index: number;
  readonly codec: string;
  readonly profile: string | null;
  readonly sampleRate: number | null;
  readonly channels: number | null;
  readonly channelLayout: string | null;
  readonly bitRate: number | null;
  readonly language: string | null;
  readonly durationSeconds: number | null;
}

export interface Media {
  readonly container: {
    readonly formatName: string;
    readonly formatLongName: string | null;
    readonly durationSeconds: number | null;
    readonly startTimeSeconds: number | null;
    readonly sizeBytes: number | null;
    readonly bitRate: number | null;
  };
  readonly video: VideoStream;
  readonly audio: readonly AudioStream[];
}

const NumericString = z.union([z.string(), z.number()]).optional();

const ProbeStream = z.object({
  index: z.number(),
  codec_type: z.string().optional(),
  codec_name: z.string().optional(),
  codec_long_name: z.string().optional(),
  profile: z.string().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
  pix_fmt: z.string().optional(),
  sample_aspect_ratio: z.string().optional(),
  avg_frame_rate: z.string().optional(),
  r_frame_rate: z.string().optional(),
  bit_rate: NumericString,
  nb_frames: NumericString,
  duration: NumericString,
  sample_rate: NumericString,
  channels: z.number().optional(),
  channel_layout: z.string().optional(),
  disposition: z.object({ attached_pic: z.number().optional() }).partial().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  side_data_list: z.array(z.object({ rotation: z.number().optional() }).loose()).optional(),
});

const ProbeOutput = z.object({
  streams: z.array(ProbeStream).default([]),
  format: z.object({
    format_name: z.string(),
    format_long_name: z.string().optional(),
    duration: NumericString,
    start_time: NumericString,
    size: NumericString,
    bit_rate: NumericString,
  }),
});

/** Demuxers that read single images: a picture is not a video. */
const STILL_IMAGE_FORMAT = /(^|,)(image2|[a-z0-9]+_pipe)(,|$)/;

export async function probe(ffprobe: Tool, file: string, signal: AbortSignal): Promise<Media> {
  if ((await stat(file)).size === 0)
    throw new InvalidVideoError("empty-input", "the file is empty (0 bytes)");
  const args = ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", file];
  const result = await run(ffprobe.path, args, { signal, collectStdout: true });
  if (result.aborted) throw signal.reason;
  if (result.signal !== null) {
    throw new InternalError(
      "ffprobe-crashed",
      `ffprobe died of ${result.signal}: ${result.stderrTail.join(" | ")}`,
    );
  }
  if (result.code !== 0) {
    // ffprobe fails only on what it cannot read: "Invalid data found when processing input", "moov atom
    // not found", an unknown format... The MP4 demuxer says "moov atom not found" of anything named .mp4,
    // so only a file that starts like an MP4 (an ftyp box) is called truncated.
    if (result.stderrTail.some((line) => /moov atom not found/i.test(line)) && (await startsWithFtyp(file))) {
      throw new InvalidVideoError(
        "moov-missing",
        "truncated: the moov atom is missing (the MP4's index, which is written last)",
      );
    }
    throw new InvalidVideoError(
      "ffprobe-rejected",
      `not a readable media file: ${ffprobeMessage(result.stderrTail, file)}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(result.stdout);
  } catch (error) {
    throw new InternalError("ffprobe-output", `ffprobe printed no JSON: ${(error as Error).message}`);
  }
  return mediaFromProbe(json);
}

/** ffprobe's `-show_format -show_streams` JSON as the worker's Media; rejects what is not a video. */
export function mediaFromProbe(json: unknown): Media {
  const parsed = ProbeOutput.safeParse(json);
  if (!parsed.success) {
    throw new InternalError(
      "ffprobe-output",
      `unexpected ffprobe output: ${parsed.error.issues[0]?.message}`,
    );
  }
  const { format, streams } = parsed.data;
  if (STILL_IMAGE_FORMAT.test(format.format_name)) {
    throw new InvalidVideoError("still-image", `a still image (${format.format_name}), not a video`);
  }
  const video = streams.find(
    (s) =>
      s.codec_type === "video" && s.disposition?.attached_pic !== 1 && s.width !== undefined && s.width > 0,
  );
  if (!video || video.codec_name === undefined || video.width === undefined || video.height === undefined) {
    throw new InvalidVideoError("no-video-stream", `no video stream (${format.format_name})`);
  }
  const frameRateRational = usableRate(video.avg_frame_rate) ?? usableRate(video.r_frame_rate);
  return {
    container: {
      formatName: format.format_name,
      formatLongName: format.format_long_name ?? null,
      durationSeconds: toNumber(format.duration),
      startTimeSeconds: toNumber(format.start_time),
      sizeBytes: toNumber(format.size),
      bitRate: toNumber(format.bit_rate),
    },
    video: {
      index: video.index,
      codec: video.codec_name,
      codecLongName: video.codec_long_name ?? null,
      profile: video.profile ?? null,
      width: video.width,
      height: video.height,
      pixelFormat: video.pix_fmt ?? null,
      sampleAspectRatio: video.sample_aspect_ratio ?? null,
      frameRate: frameRateRational ? rateValue(frameRateRational) : null,
      frameRateRational: frameRateRational ?? null,
      bitRate: toNumber(video.bit_rate),
      frameCount: toNumber(video.nb_frames),
      durationSeconds: toNumber(video.duration),
      rotation: rotationOf(video),
    },
    audio: streams
      .filter((s) => s.codec_type === "audio" && s.codec_name !== undefined)
      .map((s) => ({
        index: s.index,
        codec: s.codec_name ?? "unknown",
        profile: s.profile ?? null,
        sampleRate: toNumber(s.sample_rate),
        channels: s.channels ?? null,
        channelLayout: s.channel_layout ?? null,
        bitRate: toNumber(s.bit_rate),
        language: s.tags?.language ?? null,
        durationSeconds: toNumber(s.duration),
      })),
  };
}

/** The media's duration: the container's, else the video stream's. */
export function durationOf(media: Media): number | null {
  return media.container.durationSeconds ?? media.video.durationSeconds;
}

function toNumber(value: string | number | undefined): number | null {
  if (value === undefined || value === "N/A") return null;
  const number = typeof value === "number" ? value : Number(value);
  return Number.isFinite(number) ? number : null;
}

function usableRate(rate: string | undefined): string | undefined {
  if (rate === undefined) return undefined;
  const value = rateValue(rate);
  return Number.isFinite(value) && value > 0 ? rate : undefined;
}

function rateValue(rate: string): number {
  const [num, den] = rate.split("/").map(Number);
  return num !== undefined && den !== undefined && den !== 0 ? num / den : Number.NaN;
}

function rotationOf(stream: z.infer<typeof ProbeStream>): number | null {
  const fromSideData = stream.side_data_list?.find((d) => d.rotation !== undefined)?.rotation;
  if (fromSideData !== undefined) return fromSideData;
  const tag = stream.tags?.rotate;
  return tag !== undefined && Number.isFinite(Number(tag)) ? Number(tag) : null;
}

/** An ISO base media file (MP4, MOV, 3GP...) starts with a box of type "ftyp": size (4 bytes), type. */
async function startsWithFtyp(file: string): Promise<boolean> {
  const handle = await open(file, "r");
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(8), 0, 8, 0);
    return bytesRead === 8 && buffer.toString("latin1", 4, 8) === "ftyp";
  } finally {
    await handle.close();
  }
}

/** ffprobe's last words, without its "[demuxer @ 0x...]" and "<path>: " prefixes (the path is a temp file). */
function ffprobeMessage(stderr: readonly string[], file: string): string {
  const last = stderr.at(-1);
  if (last === undefined) return "ffprobe failed without a message";
  return last.replace(/^\[[^\]]* @ (0x)?[0-9a-fA-F]+\] /, "").replace(`${file}: `, "");
}
