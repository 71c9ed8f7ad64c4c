// Local S3 notifications: a real upload to s3rver becomes a notification shaped like S3's (URL-encoded key,
// increasing sequencers, eventVersion 2.1), filtered by prefix and suffix, that the dispatcher's own
// reader turns back into the right object.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_CREDENTIALS } from "../../config/local-endpoints";
import { decodeS3Key, readMessage } from "../../jobs/boundary/intake";
import { encodeS3Key, matchesFilter, type RunningS3, startS3 } from "../../local/aws/s3";

const notifications: string[] = [];
let s3: RunningS3;
let client: S3Client;
let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), "local-s3-"));
  s3 = await startS3({
    directory,
    bucket: "uploads-bucket",
    region: "eu-west-1",
    filter: { prefix: "uploads/" },
    notify: (body) => notifications.push(body),
  });
  client = new S3Client({
    endpoint: s3.endpoint,
    region: "eu-west-1",
    forcePathStyle: true,
    credentials: LOCAL_CREDENTIALS,
  });
});
afterAll(async () => {
  client?.destroy();
  await s3?.stop();
  await rm(directory, { recursive: true, force: true });
});

const put = (key: string) =>
  client.send(new PutObjectCommand({ Bucket: "uploads-bucket", Key: key, Body: "data" }));

describe("local S3 notifications", () => {
  it("are shaped like S3's, with the key URL-encoded ('+' for a space)", async () => {
    notifications.length = 0;
    await put("uploads/my holiday (2026) + café.mp4");
    expect(notifications).toHaveLength(1);
    const body = JSON.parse(notifications[0] as string);
    expect(body.Records[0]).toMatchObject({
      eventVersion: "2.1",
      eventSource: "aws:s3",
      awsRegion: "eu-west-1",
      eventName: "ObjectCreated:Put",
      s3: {
        bucket: { name: "uploads-bucket", arn: "arn:aws:s3:::uploads-bucket" },
        object: { key: "uploads/my+holiday+%282026%29+%2B+caf%C3%A9.mp4", size: 4 },
      },
    });
    const [intent] = readMessage(notifications[0] as string, "m-1");
    expect(intent).toMatchObject({
      kind: "submit",
      input: { videoUrl: "s3://uploads-bucket/uploads/my holiday (2026) + café.mp4" },
    });
  });

  it("carry increasing sequencers, so two writes of one key are two jobs", async () => {
    notifications.length = 0;
    await put("uploads/same.mov");
    await put("uploads/same.mov");
    const sequencers = notifications.map((n) => JSON.parse(n).Records[0].s3.object.sequencer as string);
    expect(sequencers[0] && sequencers[1] && sequencers[0] < sequencers[1]).toBe(true);
    const ids = notifications.map((n, i) => readMessage(n, `m-${i}`)[0]);
    expect(ids[0]).not.toEqual(ids[1]);
  });

  it("follow the stack's notification: every object under the input prefix, whatever its suffix or case", async () => {
    notifications.length = 0;
    await put("elsewhere/clip.mp4");
    await put("uploads/notes.txt");
    await put("uploads/CLIP.MP4");
    const keys = notifications.map((n) => decodeS3Key(JSON.parse(n).Records[0].s3.object.key as string));
    expect(keys).toEqual(["uploads/notes.txt", "uploads/CLIP.MP4"]);
    // The dispatcher decides: the .MP4 is a job, the .txt an ignored upload.
    const suffixes = [".mp4", ".mov"];
    expect(notifications.map((n, i) => readMessage(n, `m-${i}`, "reference", suffixes)[0])).toEqual([
      expect.objectContaining({ kind: "ignore", upload: expect.objectContaining({ why: "NotAVideo" }) }),
      expect.objectContaining({
        kind: "submit",
        input: { videoUrl: "s3://uploads-bucket/uploads/CLIP.MP4" },
      }),
    ]);
    expect(matchesFilter("uploads/a.mov", { prefix: "uploads/" })).toBe(true);
    expect(matchesFilter("uploadsX/a.mov", { prefix: "uploads/" })).toBe(false);
  });

  it("encode every key the way the dispatcher decodes it", () => {
    for (const key of [
      "a b/c+d%e.mp4",
      "it's (1) copy!~*.mp4",
      "ünï cödé/ß.mp4",
      "x?y=z&w#1.mp4",
      "plain/key.mp4",
    ]) {
      expect(decodeS3Key(encodeS3Key(key))).toBe(key);
    }
    expect(encodeS3Key("dir/sub dir/(1) copy.mp4")).toBe("dir/sub+dir/%281%29+copy.mp4");
  });
});
