// The local S3's storage: s3rver's filesystem store, made to hold every key S3 holds and to answer every
// failure as an S3 error instead of crashing local mode. s3rver writes an object of key "a/b" as the file
// "a/b._S3rver_object", so a key segment longer than the file system's 255 bytes per name (a 244-character
// file name is enough, with that suffix) threw ENAMETOOLONG from a write stream nobody listened to: an
// uncaught exception that took the whole of local mode down with its running jobs. Here:
// - each key segment is stored under a name the file system takes: "%" and NUL escaped, "", "." and ".."
//   (which the file system would collapse, or climb out of the bucket with) escaped, and a segment longer
//   than MAX_NAME_BYTES split into folders marked "%+" (a mark no escaped segment can end with), so any
//   key S3 accepts, up to its 1,024 bytes, is stored and listed back as it was;
// - a key over 1,024 bytes is refused as S3 refuses it (KeyTooLongError), a single PUT over 5 GiB as S3
//   refuses it (EntityTooLarge), and any other failure of the disk (no space left, a path the file system
//   still refuses) is answered as an S3 error naming the key and the cause, with nothing half-written left;
// - bodies are piped with stream.pipeline, so an aborted upload or a failing disk is an error, not a crash.
// S3's limits: https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html (keys up to 1,024
// bytes of UTF-8), https://docs.aws.amazon.com/AmazonS3/latest/userguide/upload-objects.html (a single PUT
// up to 5 GB; larger objects by multipart upload).

import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, readdir, rm, rmdir, unlink } from "node:fs/promises";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import S3Error from "s3rver/lib/models/error";
import S3Object from "s3rver/lib/models/object";
import FilesystemStore from "s3rver/lib/stores/filesystem";
import { MAX_S3_KEY_BYTES } from "../../jobs/boundary";

/** S3's longest key, in bytes of UTF-8. */
export const MAX_KEY_BYTES = MAX_S3_KEY_BYTES;
/** S3's largest single PUT (5 GiB); larger objects go by multipart upload. */
export const MAX_PUT_BYTES = 5 * 1024 ** 3;
/**
 * The longest name a key segment is stored under: 255 bytes per name (Linux, macOS) less s3rver's own
 * suffixes ("._S3rver_metadata.json", 22 bytes) and the continuation mark, with room to spare.
 */
export const MAX_NAME_BYTES = 200;

const CONTINUED = "%+";
const OBJECT_FILE = "._S3rver_object";

/**
 * A request s3rver would not route though S3 takes it: a key with an empty segment ("a//b", or one that
 * starts with "/") comes back from s3rver as a bare 404 the SDK cannot even parse. Refused in S3's words.
 */
