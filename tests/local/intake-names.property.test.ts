// Local mode's intake fed the way a user's folder of files would feed it: names of every length up to the
// limits, Unicode, spaces, "+", "%", dots, leading dashes, in any case, and bodies from empty to a
// multipart upload, through each upload path — S3 PutObject to the real local S3 (its notification encoded
// as S3 encodes it, decoded by the dispatcher's own reader), a message naming the object, and `jobs submit`
// of a file. Whatever the name: nothing crashes (the local S3 reports no failure of its own and still
// answers), and each upload either becomes a job whose input names the very key, or a clear refusal (S3's
// own, for a key over 1,024 bytes: a file name cannot be that long, a key written by PutObject can).
// Without the whole worker: seconds, not minutes.

import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { HeadBucketCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../cli/main";
import { LOCAL_CREDENTIALS, writeLocalEndpoints } from "../../config/local-endpoints";
import { MAX_S3_KEY_BYTES, readMessage } from "../../jobs/boundary/intake";
import { type RunningS3, startS3 } from "../../local/aws/s3";
import { LocalSqs } from "../../local/aws/sqs";

const BUCKET = "video-jobs-uploads";
const PREFIX = "uploads/";
const SUFFIXES = [".mp4", ".mov", ".mkv", ".webm"];
/** The longest name a file may have on this machine's file system (and on macOS'). */
const MAX_FILE_NAME_BYTES = 255;

let directory: string;
let s3: RunningS3;
let sqs: LocalSqs;
let queueUrl: string;
let client: S3Client;
let endpointsFile: string;
const notifications: string[] = [];
const failures: Error[] = [];

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), "intake-names-"));
  s3 = await startS3({
    directory: path.join(directory, "s3"),
    bucket: BUCKET,
    region: "us-east-1",
    filter: { prefix: PREFIX },
    notify: (body) => notifications.push(body),
    onError: (error) => failures.push(error),
  });
  sqs = new LocalSqs();
  await sqs.start();
  queueUrl = sqs.createQueue("video-jobs-queue", { visibilityTimeoutSeconds: 30 });
  client = new S3Client({
    endpoint: s3.endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: LOCAL_CREDENTIALS,
    requestChecksumCalculation: "WHEN_REQUIRED",
  });
  endpointsFile = path.join(directory, "endpoints.json");
  writeLocalEndpoints(endpointsFile, {
    region: "us-east-1",
    endpoints: {
      dynamodb: "http://127.0.0.1:1",
      s3: s3.endpoint,
      sqs: sqs.endpoint,
      ecs: "http://127.0.0.1:1",
    },
    tableName: "video-jobs-jobs",
    queueUrl,
    clusterArn: "arn:aws:ecs:us-east-1:000000000000:cluster/video-jobs",
    bucket: BUCKET,
    inputPrefix: PREFIX,
    outputPrefix: "outputs/",
  });
}, 30_000);
afterAll(async () => {
  client?.destroy();
  await s3?.stop();
  await sqs?.stop();
  await rm(directory, { recursive: true, force: true });
});

/** Pieces a user's file names are made of. */
const piece = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      " ",
      "+",
      "%",
      "%20",
      "%2F",
      ".",
      "..",
      "-",
      "--",
      "(1)",
      "#",
      "&",
      "?",
      "=",
      "~",
      "'",
    ),
  },
  { weight: 2, arbitrary: fc.constantFrom("é", "ü", "日本語", "😀", "\u0301", "Ω", "ß", "İ") },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 50, maxLength: 400 }) },
);
const suffix = fc
  .constantFrom(...SUFFIXES)
  .chain((s) => fc.constantFrom(s, s.toUpperCase(), s[0] + (s[1] ?? "").toUpperCase() + s.slice(2)));
/** A file name: no "/" (it names one file), up to well past S3's 1,024 bytes. */
const fileName = fc
  .tuple(fc.boolean(), fc.array(piece, { minLength: 1, maxLength: 12 }), suffix)
  .map(([dashed, pieces, end]) => `${dashed ? "-" : ""}${pieces.join("")}${end}`.replace(/[/\0]/g, "_"));
