// Writing the results, against a real local S3 (s3rver): large files go up as multipart uploads, and
// result.json is written last, so a failed upload never leaves a result behind. Nothing is deleted or
// listed: the task role may only put objects under its output prefix.

import { createHash, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeOutputs } from "../../worker/src/output";
import { LOCAL_S3_CREDENTIALS, type LocalS3, startLocalS3 } from "../support/s3";

const MiB = 1024 * 1024;
let s3: LocalS3;
let dir: string;

beforeAll(async () => {
  [s3, dir] = await Promise.all([
    startLocalS3({ buckets: ["results"] }),
    mkdtemp(path.join(tmpdir(), "output-test-")),
  ]);
});

afterAll(async () => {
  await s3?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A client like the worker's, recording the name of every command it sends. */
function recordingClient(): { client: S3Client; commands: string[] } {
  const commands: string[] = [];
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: "us-east-1",
    credentials: LOCAL_S3_CREDENTIALS,
    forcePathStyle: true,
  });
  client.middlewareStack.add(
    (next, context) => (args) => {
      commands.push(String(context.commandName));
      return next(args);
    },
    { step: "initialize" },
  );
  return { client, commands };
}

async function objectBytes(key: string): Promise<Buffer> {
  const response = await s3.client.send(new GetObjectCommand({ Bucket: "results", Key: key }));
  return Buffer.from((await response.Body?.transformToByteArray()) ?? new Uint8Array());
}

async function keysUnder(prefix: string): Promise<string[]> {
  const response = await s3.client.send(new ListObjectsV2Command({ Bucket: "results", Prefix: prefix }));
  return (response.Contents ?? []).map((object) => object.Key ?? "").sort();
}

const sha256 = (bytes: Buffer): string => createHash("sha256").update(bytes).digest("hex");

describe("writing to S3", () => {
  it("uploads a file larger than a part as a multipart upload, byte for byte", async () => {
    const local = path.join(dir, "multipart");
    await mkdir(local, { recursive: true });
    const big = randomBytes(11 * MiB);
    await writeFile(path.join(local, "big.bin"), big);
    const { client, commands } = recordingClient();

    await writeOutputs(
      { kind: "s3", url: "s3://results/multi/", bucket: "results", prefix: "multi/" },
      local,
      ["big.bin"],
      "{}",
      {
        s3: () => client,
        signal: new AbortController().signal,
        partSizeBytes: 5 * MiB,
      },
    );
    client.destroy();

    expect(sha256(await objectBytes("multi/big.bin"))).toBe(sha256(big));
    expect(commands.filter((name) => name === "UploadPartCommand")).toHaveLength(3);
    expect(commands).toContain("CreateMultipartUploadCommand");
    expect(commands).toContain("CompleteMultipartUploadCommand");
    // result.json last, and nothing but writes.
    expect(commands.at(-1)).toBe("PutObjectCommand");
    expect(new Set(commands)).toEqual(
      new Set([
        "CreateMultipartUploadCommand",
        "UploadPartCommand",
        "CompleteMultipartUploadCommand",
        "PutObjectCommand",
      ]),
    );
    expect(await keysUnder("multi/")).toEqual(["multi/big.bin", "multi/result.json"]);
  });

  it("a failed upload writes no result.json", async () => {
    const { client } = recordingClient();
    const writing = writeOutputs(
      { kind: "s3", url: "s3://results/failing/", bucket: "results", prefix: "failing/" },
      dir,
      ["does-not-exist.jpg"],
      "{}",
      { s3: () => client, signal: new AbortController().signal },
    );
    await expect(writing).rejects.toThrow(/writing s3:\/\/results\/failing\/does-not-exist.jpg/);
    client.destroy();
    expect(await keysUnder("failing/")).toEqual([]);
  });
});

describe("writing to a local directory", () => {
  it("copies the files, then result.json, replacing what a previous run left", async () => {
    const local = path.join(dir, "local-src");
    await mkdir(path.join(local, "thumbnails"), { recursive: true });
    await writeFile(path.join(local, "thumbnails", "scene-0000.jpg"), "jpeg");
    const out = path.join(dir, "local-out");
    const target = { kind: "dir" as const, url: out, path: out };
    const deps = { s3: () => s3.client, signal: new AbortController().signal };

    await writeOutputs(target, local, ["thumbnails/scene-0000.jpg"], '{"attempt":1}', deps);
    await writeOutputs(target, local, ["thumbnails/scene-0000.jpg"], '{"attempt":2}', deps);

    expect(await readFile(path.join(out, "thumbnails", "scene-0000.jpg"), "utf8")).toBe("jpeg");
    expect(await readFile(path.join(out, "result.json"), "utf8")).toBe('{"attempt":2}');
  });
});
