// The analysis: ONE decode pass of the video through one ffmpeg filter graph that, on frames scaled down
// first (cheap to analyse), detects black and frozen segments, scores scene changes, writes a JPEG per
// scene (bounded count) and tiles evenly spaced frames into a contact sheet; the first audio stream's
// silence is detected in the same run. The filters report on stderr, which is parsed line by line.
// Only filters and options present in both Debian's ffmpeg 5.x and the 2018 static build npm ships.

import { mkdir, readdir } from "node:fs/promises";
import path from "node:path";
import type { AnalysisParams } from "./env";
import { InternalError, InvalidVideoError } from "./errors";
import { run } from "./exec";
import type { Tools } from "./ffmpeg";
import { durationOf, type Media } from "./probe";

export interface TimeSegment {
  readonly startSeconds: number;
  readonly endSeconds: number;
  readonly durationSeconds: number;
}

export interface Scene {
  readonly index: number;
  readonly startSeconds: number;
  readonly endSeconds: number;
  /** ffmpeg's scene-change score (0..1) of the scene's first frame; null for the first scene. */
  readonly score: number | null;
  /** Path of its thumbnail relative to the output, or null past `maxThumbnails`. */
  readonly thumbnail: string | null;
}

export interface ContactSheet {
  readonly file: string;
  readonly columns: number;
  readonly rows: number;
  readonly frames: number;
  readonly intervalSeconds: number;
}

export interface Analysis {
  readonly scenes: readonly Scene[];
  readonly black: readonly TimeSegment[];
  readonly frozen: readonly TimeSegment[];
  /** Silent segments of the first audio stream; null when there is no audio. */
  readonly silence: readonly TimeSegment[] | null;
  readonly contactSheet: ContactSheet | null;
  /** Video frames ffmpeg decoded, and how many the container announced (null when it does not say). */
  readonly decodedFrames: number | null;
  readonly expectedFrames: number | null;
  /** Every file written, relative to the output directory. */
  readonly files: readonly string[];
}

export const THUMBNAIL_DIR = "thumbnails";
export const CONTACT_SHEET_FILE = "contact-sheet.jpg";
const JPEG_QUALITY = "3"; // mjpeg qscale: 2 (best) .. 31
/** Decoding fewer than this share of the frames the container announces makes the file invalid. */
const TRUNCATED_BELOW = 0.9;

export interface AnalysisPlan {
  readonly input: string;
  readonly outDir: string;
  readonly videoIndex: number;
  readonly audioIndex: number | null;
  readonly params: AnalysisParams;
  readonly sheet: {
    readonly columns: number;
    readonly rows: number;
    readonly frames: number;
    readonly interval: number;
  };
  readonly fpsModeFlag: Tools["fpsModeFlag"];
  /** Frames the video stream should hold: its frame count, else its duration times its frame rate. */
  readonly expectedFrames: number | null;
}

export function planAnalysis(
  input: string,
  outDir: string,
  media: Media,
  params: AnalysisParams,
  tools: Tools,
): AnalysisPlan {
  const duration = durationOf(media);
  const gridCells = params.contactSheetColumns * params.contactSheetRows;
  const estimatedFrames =
    duration !== null && media.video.frameRate !== null ? Math.floor(duration * media.video.frameRate) : null;
  const frames = Math.max(1, Math.min(gridCells, estimatedFrames ?? gridCells));
  const columns = Math.min(params.contactSheetColumns, frames);
  return {
    input,
    outDir,
    videoIndex: media.video.index,
    audioIndex: media.audio[0]?.index ?? null,
    params,
    // Without a known duration, one frame every 10 s until the grid is full.
    sheet: {
      columns,
      rows: Math.ceil(frames / columns),
      frames,
      interval: duration !== null ? duration / frames : 10,
    },
    fpsModeFlag: tools.fpsModeFlag,
    expectedFrames: expectedFramesOf(media),
  };
}

function expectedFramesOf({ video }: Media): number | null {
  if (video.frameCount !== null && video.frameCount > 0) return video.frameCount;
  if (video.durationSeconds !== null && video.frameRate !== null) {
    return Math.round(video.durationSeconds * video.frameRate);
  }
  return null; // the container's duration may be the audio's: no guess
}

