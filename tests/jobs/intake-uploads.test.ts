// Which uploads are videos (jobs/boundary/intake.ts): the stack's suffixes in any case, since S3's own suffix filter is
// case-sensitive and the bucket now notifies every object under the input prefix. Every other object is an
// ignored upload that says why; job messages are not judged by their URL's suffix.

import { describe, expect, it } from "vitest";
import { isVideoKey, readMessage } from "../../jobs/boundary/intake";
import { s3Notification } from "../../local/aws/s3";

const SUFFIXES = [".mp4", ".mov", ".mkv", ".webm"];

const notification = (key: string) =>
  JSON.stringify(
    s3Notification({
      region: "us-east-1",
      bucket: "uploads-bucket",
      key,
      eventName: "ObjectCreated:Put",
      eventTime: "2026-12-07T00:00:00.000Z",
      size: 1,
      sequencer: "00000000000000000A",
    }),
  );

describe("video keys", () => {
  it.each(["clip.mp4", "CLIP.MP4", "IMG_0001.MOV", "Holiday.Mkv", "a/b/c.WEBM", "ünï cödé.Mp4"])(
    "%s is a video",
    (key) => {
      expect(isVideoKey(key, SUFFIXES)).toBe(true);
    },
  );

  it.each(["notes.txt", "clip.mp4.upload", "clip.mp4/", "mp4", "clip.mp", "clip.MP4 "])(
    "%j is not",
    (key) => {
      expect(isVideoKey(key, SUFFIXES)).toBe(false);
    },
  );

  it("matches a suffix given in upper case against a lower-case key too", () => {
    expect(isVideoKey("clip.mxf", [".MXF"])).toBe(true);
  });
});

describe("an S3 notification read with the stack's suffixes", () => {
  it("submits a job for an upper-case suffix, naming the key as it is", () => {
    expect(readMessage(notification("uploads/CLIP 01.MP4"), "m", "reference", SUFFIXES)).toEqual([
      expect.objectContaining({
        kind: "submit",
        input: { videoUrl: "s3://uploads-bucket/uploads/CLIP 01.MP4" },
      }),
    ]);
  });

  it.each([
    ["uploads/notes.txt", "NotAVideo", /"uploads\/notes\.txt" does not end with a video suffix/],
    ["uploads/new folder/", "FolderMarker", /is a folder marker/],
    ["uploads/cli/1234/clip.mp4.upload", "JobsSubmitUpload", /upload of `jobs submit`/],
  ])("ignores %s as %s, saying why", (key, why, reason) => {
    const [intent] = readMessage(notification(key), "m", "reference", SUFFIXES);
    expect(intent).toEqual({
      kind: "ignore",
      reason: expect.stringMatching(reason),
      upload: { bucket: "uploads-bucket", key, why },
    });
  });

  it("makes every object a job when no suffixes are given (a reader that is not the dispatcher)", () => {
    expect(readMessage(notification("uploads/notes.txt"), "m")).toEqual([
      expect.objectContaining({ kind: "submit" }),
    ]);
  });

  it("does not judge a job message by its URL's suffix: a message names its video on purpose", () => {
    const body = JSON.stringify({ videoUrl: "https://example.com/stream?id=1" });
    expect(readMessage(body, "m", "reference", SUFFIXES)).toEqual([
      expect.objectContaining({ kind: "submit" }),
    ]);
  });

  it("still ignores s3:TestEvent, without an upload", () => {
    const body = JSON.stringify({ Service: "Amazon S3", Event: "s3:TestEvent", Bucket: "uploads-bucket" });
    expect(readMessage(body, "m", "reference", SUFFIXES)).toEqual([
      { kind: "ignore", reason: "s3:TestEvent" },
    ]);
  });
});

// A key may hold any UTF-8 character, JavaScript's line terminators among them (found by the local intake's
// property test: "uploads/\u2028é.mp4" was refused as "not s3://<bucket>/<key>").
describe("a job message naming a key with a line terminator in it", () => {
  it.each(["uploads/\u2028é.mp4", "uploads/a\u2029b.mp4", "uploads/line\nbreak.mp4", "uploads/cr\r.mp4"])(
    "%j is a job for that key",
    (key) => {
      const videoUrl = `s3://uploads-bucket/${key}`;
      const [intent] = readMessage(JSON.stringify({ videoUrl }), "m-1", "reference", SUFFIXES);
      expect(intent).toMatchObject({ kind: "submit", input: { videoUrl } });
    },
  );
});
