// Test videos generated with ffmpeg's own sources, so tests and benchmarks know exactly what is in them:
// scene cuts at segment boundaries, a black segment, a frozen (still) segment, a tone then silence.
// ffmpeg is found by the worker's own rule (PATH first, then the npm-packaged build). The one place that
// makes videos for the tests, local mode and the benchmark.

import { execFile } from "node:child_process";
import { mkdir, rename } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { discoverTools, type Tool } from "../../worker/src/ffmpeg";

const execFileAsync = promisify(execFile);

/** A source of the lavfi device; "black" is a solid black frame, "smptebars" a still picture. */
export type SegmentSource = "testsrc2" | "testsrc" | "smptebars" | "rgbtestsrc" | "black";

export interface VideoSpec {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly segments: ReadonlyArray<{ readonly source: SegmentSource; readonly seconds: number }>;
  /** A 440 Hz tone for this many seconds, then silence to the end; no audio stream when absent. */
  readonly toneSeconds?: number;
  /** Temporal noise strength (0-100) over everything, so the encoder has camera-like detail to spend bits on. */
  readonly noise?: number;
  /** Target video bit rate, e.g. "8M"; quality-based (CRF 23) when absent. */
  readonly bitRate?: string;
  /** x264 preset; "veryfast" when absent. */
  readonly preset?: string;
}

export interface GeneratedVideo {
  readonly path: string;
  readonly durationSeconds: number;
  /** Times of the scene cuts: every segment boundary. */
  readonly cuts: readonly number[];
  readonly ffmpeg: Tool;
}

/** 320x240, 25 fps, 7 s: testsrc2 | smptebars (still, 2.4 s) | black (1.2 s) | testsrc; tone for 4 s. */
export const SCENE_TEST_VIDEO: VideoSpec = {
  width: 320,
  height: 240,
  fps: 25,
  segments: [
    { source: "testsrc2", seconds: 1.6 },
    { source: "smptebars", seconds: 2.4 },
    { source: "black", seconds: 1.2 },
    { source: "testsrc", seconds: 1.8 },
  ],
  toneSeconds: 4,
};

export async function findFfmpeg(): Promise<Tool> {
  return (await discoverTools(process.env, new AbortController().signal)).ffmpeg;
}

export async function generateVideo(file: string, spec: VideoSpec): Promise<GeneratedVideo> {
  const ffmpeg = await findFfmpeg();
  const { width, height, fps } = spec;
  const size = `${width}x${height}`;
  const inputs = spec.segments.flatMap(({ source, seconds }) => {
    const device =
      source === "black"
        ? `color=c=black:s=${size}:r=${fps}:d=${seconds}`
        : `${source}=s=${size}:r=${fps}:d=${seconds}`;
    return ["-f", "lavfi", "-i", device];
  });
  const durationSeconds = spec.segments.reduce((sum, s) => sum + s.seconds, 0);
  const labels = spec.segments.map((_, i) => `[${i}:v]`).join("");
  const noise = spec.noise ? `,noise=alls=${spec.noise}:allf=t` : "";
  const graph = [`${labels}concat=n=${spec.segments.length}:v=1:a=0,format=yuv420p${noise}[v]`];
  const audioArgs: string[] = [];
  if (spec.toneSeconds !== undefined) {
    const sampleRate = 48000;
    inputs.push(
      "-f",
      "lavfi",
      "-i",
      `sine=frequency=440:sample_rate=${sampleRate}:duration=${spec.toneSeconds}`,
    );
    graph.push(`[${spec.segments.length}:a]apad=whole_len=${Math.round(durationSeconds * sampleRate)}[a]`);
    audioArgs.push("-map", "[a]", "-c:a", "aac", "-b:a", "128k");
  }
  const rate = spec.bitRate
    ? [
        "-b:v",
        spec.bitRate,
        "-maxrate",
        spec.bitRate,
        "-bufsize",
        spec.bitRate.replace(/^(\d+)/, (n) => String(2 * Number(n))),
      ]
    : ["-crf", "23"];
  await mkdir(path.dirname(file), { recursive: true });
  // Written aside and renamed, so an interrupted generation never leaves a cached half file.
  const partial = `${file}.partial${path.extname(file)}`;
  await execFileAsync(ffmpeg.path, [
    ...["-hide_banner", "-nostdin", "-loglevel", "error", "-y"],
    ...inputs,
    ...["-filter_complex", graph.join(";"), "-map", "[v]"],
    ...["-c:v", "libx264", "-preset", spec.preset ?? "veryfast", ...rate, "-pix_fmt", "yuv420p"],
    ...audioArgs,
    ...["-movflags", "+faststart", partial],
  ]);
  await rename(partial, file);
  let elapsed = 0;
  const cuts = spec.segments.slice(0, -1).map((s) => {
    elapsed += s.seconds;
    return Math.round(elapsed * 1000) / 1000;
  });
  return { path: file, durationSeconds, cuts, ffmpeg };
}

/** The same clip `times` times over, without re-encoding: a long video that is cheap to make. */
export async function loopVideo(clip: string, file: string, times: number): Promise<void> {
  const ffmpeg = await findFfmpeg();
  await execFileAsync(ffmpeg.path, [
    ...["-hide_banner", "-nostdin", "-loglevel", "error", "-y"],
    ...["-stream_loop", String(times - 1), "-i", clip, "-c", "copy", file],
  ]);
}

/** The same video with its MP4 index (moov atom) after the media, as encoders write it without faststart. */
export async function withIndexAtEnd(clip: string, file: string): Promise<void> {
  const ffmpeg = await findFfmpeg();
  await execFileAsync(ffmpeg.path, [
    ...["-hide_banner", "-nostdin", "-loglevel", "error", "-y"],
    ...["-i", clip, "-c", "copy", "-movflags", "-faststart", file],
  ]);
}