/**
 * The ffmpeg arguments. The graph, per decoded frame:
 *   scale (to thumbnailWidth, square pixels) -> blackdetect -> freezedetect -> split
 *     a: select scene changes -> metadata print (timestamps, scores) -> first N -> thumbnails/scene-%04d.jpg
 *     b: select evenly spaced frames -> tile -> contact-sheet.jpg
 *   audio: silencedetect -> discard
 */
export function analysisArgs(plan: AnalysisPlan): string[] {
  const { params: p, sheet } = plan;
  const num = (value: number): string => String(Number(value.toFixed(6)));
  const width = `trunc(min(${p.thumbnailWidth}\\,iw)/2)*2`;
  const graph = [
    `[0:${plan.videoIndex}]scale=w='${width}':h='trunc(ow/dar/2)*2':flags=fast_bilinear,setsar=1,format=yuv420p,` +
      `blackdetect=d=${num(p.blackMinSeconds)}:pix_th=${num(p.blackPixelThreshold)},` +
      `freezedetect=n=${num(p.freezeNoiseDb)}dB:d=${num(p.freezeMinSeconds)},` +
      "split=2[scan][sheet]",
    `[scan]select='eq(n\\,0)+gt(scene\\,${num(p.sceneThreshold)})',` +
      "metadata@scenes=mode=print:key=lavfi.scene_score," +
      `select='lt(n\\,${p.maxThumbnails})'[thumbs]`,
    `[sheet]select='lt(selected_n\\,${sheet.frames})*gte(t\\,selected_n*${num(sheet.interval)})',` +
      `tile=${sheet.columns}x${sheet.rows}:margin=4:padding=4[contact]`,
  ];
  if (plan.audioIndex !== null) {
    graph.push(
      `[0:${plan.audioIndex}]silencedetect=n=${num(p.silenceNoiseDb)}dB:d=${num(p.silenceMinSeconds)},anullsink`,
    );
  }
  const thumbnails = path.join(plan.outDir, THUMBNAIL_DIR, "scene-%04d.jpg");
  const contactSheet = path.join(plan.outDir, CONTACT_SHEET_FILE);
  return [
    // verbose: adds the final per-stream counts ("175 frames decoded") and little else.
    ...["-hide_banner", "-nostdin", "-nostats", "-loglevel", "verbose", "-y"],
    ...["-i", plan.input],
    ...["-filter_complex", graph.join(";")],
    // passthrough: exactly one file per selected frame (the cfr default would duplicate frames, vfr may drop).
    ...["-map", "[thumbs]", plan.fpsModeFlag, "passthrough", "-q:v", JPEG_QUALITY, "-start_number", "0"],
    ...["-f", "image2", escapeImagePattern(thumbnails, "scene-%04d.jpg")],
    ...["-map", "[contact]", "-frames:v", "1", "-update", "1", "-q:v", JPEG_QUALITY],
    ...["-f", "image2", escapeImagePattern(contactSheet)],
  ];
}

export async function analyse(
  tools: Tools,
  input: string,
  media: Media,
  params: AnalysisParams,
  outDir: string,
  signal: AbortSignal,
): Promise<Analysis> {
  await mkdir(path.join(outDir, THUMBNAIL_DIR), { recursive: true });
  const plan = planAnalysis(input, outDir, media, params, tools);
  const log = new AnalysisLog();
  const result = await run(tools.ffmpeg.path, analysisArgs(plan), {
    signal,
    onStderrLine: (line) => log.take(line),
  });
  if (result.aborted) throw signal.reason;
  if (result.signal !== null) {
    throw new InternalError("ffmpeg-killed", `ffmpeg died of ${result.signal} (out of memory?)`);
  }
  if (result.code !== 0) throw ffmpegFailure(result.stderrTail);
  return toAnalysis(log.events(), plan, durationOf(media), await filesIn(outDir));
}

