// ffprobe's JSON into the worker's media metadata, and the first "is this a video" gate.

import { describe, expect, it } from "vitest";
import { InvalidVideoError } from "../../worker/src/errors";
import { mediaFromProbe } from "../../worker/src/probe";

const H264 = {
  index: 0,
  codec_name: "h264",
  codec_long_name: "H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10",
  profile: "High",
  codec_type: "video",
  width: 1920,
  height: 1080,
  pix_fmt: "yuv420p",
  sample_aspect_ratio: "1:1",
  r_frame_rate: "30000/1001",
  avg_frame_rate: "30000/1001",
  duration: "60.060000",
  bit_rate: "8000000",
  nb_frames: "1800",
  disposition: { default: 1, attached_pic: 0 },
  side_data_list: [{ side_data_type: "Display Matrix", rotation: -90 }],
};
const AAC = {
  index: 1,
  codec_name: "aac",
  profile: "LC",
  codec_type: "audio",
  sample_rate: "48000",
  channels: 2,
  channel_layout: "stereo",
  bit_rate: "128000",
  duration: "60.000000",
  tags: { language: "eng" },
};
const FORMAT = {
  format_name: "mov,mp4,m4a,3gp,3g2,mj2",
  format_long_name: "QuickTime / MOV",
  duration: "60.060000",
  start_time: "0.000000",
  size: "60123456",
  bit_rate: "8008456",
};

describe("media metadata from ffprobe", () => {
  it("reads container, video and audio", () => {
    const media = mediaFromProbe({ streams: [H264, AAC], format: FORMAT });
    expect(media.container).toEqual({
      formatName: "mov,mp4,m4a,3gp,3g2,mj2",
      formatLongName: "QuickTime / MOV",
      durationSeconds: 60.06,
      startTimeSeconds: 0,
      sizeBytes: 60123456,
      bitRate: 8008456,
    });
    expect(media.video).toMatchObject({
      index: 0,
      codec: "h264",
      width: 1920,
      height: 1080,
      frameRateRational: "30000/1001",
      frameCount: 1800,
      rotation: -90,
    });
    expect(media.video.frameRate).toBeCloseTo(29.97, 2);
    expect(media.audio).toEqual([
      {
        index: 1,
        codec: "aac",
        profile: "LC",
        sampleRate: 48000,
        channels: 2,
        channelLayout: "stereo",
        bitRate: 128000,
        language: "eng",
        durationSeconds: 60,
      },
    ]);
  });

  it("skips cover art (an attached picture) to find the real video stream", () => {
    const cover = { ...H264, index: 0, codec_name: "mjpeg", disposition: { attached_pic: 1 } };
    const media = mediaFromProbe({ streams: [cover, { ...H264, index: 2 }], format: FORMAT });
    expect(media.video).toMatchObject({ index: 2, codec: "h264" });
  });

  it("falls back to r_frame_rate when the average is unknown, and tolerates N/A values", () => {
    const media = mediaFromProbe({
      streams: [
        { ...H264, avg_frame_rate: "0/0", r_frame_rate: "25/1", bit_rate: "N/A", nb_frames: undefined },
      ],
      format: { ...FORMAT, duration: undefined },
    });
    expect(media.video).toMatchObject({ frameRate: 25, bitRate: null, frameCount: null });
    expect(media.container.durationSeconds).toBeNull();
  });

  it.each([
    ["audio only", { streams: [AAC], format: { ...FORMAT, format_name: "mp3" } }, "no video stream"],
    [
      "a PNG picture",
      { streams: [{ ...H264, codec_name: "png" }], format: { format_name: "png_pipe" } },
      "still image",
    ],
    [
      "a JPEG picture",
      { streams: [{ ...H264, codec_name: "mjpeg" }], format: { format_name: "image2" } },
      "still image",
    ],
    [
      "only cover art",
      { streams: [AAC, { ...H264, disposition: { attached_pic: 1 } }], format: FORMAT },
      "no video",
    ],
  ])("%s is not a processable video", (_label, probe, message) => {
    expect(() => mediaFromProbe(probe)).toThrow(InvalidVideoError);
    expect(() => mediaFromProbe(probe)).toThrow(message);
  });
});
