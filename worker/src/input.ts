// Brings the input video to local disk for ffprobe and ffmpeg: an S3 object or an HTTP(S) URL is streamed
// to a file in the job's working directory (never held whole in memory); a local path (command line only)
// is used in place. Failures become InputNotFoundError (66), TransientError (retryable) or InternalError.

import { createWriteStream } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { InputLocation } from "./env";
import { InputNotFoundError, InternalError, isNetworkError, localFileError, TransientError } from "./errors";
import { classifyS3Error } from "./s3";

export interface LocalInput {
  readonly path: string;
  readonly sizeBytes: number;
}

export interface FetchDeps {
  readonly s3: () => S3Client;
  readonly signal: AbortSignal;
}

export async function fetchInput(
  input: InputLocation,
  workDir: string,
  deps: FetchDeps,
): Promise<LocalInput> {
  switch (input.kind) {
    case "file":
      return useLocalFile(input.path);
    case "s3":
      return downloadS3(input.bucket, input.key, localName(workDir, input.key), deps);
    case "http":
      return downloadHttp(input.url, localName(workDir, new URL(input.url).pathname), deps.signal);
    default: {
      const never: never = input;
      throw new Error(`unknown input ${JSON.stringify(never)}`);
    }
  }
}

async function useLocalFile(file: string): Promise<LocalInput> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new InputNotFoundError("not-a-file", `${file} is not a file`);
    return { path: file, sizeBytes: info.size };
  } catch (error) {
    if (error instanceof InputNotFoundError) throw error;
    throw new InputNotFoundError("no-such-file", `${file}: ${(error as Error).message}`, { cause: error });
  }
}

async function downloadS3(bucket: string, key: string, dest: string, deps: FetchDeps): Promise<LocalInput> {
  const what = `reading s3://${bucket}/${key}`;
  let body: Readable;
  try {
    const response = await deps.s3().send(new GetObjectCommand({ Bucket: bucket, Key: key }), {
      abortSignal: deps.signal,
    });
    if (!(response.Body instanceof Readable))
      throw new InternalError("s3-no-body", `${what}: no body stream`);
    body = response.Body;
  } catch (error) {
    if (deps.signal.aborted) throw deps.signal.reason;
    throw classifyS3Error(error, "input", what);
  }
  return saveStream(body, dest, what, deps.signal);
}

async function downloadHttp(url: string, dest: string, signal: AbortSignal): Promise<LocalInput> {
  const what = `reading ${redact(url)}`;
  let response: Response;
  try {
    response = await fetch(url, { signal, redirect: "follow" });
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (isNetworkError(error))
      throw new TransientError("network", `${what}: ${describeFetchError(error)}`, { cause: error });
    throw new InternalError("http-client", `${what}: ${describeFetchError(error)}`, { cause: error });
  }
  if (!response.ok || response.body === null) {
    await response.body?.cancel();
    const status = response.status;
    const message = `${what}: HTTP ${status} ${response.statusText}`;
    // 408 Request Timeout, 425 Too Early and 429 Too Many Requests are "later"; other 4xx are about the URL.
    if (status >= 500 || status === 408 || status === 425 || status === 429) {
      throw new TransientError(`http-${status}`, message);
    }
    throw new InputNotFoundError(`http-${status}`, message);
  }
  return saveStream(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), dest, what, signal);
}

async function saveStream(
  body: Readable,
  dest: string,
  what: string,
  signal: AbortSignal,
): Promise<LocalInput> {
  const file = createWriteStream(dest);
  let fileFailed = false;
  file.once("error", () => {
    fileFailed = true;
  });
  try {
    await pipeline(body, file, { signal });
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (fileFailed) throw localFileError(error, `${what} into ${dest}`);
    // The connection broke mid-body: the object is there, the transfer failed.
    throw new TransientError("download-interrupted", `${what}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return { path: dest, sizeBytes: (await stat(dest)).size };
}

/** "input.mp4": keeps a plausible extension, since ffmpeg uses it as a hint for a few raw formats. */
function localName(workDir: string, keyOrPath: string): string {
  const ext = path.posix.extname(keyOrPath);
  return path.join(workDir, /^\.[A-Za-z0-9]{1,8}$/.test(ext) ? `input${ext}` : "input");
}

/** Presigned URLs carry credentials in the query string: never log it. */
function redact(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}${parsed.search ? "?..." : ""}`;
}

function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error.message;
}