/** What ffmpeg actually wrote, relative to `outDir`: result.json must list no file that is not there. */
async function filesIn(outDir: string): Promise<ReadonlySet<string>> {
  const thumbnails = await readdir(path.join(outDir, THUMBNAIL_DIR));
  const sheet = await readdir(outDir);
  return new Set([
    ...thumbnails.map((name) => `${THUMBNAIL_DIR}/${name}`),
    ...sheet.filter((name) => name === CONTACT_SHEET_FILE),
  ]);
}

/** What the filters reported, in stream time (seconds). */
export interface AnalysisEvents {
  readonly sceneStarts: ReadonlyArray<{ readonly time: number; readonly score: number }>;
  readonly black: readonly TimeSegment[];
  readonly freezeStarts: readonly number[];
  readonly freezeEnds: readonly number[];
  readonly silenceStarts: readonly number[];
  readonly silenceEnds: readonly number[];
  /** Frames decoded per input stream index, from ffmpeg's final statistics. */
  readonly decodedFrames: ReadonlyMap<number, number>;
}

// The detect filters log under their class name (one instance each here); metadata under its instance name.
const DECODED_LINE = /^\s*Input stream #0:(\d+) \(video\): .*?(\d+) frames decoded/;
const FILTER_LINE =
  /^\[(metadata@scenes|blackdetect|freezedetect|silencedetect) @ (?:0x)?[0-9a-fA-F]+\] (.*)$/;

/** Parses ffmpeg's stderr as it streams; only the analysis filters' lines count. */
export class AnalysisLog {
  private readonly scenes: Array<{ time: number; score: number }> = [];
  private readonly blackSegments: TimeSegment[] = [];
  private readonly freezeStarts: number[] = [];
  private readonly freezeEnds: number[] = [];
  private readonly silenceStarts: number[] = [];
  private readonly silenceEnds: number[] = [];
  private readonly decoded = new Map<number, number>();
  private pendingFrameTime: number | null = null;

  take(line: string): void {
    const decoded = DECODED_LINE.exec(line);
    if (decoded) {
      this.decoded.set(Number(decoded[1]), Number(decoded[2]));
      return;
    }
    const match = FILTER_LINE.exec(line);
    if (!match) return;
    const [, filter, text = ""] = match;
    switch (filter) {
      case "metadata@scenes": {
        const frame = /pts_time:(\S+)/.exec(text);
        if (frame) {
          this.pendingFrameTime = seconds(frame[1]);
          return;
        }
        const score = /lavfi\.scene_score=(\S+)/.exec(text);
        if (score && this.pendingFrameTime !== null) {
          this.scenes.push({ time: this.pendingFrameTime, score: seconds(score[1]) });
          this.pendingFrameTime = null;
        }
        return;
      }
      case "blackdetect": {
        const black = /black_start:(\S+) black_end:(\S+) black_duration:(\S+)/.exec(text);
        if (black) this.blackSegments.push(segment(seconds(black[1]), seconds(black[2])));
        return;
      }
      case "freezedetect": {
        const start = /freeze_start: (\S+)/.exec(text);
        if (start) this.freezeStarts.push(seconds(start[1]));
        const end = /freeze_end: (\S+)/.exec(text);
        if (end) this.freezeEnds.push(seconds(end[1]));
        return;
      }
      case "silencedetect": {
        const start = /silence_start: (\S+)/.exec(text);
        if (start) this.silenceStarts.push(seconds(start[1]));
        const end = /silence_end: (\S+)/.exec(text);
        if (end) this.silenceEnds.push(seconds(end[1]));
        return;
      }
    }
  }

  events(): AnalysisEvents {
    return {
      sceneStarts: this.scenes,
      black: this.blackSegments,
      freezeStarts: this.freezeStarts,
      freezeEnds: this.freezeEnds,
      silenceStarts: this.silenceStarts,
      silenceEnds: this.silenceEnds,
      decodedFrames: this.decoded,
    };
  }
}

