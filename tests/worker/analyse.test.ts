// The one-pass analysis without running ffmpeg: the command it builds (one input, one decode, every
// filter in one graph) and the parsing of what the filters print, in the formats of both ffmpeg builds.

import { describe, expect, it } from "vitest";
import {
  AnalysisLog,
  type AnalysisPlan,
  analysisArgs,
  planAnalysis,
  toAnalysis,
} from "../../worker/src/analyse";
import { AnalysisParamsSchema } from "../../worker/src/env";
import { InvalidVideoError } from "../../worker/src/errors";
import type { Tools } from "../../worker/src/ffmpeg";
import type { Media } from "../../worker/src/probe";

const TOOLS: Tools = {
  ffmpeg: { path: "/usr/bin/ffmpeg", version: "5.1.9", source: "path" },
  ffprobe: { path: "/usr/bin/ffprobe", version: "5.1.9", source: "path" },
  fpsModeFlag: "-fps_mode",
};

function media(overrides: {
  duration?: number;
  frameRate?: number;
  frameCount?: number | null;
  audio?: boolean;
}): Media {
  const duration = overrides.duration ?? 7;
  return {
    container: {
      formatName: "mov,mp4,m4a,3gp,3g2,mj2",
      formatLongName: null,
      durationSeconds: duration,
      startTimeSeconds: 0,
      sizeBytes: 1000,
      bitRate: null,
    },
    video: {
      index: 0,
      codec: "h264",
      codecLongName: null,
      profile: null,
      width: 1920,
      height: 1080,
      pixelFormat: "yuv420p",
      sampleAspectRatio: "1:1",
      frameRate: overrides.frameRate ?? 25,
      frameRateRational: `${overrides.frameRate ?? 25}/1`,
      bitRate: null,
      frameCount:
        overrides.frameCount === undefined ? duration * (overrides.frameRate ?? 25) : overrides.frameCount,
      durationSeconds: duration,
      rotation: null,
    },
    audio:
      overrides.audio === false
        ? []
        : [
            {
              index: 1,
              codec: "aac",
              profile: null,
              sampleRate: 48000,
              channels: 2,
              channelLayout: "stereo",
              bitRate: null,
              language: null,
              durationSeconds: duration,
            },
          ],
  };
}

const params = AnalysisParamsSchema.parse({});
const plan = (m: Media = media({}), p = params): AnalysisPlan =>
  planAnalysis("/work/input.mp4", "/work/out", m, p, TOOLS);

// Lines as ffmpeg 5.1 (Debian) prints them; the 2018 static build prints the same shapes.
const LOG_5_1 = [
  "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from '/work/input.mp4':",
  "[metadata@scenes @ 0x562d268dd2c0] frame:0    pts:0       pts_time:0",
  "[metadata@scenes @ 0x562d268dd2c0] lavfi.scene_score=0.000000",
  "[metadata@scenes @ 0x562d268dd2c0] frame:1    pts:20480   pts_time:1.6",
  "[metadata@scenes @ 0x562d268dd2c0] lavfi.scene_score=0.758759",
  "[freezedetect @ 0x561964754cc0] lavfi.freezedetect.freeze_start: 1.6",
  "[freezedetect @ 0x561964754cc0] lavfi.freezedetect.freeze_duration: 2.4",
  "[freezedetect @ 0x561964754cc0] lavfi.freezedetect.freeze_end: 4",
  "[metadata@scenes @ 0x562d268dd2c0] frame:2    pts:51200   pts_time:4",
  "[metadata@scenes @ 0x562d268dd2c0] lavfi.scene_score=0.805363",
  "[silencedetect @ 0x56196434f640] silence_start: 4.00081",
  "[freezedetect @ 0x561964754cc0] lavfi.freezedetect.freeze_start: 4",
  "[blackdetect @ 0x561964753b00] black_start:4 black_end:5.2 black_duration:1.2",
  "[metadata@scenes @ 0x562d268dd2c0] frame:3    pts:66560   pts_time:5.2",
  "[metadata@scenes @ 0x562d268dd2c0] lavfi.scene_score=1.000000",
  "[silencedetect @ 0x56196434f640] silence_end: 7.01867 | silence_duration: 3.01785",
  "Input file #0 (/work/input.mp4):",
  "  Input stream #0:0 (video): 175 packets read (64870 bytes); 175 frames decoded; ",
  "  Input stream #0:1 (audio): 330 packets read (35474 bytes); 330 frames decoded (337920 samples); ",
];

/** What ffmpeg wrote for LOG_5_1: four thumbnails and the sheet. */
const WRITTEN: ReadonlySet<string> = new Set([
  "thumbnails/scene-0000.jpg",
  "thumbnails/scene-0001.jpg",
  "thumbnails/scene-0002.jpg",
  "thumbnails/scene-0003.jpg",
  "contact-sheet.jpg",
]);

function parse(lines: readonly string[]) {
  const log = new AnalysisLog();
  for (const line of lines) log.take(line);
  return log.events();
}