const size = fc.oneof(
  { weight: 9, arbitrary: fc.integer({ min: 0, max: 4096 }) },
  { weight: 1, arbitrary: fc.constant(6 * 1024 * 1024) },
);

const bytes = (text: string) => Buffer.byteLength(text);
const s3Url = (key: string) => `s3://${BUCKET}/${key}`;

async function stillServing(): Promise<void> {
  await client.send(new HeadBucketCommand({ Bucket: BUCKET }));
  expect(failures).toEqual([]);
}

describe("local intake over generated names and sizes", () => {
  it("S3 PutObject: a job naming the very key, or S3's refusal of a key over 1,024 bytes", async () => {
    await fc.assert(
      fc.asyncProperty(fileName, fc.integer({ min: 0, max: 4096 }), async (name, length) => {
        const key = `${PREFIX}${name}`;
        notifications.length = 0;
        const put = client.send(
          new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: Buffer.alloc(length, 1) }),
        );
        if (bytes(key) > MAX_S3_KEY_BYTES) {
          await expect(put).rejects.toMatchObject({ name: "KeyTooLongError" });
          expect(notifications).toEqual([]);
        } else {
          await put;
          expect(notifications).toHaveLength(1);
          const intents = readMessage(notifications[0] as string, "m-1", "reference", SUFFIXES);
          expect(intents).toEqual([
            expect.objectContaining({
              kind: "submit",
              input: { videoUrl: s3Url(key) },
              source: expect.objectContaining({ kind: "s3", bucket: BUCKET, key }),
            }),
          ]);
          const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
          expect(head.ContentLength).toBe(length);
        }
        await stillServing();
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  it("a message naming an object: a job for that key, or a rejection that says why", () => {
    fc.assert(
      fc.property(fileName, (name) => {
        const key = `${PREFIX}${name}`;
        const [intent] = readMessage(JSON.stringify({ videoUrl: s3Url(key) }), "m-1", "reference", SUFFIXES);
        if (bytes(key) > MAX_S3_KEY_BYTES) {
          expect(intent).toMatchObject({
            kind: "reject",
            reason: expect.stringMatching(/S3 keys are at most 1024|longer than 2048 characters/),
          });
        } else {
          expect(intent).toMatchObject({ kind: "submit", input: { videoUrl: s3Url(key) } });
        }
      }),
      { numRuns: 300 },
    );
  });

  it("`jobs submit` of any file a file system holds: its message names the uploaded object", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fileName.filter((name) => bytes(name) <= MAX_FILE_NAME_BYTES),
        size,
        async (name, length) => {
          const folder = path.join(directory, "files", String(++run));
          await rm(folder, { recursive: true, force: true });
          await mkdir(folder, { recursive: true });
          const file = path.join(folder, name);
          await writeFile(file, Buffer.alloc(length, 2));
          const before = sqs.peek("video-jobs-queue").length;
          let stderr = "";
          const code = await runCli(["--local", "submit", `./${name}`, "--json"], {
            stdout: { write: () => true },
            stderr: { write: (text: string) => (stderr += text) },
            env: { JOBS_LOCAL_ENDPOINTS: endpointsFile },
            cwd: folder,
            now: () => new Date(),
            sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
          });
          const sent = sqs.peek("video-jobs-queue").slice(before);
          // A name the file system holds (255 bytes) always fits S3's key with the upload folder around it.
          expect(code, stderr).toBe(0);
          expect(sent, stderr).toHaveLength(1);
          const [intent] = readMessage(sent[0] as string, "m-1", "reference", SUFFIXES);
          if (intent?.kind !== "submit") throw new Error(`not a job: ${JSON.stringify(intent)}`);
          const key = intent.input.videoUrl.slice(`s3://${BUCKET}/`.length);
          expect(key.endsWith(`/${name}.upload`)).toBe(true);
          const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
          expect(head.ContentLength).toBe(length);
          await stillServing();
        },
      ),
      { numRuns: 12 },
    );
  }, 180_000);
});
