// Writes the job's results to OUTPUT_URL: an S3 prefix (each file streamed with @aws-sdk/lib-storage, which
// switches to a multipart upload past one part) or, from the command line, a local directory.
// Order makes it safe to retry: the artifacts first (the same keys every time, so a retry overwrites them),
// result.json last. So result.json exists only once everything it lists is in place, and nothing
// half-written is ever reported as a result. Only PutObject (and AbortMultipartUpload) is needed on the
// output prefix: nothing is listed or deleted.

import { createReadStream } from "node:fs";
import { copyFile, mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import type { OutputLocation } from "./env";
import { localFileError } from "./errors";
import { RESULT_FILE } from "./result";
import { classifyS3Error } from "./s3";

export interface OutputDeps {
  readonly s3: () => S3Client;
  readonly signal: AbortSignal;
  /** Multipart part size; S3's minimum (5 MiB) is the smallest that works. */
  readonly partSizeBytes?: number;
}

const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
const CONCURRENT_FILES = 4;

/** Writes `files` (paths relative to `localDir`) and then `resultJson` as result.json. */
export async function writeOutputs(
  output: OutputLocation,
  localDir: string,
  files: readonly string[],
  resultJson: string,
  deps: OutputDeps,
): Promise<void> {
  const sink = output.kind === "s3" ? s3Sink(output.bucket, output.prefix, deps) : dirSink(output.path);
  await forEachLimited(files, CONCURRENT_FILES, (file) => sink.copy(path.join(localDir, file), file));
  await sink.putText(RESULT_FILE, resultJson, "application/json");
}

/** Writes one small text file under the output location (the outcome file: outcome.ts). */
export async function writeTextOutput(
  output: OutputLocation,
  name: string,
  text: string,
  deps: OutputDeps,
): Promise<void> {
  const sink = output.kind === "s3" ? s3Sink(output.bucket, output.prefix, deps) : dirSink(output.path);
  await sink.putText(name, text, "application/json");
}

interface Sink {
  copy(localFile: string, name: string): Promise<void>;
  putText(name: string, text: string, contentType: string): Promise<void>;
}

function s3Sink(bucket: string, prefix: string, deps: OutputDeps): Sink {
  const { signal } = deps;
  const guarded = async (what: string, work: () => Promise<unknown>): Promise<void> => {
    try {
      await work();
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw classifyS3Error(error, "output", what);
    }
  };
  const upload = (
    name: string,
    body: NonNullable<ConstructorParameters<typeof Upload>[0]["params"]["Body"]>,
  ) => {
    const key = `${prefix}${name}`;
    return guarded(`writing s3://${bucket}/${key}`, async () => {
      const transfer = new Upload({
        client: deps.s3(),
        params: { Bucket: bucket, Key: key, Body: body, ContentType: contentTypeOf(name) },
        partSize: deps.partSizeBytes ?? DEFAULT_PART_SIZE,
        queueSize: 4,
      });
      const abort = (): void => void transfer.abort().catch(() => undefined);
      signal.addEventListener("abort", abort, { once: true });
      try {
        await transfer.done();
      } finally {
        signal.removeEventListener("abort", abort);
      }
    });
  };
  return {
    copy: (localFile, name) => upload(name, createReadStream(localFile)),
    putText: (name, text) => upload(name, Buffer.from(text, "utf8")),
  };
}

function dirSink(dir: string): Sink {
  const guarded = async (what: string, work: () => Promise<unknown>): Promise<void> => {
    try {
      await work();
    } catch (error) {
      throw localFileError(error, what);
    }
  };
  return {
    copy: (localFile, name) =>
      guarded(`writing ${name}`, async () => {
        await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
        await copyFile(localFile, path.join(dir, name));
      }),
    putText: (name, text) =>
      guarded(`writing ${name}`, async () => {
        // Written aside and renamed: a reader never sees a partial result.json.
        const target = path.join(dir, name);
        await mkdir(dir, { recursive: true });
        await writeFile(`${target}.partial`, text);
        await rename(`${target}.partial`, target);
      }),
  };
}

function contentTypeOf(name: string): string {
  if (name.endsWith(".jpg")) return "image/jpeg";
  if (name.endsWith(".json")) return "application/json";
  return "application/octet-stream";
}

async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        failed = true; // the other lanes finish their current file and stop
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