describe("the ffmpeg command", () => {
  it("decodes the input once: one -i, every analysis in one filter graph, scaled down first", () => {
    const args = analysisArgs(plan());
    expect(args.filter((arg) => arg === "-i")).toHaveLength(1);
    expect(args[args.indexOf("-i") + 1]).toBe("/work/input.mp4");
    const graph = args[args.indexOf("-filter_complex") + 1] ?? "";
    expect(graph.startsWith("[0:0]scale=")).toBe(true);
    for (const filter of [
      "blackdetect=",
      "freezedetect=",
      "gt(scene\\,0.3)",
      "metadata@scenes=",
      "tile=4x4",
    ]) {
      expect(graph).toContain(filter);
    }
    expect(graph).toContain("[0:1]silencedetect=");
    expect(graph).toContain("select='lt(n\\,50)'"); // the thumbnail bound
    expect(args).toContain("-fps_mode");
  });

  it("leaves out silence detection without audio, and uses -vsync on ffmpeg before 5.1", () => {
    const args = analysisArgs(
      planAnalysis("/in.mp4", "/out", media({ audio: false }), params, { ...TOOLS, fpsModeFlag: "-vsync" }),
    );
    expect(args.join(" ")).not.toContain("silencedetect");
    expect(args).toContain("-vsync");
  });

  it("keeps the contact sheet grid within the frames a very short video has", () => {
    expect(plan(media({ duration: 1, frameRate: 5 })).sheet).toMatchObject({
      columns: 4,
      rows: 2,
      frames: 5,
    });
    expect(plan(media({ duration: 60 })).sheet).toMatchObject({
      columns: 4,
      rows: 4,
      frames: 16,
      interval: 3.75,
    });
  });
});

describe("the filters' reports", () => {
  it("become scenes, black, frozen and silent segments", () => {
    const analysis = toAnalysis(parse(LOG_5_1), plan(), 7, WRITTEN);
    expect(analysis.scenes).toEqual([
      { index: 0, startSeconds: 0, endSeconds: 1.6, score: null, thumbnail: "thumbnails/scene-0000.jpg" },
      { index: 1, startSeconds: 1.6, endSeconds: 4, score: 0.759, thumbnail: "thumbnails/scene-0001.jpg" },
      { index: 2, startSeconds: 4, endSeconds: 5.2, score: 0.805, thumbnail: "thumbnails/scene-0002.jpg" },
      { index: 3, startSeconds: 5.2, endSeconds: 7, score: 1, thumbnail: "thumbnails/scene-0003.jpg" },
    ]);
    expect(analysis.black).toEqual([{ startSeconds: 4, endSeconds: 5.2, durationSeconds: 1.2 }]);
    // The second freeze is still open when the stream ends: it ends with the video.
    expect(analysis.frozen).toEqual([
      { startSeconds: 1.6, endSeconds: 4, durationSeconds: 2.4 },
      { startSeconds: 4, endSeconds: 7, durationSeconds: 3 },
    ]);
    expect(analysis.silence).toEqual([{ startSeconds: 4.001, endSeconds: 7.019, durationSeconds: 3.018 }]);
    expect(analysis).toMatchObject({ decodedFrames: 175, expectedFrames: 175 });
    expect(analysis.files).toEqual([
      "thumbnails/scene-0000.jpg",
      "thumbnails/scene-0001.jpg",
      "thumbnails/scene-0002.jpg",
      "thumbnails/scene-0003.jpg",
      "contact-sheet.jpg",
    ]);
  });

  it("writes thumbnails for the first maxThumbnails scenes only", () => {
    const bounded = plan(media({}), AnalysisParamsSchema.parse({ maxThumbnails: 2 }));
    const analysis = toAnalysis(parse(LOG_5_1), bounded, 7, WRITTEN);
    expect(analysis.scenes.map((scene) => scene.thumbnail)).toEqual([
      "thumbnails/scene-0000.jpg",
      "thumbnails/scene-0001.jpg",
      null,
      null,
    ]);
    expect(analysis.files).toHaveLength(3);
  });

  it("lists only files ffmpeg actually wrote", () => {
    const analysis = toAnalysis(parse(LOG_5_1), plan(), 7, new Set(["thumbnails/scene-0000.jpg"]));
    expect(analysis.scenes.map((scene) => scene.thumbnail)).toEqual([
      "thumbnails/scene-0000.jpg",
      null,
      null,
      null,
    ]);
    expect(analysis.contactSheet).toBeNull();
    expect(analysis.files).toEqual(["thumbnails/scene-0000.jpg"]);
  });

  it("ignores lines that only look like the filters' (other filters, input metadata)", () => {
    const events = parse([
      "[blackdetect_other @ 0x1] black_start:1 black_end:2 black_duration:1",
      "    title           : [blackdetect @ 0x1] black_start:1 black_end:2 black_duration:1",
      "[Parsed_showinfo_1 @ 0x1] n:0 pts:0 pts_time:0",
    ]);
    expect(events.black).toEqual([]);
    expect(events.sceneStarts).toEqual([]);
  });

  it("no decoded frame at all is an invalid video", () => {
    expect(() => toAnalysis(parse([]), plan(), 7, WRITTEN)).toThrow(InvalidVideoError);
  });

  it("most of the announced frames missing is an invalid (truncated) video; a few is not", () => {
    const truncated = LOG_5_1.map((line) => line.replace("175 frames decoded", "5 frames decoded"));
    expect(() => toAnalysis(parse(truncated), plan(), 7, WRITTEN)).toThrow(
      /only 5 of 175 video frames decode/,
    );
    const nearlyAll = LOG_5_1.map((line) => line.replace("175 frames decoded", "170 frames decoded"));
    expect(toAnalysis(parse(nearlyAll), plan(), 7, WRITTEN).decodedFrames).toBe(170);
    // Without a frame count or stream duration there is nothing to compare with.
    const base = media({});
    const unknownLength = { ...base, video: { ...base.video, frameCount: null, durationSeconds: null } };
    expect(toAnalysis(parse(truncated), plan(unknownLength), 7, WRITTEN).decodedFrames).toBe(5);
  });
});