/** `written`: the files ffmpeg wrote (relative paths); a scene's thumbnail or the sheet missing there is null. */
export function toAnalysis(
  events: AnalysisEvents,
  plan: AnalysisPlan,
  duration: number | null,
  written: ReadonlySet<string>,
): Analysis {
  if (events.sceneStarts.length === 0) {
    throw new InvalidVideoError("no-decodable-frames", "ffmpeg decoded no video frame");
  }
  const decodedFrames = events.decodedFrames.get(plan.videoIndex) ?? null;
  const expected = plan.expectedFrames;
  // A few damaged frames are a quality signal; most of the video missing is a broken file (a cut-off upload).
  if (
    decodedFrames !== null &&
    expected !== null &&
    expected >= 10 &&
    decodedFrames < TRUNCATED_BELOW * expected
  ) {
    throw new InvalidVideoError(
      "partly-undecodable",
      `only ${decodedFrames} of ${expected} video frames decode: the file is truncated or corrupt`,
    );
  }
  const lastStart = events.sceneStarts.at(-1)?.time ?? 0;
  const end = Math.max(duration ?? lastStart, lastStart);
  const thumbnailCount = Math.min(events.sceneStarts.length, plan.params.maxThumbnails);
  const scenes = events.sceneStarts.map((start, index): Scene => {
    const next = events.sceneStarts[index + 1];
    return {
      index,
      startSeconds: round(start.time),
      endSeconds: round(next?.time ?? end),
      score: index === 0 ? null : round(start.score),
      thumbnail: index < thumbnailCount && written.has(thumbnailPath(index)) ? thumbnailPath(index) : null,
    };
  });
  const files = scenes.flatMap((scene) => (scene.thumbnail ? [scene.thumbnail] : []));
  // No sheet when no frame had a usable timestamp to be picked by.
  const contactSheet: ContactSheet | null = written.has(CONTACT_SHEET_FILE)
    ? {
        file: CONTACT_SHEET_FILE,
        columns: plan.sheet.columns,
        rows: plan.sheet.rows,
        frames: plan.sheet.frames,
        intervalSeconds: round(plan.sheet.interval),
      }
    : null;
  return {
    scenes,
    black: events.black.map((s) => segment(s.startSeconds, s.endSeconds)),
    frozen: pairSegments(events.freezeStarts, events.freezeEnds, end),
    silence: plan.audioIndex === null ? null : pairSegments(events.silenceStarts, events.silenceEnds, end),
    contactSheet,
    decodedFrames,
    expectedFrames: expected,
    files: contactSheet ? [...files, CONTACT_SHEET_FILE] : files,
  };
}

export function thumbnailPath(index: number): string {
  return `${THUMBNAIL_DIR}/scene-${String(index).padStart(4, "0")}.jpg`;
}

/** Starts and ends reported separately; a segment still open at the end of the stream ends there. */
function pairSegments(starts: readonly number[], ends: readonly number[], end: number): TimeSegment[] {
  return starts.map((start, i) => segment(start, ends[i] ?? end));
}

function segment(start: number, end: number): TimeSegment {
  return { startSeconds: round(start), endSeconds: round(end), durationSeconds: round(end - start) };
}

function seconds(text: string | undefined): number {
  const value = Number(text);
  if (!Number.isFinite(value))
    throw new InternalError("ffmpeg-output", `unexpected number in ffmpeg's log: ${text}`);
  return value;
}

/** Milliseconds are plenty: ffmpeg prints times with 6 significant digits anyway. */
function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** image2 treats "%" as a pattern; the directory part (a temp dir) must not. */
function escapeImagePattern(file: string, pattern?: string): string {
  if (pattern === undefined) return file.replaceAll("%", "%%");
  return path.join(path.dirname(file).replaceAll("%", "%%"), pattern);
}

const INVALID_INPUT =
  /Invalid data found|could not find codec|moov atom not found|error while decoding|no frame!|corrupt|Invalid NAL|partial file/i;

function ffmpegFailure(stderr: readonly string[]): Error {
  const text = stderr.slice(-5).join(" | ");
  if (/No space left on device/i.test(text)) return new InternalError("disk-full", `ffmpeg: ${text}`);
  if (INVALID_INPUT.test(stderr.join("\n")))
    return new InvalidVideoError("ffmpeg-rejected", `ffmpeg: ${text}`);
  return new InternalError("ffmpeg-failed", `ffmpeg failed: ${text}`);
}
