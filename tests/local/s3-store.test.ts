// The local S3's storage (local/aws/s3-store.ts) against the real s3rver and the SDK: keys S3 takes that the
// file system would not (a 244-character file name, "..", empty segments, "%"), stored, read, listed and
// deleted as they are; S3's own refusals (KeyTooLongError, EntityTooLarge) as S3 words them; an aborted
// upload leaves nothing behind and stops nothing.

import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_CREDENTIALS } from "../../config/local-endpoints";
import { type RunningS3, startS3 } from "../../local/aws/s3";
import { keyToPath, MAX_KEY_BYTES, MAX_NAME_BYTES, MAX_PUT_BYTES, pathToKey } from "../../local/aws/s3-store";

const BUCKET = "uploads-bucket";
let directory: string;
let s3: RunningS3;
let client: S3Client;
const failures: Error[] = [];

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), "local-s3-store-"));
  s3 = await startS3({
    directory,
    bucket: BUCKET,
    region: "us-east-1",
    filter: { prefix: "uploads/" },
    notify: () => {},
    onError: (error) => failures.push(error),
  });
  client = new S3Client({
    endpoint: s3.endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: LOCAL_CREDENTIALS,
    requestChecksumCalculation: "WHEN_REQUIRED",
  });
});
afterAll(async () => {
  client?.destroy();
  await s3?.stop();
  await rm(directory, { recursive: true, force: true });
});

const put = (key: string, body: string | Buffer = "data") =>
  client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
const get = async (key: string) =>
  (await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body?.transformToString();
const list = async (prefix: string) =>
  ((await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }))).Contents ?? []).map(
    (object) => object.Key,
  );

describe("stored names", () => {
  it("give back every key they were made from, and fit the file system's 255 bytes per name", () => {
    const segment = fc.oneof(
      fc.string({ unit: "grapheme", maxLength: 300 }),
      fc.constantFrom("", ".", "..", "%", "%+", "a%+", "%2E", "\0", "…".repeat(120)),
    );
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 5 }), (segments) => {
        const key = segments.join("/");
        const stored = keyToPath(key);
        expect(pathToKey(stored)).toBe(key);
        for (const name of stored.split("/")) {
          expect(Buffer.byteLength(name)).toBeLessThanOrEqual(MAX_NAME_BYTES + 2);
          expect([".", "..", ""]).not.toContain(name);
          expect(name).not.toContain("\0");
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("the local S3's store", () => {
  it("stores, reads, lists and deletes a 244-character file name (ENAMETOOLONG in s3rver's own store)", async () => {
    const key = `uploads/${"a".repeat(240)}.mp4`;
    await put(key, "long");
    expect(await get(key)).toBe("long");
    expect(await list("uploads/a")).toEqual([key]);
    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(await list("uploads/a")).toEqual([]);
    // The folders its name was split into went with it, as s3rver removes the folders a delete empties.
    expect(existsSync(path.join(directory, BUCKET, "uploads"))).toBe(false);
  });

  it("keeps keys the file system would collapse or climb out of the bucket with", async () => {
    const keys = ["odd/../../escape.mp4", "odd/./dot.mp4", "odd/100%25 + sure.mp4", "odd/-rf.mp4"];
    for (const [i, key] of keys.entries()) await put(key, `v${i}`);
    for (const [i, key] of keys.entries()) expect(await get(key)).toBe(`v${i}`);
    expect((await list("odd/")).sort()).toEqual([...keys].sort());
    expect(existsSync(path.join(directory, "escape.mp4._S3rver_object"))).toBe(false);
    expect(existsSync(path.join(path.dirname(directory), "escape.mp4._S3rver_object"))).toBe(false);
  });

  it("refuses, in S3's words, a key s3rver cannot route (an empty segment), which a bare 404 hid", async () => {
    await expect(put("odd//double.mp4")).rejects.toMatchObject({
      name: "InvalidArgument",
      message: expect.stringMatching(/cannot route a key with an empty segment/),
    });
  });

  it("takes a key of exactly 1,024 bytes and refuses one more as S3 does (KeyTooLongError)", async () => {
    const longest = `uploads/${"é".repeat((MAX_KEY_BYTES - 8) / 2)}`;
    expect(Buffer.byteLength(longest)).toBe(MAX_KEY_BYTES);
    await put(longest, "x");
    expect(await get(longest)).toBe("x");
    await expect(put(`${longest}a`)).rejects.toMatchObject({
      name: "KeyTooLongError",
      message: expect.stringMatching(/1025 bytes of UTF-8, S3 takes at most 1024/),
    });
  });

  it("refuses a single PUT over 5 GiB as S3 does (EntityTooLarge), before reading its body", async () => {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const url = new URL(`${s3.endpoint}/${BUCKET}/uploads/huge.mp4`);
      const req = request(url, {
        method: "PUT",
        headers: { "content-length": String(MAX_PUT_BYTES + 1) },
      });
      req.on("response", (response) => {
        let body = "";
        response.on("data", (chunk) => (body += chunk));
        response.on("end", () => {
          resolve({ status: response.statusCode ?? 0, body });
          req.destroy();
        });
      });
      req.on("error", reject);
      req.write("just the start");
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toContain("<Code>EntityTooLarge</Code>");
    expect(await list("uploads/huge")).toEqual([]);
  });

  it("survives an upload cut off mid-body, leaving no object and going on serving", async () => {
    await new Promise<void>((resolve) => {
      const req = request(new URL(`${s3.endpoint}/${BUCKET}/uploads/cut.mp4`), {
        method: "PUT",
        headers: { "content-length": "1000000" },
      });
      req.on("error", () => resolve());
      req.write(Buffer.alloc(1000));
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 100);
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await list("uploads/cut")).toEqual([]);
    await put("uploads/after.mp4", "still here");
    expect(await get("uploads/after.mp4")).toBe("still here");
  });

  it("stores a multipart upload of a long name (how `jobs submit` uploads large files)", async () => {
    const key = `uploads/cli/x/${"b".repeat(230)}.mp4.upload`;
    const body = Buffer.alloc(6 * 1024 * 1024, 7);
    await new Upload({
      client,
      params: { Bucket: BUCKET, Key: key, Body: body },
      partSize: 5 * 1024 * 1024,
    }).done();
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(got.ContentLength).toBe(body.length);
    expect(failures).toEqual([]);
  });
});