export function unroutableKeyProblem(requestPath: string): string | undefined {
  const key = requestPath.split("/").slice(2).join("/");
  if (key === "" || !/(^|\/)\//.test(key)) return undefined;
  return 'the local S3 (s3rver) cannot route a key with an empty segment ("//", or a leading "/"), which S3 itself takes; name the object without one';
}

/** The file-system path (relative to the bucket's folder, "/"-separated) a key is stored under. */
export function keyToPath(key: string): string {
  return key.split("/").flatMap(segmentNames).join("/");
}

/** The key stored under a path that keyToPath made. */
export function pathToKey(stored: string): string {
  const segments: string[] = [];
  let pending = "";
  for (const name of stored.split("/")) {
    if (name.endsWith(CONTINUED)) {
      pending += name.slice(0, -CONTINUED.length);
      continue;
    }
    segments.push(unescapeSegment(pending + name));
    pending = "";
  }
  return segments.join("/");
}

function segmentNames(segment: string): string[] {
  const escaped = escapeSegment(segment);
  if (Buffer.byteLength(escaped) <= MAX_NAME_BYTES) return [escaped];
  // Split between characters, never inside a %XX escape or a character's UTF-8 bytes.
  const names: string[] = [];
  let name = "";
  for (const unit of escaped.match(/%[0-9A-F]{2}|[\s\S]/gu) ?? []) {
    if (Buffer.byteLength(name + unit) > MAX_NAME_BYTES) {
      names.push(name + CONTINUED);
      name = "";
    }
    name += unit;
  }
  names.push(name);
  return names;
}

function escapeSegment(segment: string): string {
  if (segment === "") return "%";
  if (segment === "." || segment === "..") return segment.replace(/\./g, "%2E");
  return segment.replace(/[%\0]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
}

function unescapeSegment(name: string): string {
  if (name === "%") return "";
  return name.replace(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

export class SafeFilesystemStore extends FilesystemStore {
  override getResourcePath(bucket: string, key: string | undefined, resource: string): string {
    // The bucket's own resources (its uploads folder, its configurations) are named as s3rver names them.
    if (key === undefined || key === "") return super.getResourcePath(bucket, key, resource);
    if (Buffer.byteLength(key) > MAX_KEY_BYTES) {
      throw new S3Error(
        "KeyTooLongError",
        `Your key is too long: ${Buffer.byteLength(key)} bytes of UTF-8, S3 takes at most ${MAX_KEY_BYTES}`,
      );
    }
    return `${path.join(this.getBucketPath(bucket), ...keyToPath(key).split("/"))}._S3rver_${resource}`;
  }

  override async putObject(object: S3Object): Promise<{ size: number; md5: string }> {
    const declared = Number(object.metadata["content-length"] ?? 0);
    if (declared > MAX_PUT_BYTES) {
      throw new S3Error(
        "EntityTooLarge",
        `Your proposed upload exceeds the maximum allowed size: ${declared} bytes in one PUT, S3 takes at most ${MAX_PUT_BYTES} (upload it in parts: a multipart upload)`,
      );
    }
    const objectPath = this.getResourcePath(object.bucket, object.key, "object");
    try {
      await mkdir(path.dirname(objectPath), { recursive: true });
      const written = await writeCounted(object.content, objectPath);
      await this.putMetadata(object.bucket, object.key, object.metadata, written.md5);
      return written;
    } catch (error) {
      // Nothing half-written is left to be read or listed as the object.
      await rm(objectPath, { force: true }).catch(() => {});
      throw storeError(error, `could not store s3://${object.bucket}/${object.key}`);
    }
  }

  override async putPart(
    bucket: string,
    uploadId: string,
    partNumber: number,
    content: Readable,
  ): Promise<{ size: number; md5: string }> {
    const partPath = path.join(
      this.getResourcePath(bucket, undefined, "uploads"),
      uploadId,
      String(partNumber),
    );
    try {
      await mkdir(path.dirname(partPath), { recursive: true });
      const written = await writeCounted(content, partPath);
      await writeFileText(`${partPath}.md5`, written.md5);
      return written;
    } catch (error) {
      await rm(partPath, { force: true }).catch(() => {});
      throw storeError(error, `could not store part ${partNumber} of upload ${uploadId} to bucket ${bucket}`);
    }
  }

  override async listObjects(
    bucket: string,
    options: { delimiter?: string; startAfter?: string; prefix?: string; maxKeys?: number },
  ): Promise<{ objects: S3Object[]; commonPrefixes: string[]; isTruncated: boolean }> {
    const { delimiter = "", startAfter = "", prefix = "", maxKeys = Number.POSITIVE_INFINITY } = options;
    const bucketPath = this.getBucketPath(bucket);
    // S3 lists keys in UTF-8 binary order.
    const keys = (await storedFiles(bucketPath))
      .filter((file) => file.endsWith(OBJECT_FILE))
      .map((file) => pathToKey(file.slice(0, -OBJECT_FILE.length)))
      .filter((key) => key.startsWith(prefix) && compareKeys(key, startAfter) > 0)
      .sort(compareKeys);
    const commonPrefixes = new Set<string>();
    const listed: string[] = [];
    let isTruncated = false;
    for (const key of keys) {
      const rest = key.slice(prefix.length);
      const cut = delimiter === "" ? -1 : rest.indexOf(delimiter);
      if (cut !== -1) {
        commonPrefixes.add(key.slice(0, prefix.length + cut + delimiter.length));
        continue;
      }
      if (listed.length >= maxKeys) {
        isTruncated = true;
        break;
      }
      listed.push(key);
    }
    const objects: S3Object[] = [];
    for (const key of listed) {
      const metadata = await this.getMetadata(bucket, key).catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return undefined; // deleted while listing
        throw error;
      });
      if (metadata !== undefined) objects.push(new S3Object(bucket, key, null, metadata));
    }
    return { objects, commonPrefixes: [...commonPrefixes].sort(compareKeys), isTruncated };
  }

  override async deleteObject(bucket: string, key: string): Promise<void> {
    const objectPath = this.getResourcePath(bucket, key, "object");
    for (const file of [
      objectPath,
      `${objectPath}.md5`,
      this.getResourcePath(bucket, key, "metadata.json"),
    ]) {
      await unlink(file).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== "ENOENT") throw error;
      });
    }
    // Folders left empty go, up to the bucket's own.
    const bucketPath = this.getBucketPath(bucket);
    for (let folder = path.dirname(objectPath); folder.startsWith(`${bucketPath}${path.sep}`); ) {
      const left = await readdir(folder).catch(() => ["?"]);
      if (left.length > 0) break;
      await rmdir(folder).catch(() => {});
      folder = path.dirname(folder);
    }
  }
}

/** Writes a body to a file, measuring it: its size and MD5 (the ETag). */
async function writeCounted(
  content: Readable | Buffer | null,
  file: string,
): Promise<{ size: number; md5: string }> {
  const md5 = createHash("md5");
  let size = 0;
  const source =
    content === null ? Readable.from([]) : Buffer.isBuffer(content) ? Readable.from([content]) : content;
  await pipeline(
    source,
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        md5.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    }),
    createWriteStream(file),
  );
  return { size, md5: md5.digest("hex") };
}

async function writeFileText(file: string, text: string): Promise<void> {
  await pipeline(Readable.from([text]), createWriteStream(file));
}

/** Every file under a folder, as paths relative to it with "/" between names. */
async function storedFiles(folder: string, under = ""): Promise<string[]> {
  const entries = await readdir(path.join(folder, under), { withFileTypes: true }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return [];
      throw error;
    },
  );
  const files: string[] = [];
  for (const entry of entries) {
    const relative = under === "" ? entry.name : `${under}/${entry.name}`;
    if (entry.isDirectory()) files.push(...(await storedFiles(folder, relative)));
    else files.push(relative);
  }
  return files;
}

function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** A failure of the disk as an S3 error: what could not be done, and why, in the client's answer. */
function storeError(error: unknown, what: string): Error {
  if (error instanceof S3Error) return error;
  const cause = error as NodeJS.ErrnoException;
  const code = cause.code ?? "";
  if (code === "ENAMETOOLONG") {
    return new S3Error(
      "KeyTooLongError",
      `${what}: the local S3's path for it is too long for this file system (ENAMETOOLONG); keep local mode's state folder (--state) shorter`,
    );
  }
  // A client that went away mid-upload: nothing to tell it, but no crash either.
  if (code === "ECONNRESET" || code === "ERR_STREAM_PREMATURE_CLOSE") {
    return new S3Error("IncompleteBody", `${what}: the upload ended before its body did`);
  }
  return new S3Error("InternalError", `${what}: ${cause.message ?? String(error)}`);
}
