// Where a job's results are and what they are: the worker writes under OUTPUT_URL =
// `s3://<uploads bucket>/<outputPrefix><jobId>/` (jobs/boundary/worker-environment.ts) its artefacts first and
// result.json last (worker/src/output.ts). `show`, `watch` and `outputs` name them from here.

import { createWriteStream } from "node:fs";
import { access, mkdir } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { outputUrl } from "../jobs/boundary";
import type { CliConfig } from "./config";
import { CliError, UsageError } from "./errors";

/**
 * What the reference worker writes, relative to OUTPUT_URL (worker/src/result.ts RESULT_FILE,
 * worker/src/analyse.ts THUMBNAIL_DIR and CONTACT_SHEET_FILE; a test keeps them equal). Not imported:
 * the worker's modules bring ffmpeg's plumbing with them.
 */
export const ARTEFACTS = {
  result: "result.json",
  thumbnails: "thumbnails/",
  contactSheet: "contact-sheet.jpg",
} as const;

export type ArtefactKind = "result" | "thumbnail" | "contact sheet" | "other";

/** The artefacts by name, for people: what a successful job leaves. */
export const ARTEFACTS_DESCRIPTION = `${ARTEFACTS.result}, ${ARTEFACTS.thumbnails}scene-NNNN.jpg (one per scene), ${ARTEFACTS.contactSheet}`;

export interface OutputLocation {
  readonly bucket: string;
  /** Key prefix of the job's objects, ending in "/". */
  readonly prefix: string;
  /** `s3://bucket/prefix`. */
  readonly url: string;
  readonly artefacts: { readonly result: string; readonly thumbnails: string; readonly contactSheet: string };
}

/** The job's output location, when the bucket is known. */
export function outputLocation(config: CliConfig, jobId: string): OutputLocation | undefined {
  const bucket = config.bucket?.value;
  if (bucket === undefined) return undefined;
  const prefix = `${config.outputPrefix}${jobId}/`;
  // The OUTPUT_URL the dispatcher gives the worker: the same function.
  const url = outputUrl(jobId, {
    containerName: config.containerName,
    outputBucket: bucket,
    outputPrefix: config.outputPrefix,
  });
  return {
    bucket,
    prefix,
    url,
    artefacts: {
      result: `${url}${ARTEFACTS.result}`,
      thumbnails: `${url}${ARTEFACTS.thumbnails}`,
      contactSheet: `${url}${ARTEFACTS.contactSheet}`,
    },
  };
}

export function artefactKind(name: string): ArtefactKind {
  if (name === ARTEFACTS.result) return "result";
  if (name.startsWith(ARTEFACTS.thumbnails)) return "thumbnail";
  if (name === ARTEFACTS.contactSheet) return "contact sheet";
  return "other";
}

export interface OutputObject {
  /** The object's key relative to the job's prefix (`thumbnails/scene-0000.jpg`). */
  readonly name: string;
  readonly key: string;
  readonly size: number;
  readonly lastModified?: string;
  readonly kind: ArtefactKind;
}

/** Every object under the job's prefix, in key order (ListObjectsV2, page by page). */
export async function listOutputs(s3: S3Client, location: OutputLocation): Promise<OutputObject[]> {
  const objects: OutputObject[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: location.bucket,
        Prefix: location.prefix,
        ...(token === undefined ? {} : { ContinuationToken: token }),
      }),
    );
    for (const object of page.Contents ?? []) {
      if (object.Key === undefined || object.Key === location.prefix) continue;
      const name = object.Key.slice(location.prefix.length);
      objects.push({
        name,
        key: object.Key,
        size: object.Size ?? 0,
        ...(object.LastModified === undefined ? {} : { lastModified: object.LastModified.toISOString() }),
        kind: artefactKind(name),
      });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return objects;
}

/** Where each object goes under `directory`; a key that would land outside it is refused. */
export function downloadTargets(
  directory: string,
  objects: readonly OutputObject[],
): Array<{ object: OutputObject; path: string }> {
  const root = resolve(directory);
  return objects.map((object) => {
    const path = resolve(root, ...object.name.split("/"));
    const inside = relative(root, path);
    if (inside === "" || inside.startsWith(`..${sep}`) || inside === "..") {
      throw new CliError(`refusing to download ${object.key}: its name leads outside ${root}`);
    }
    return { object, path };
  });
}

/**
 * Downloads every object; refuses, before writing anything, when a target file exists and `force` is not
 * given (nothing of the user's is overwritten by surprise).
 */
export async function downloadOutputs(
  s3: S3Client,
  location: OutputLocation,
  objects: readonly OutputObject[],
  directory: string,
  force: boolean,
): Promise<Array<{ object: OutputObject; path: string }>> {
  const targets = downloadTargets(directory, objects);
  if (!force) {
    const existing: string[] = [];
    for (const target of targets) if (await exists(target.path)) existing.push(target.path);
    if (existing.length > 0) {
      throw new UsageError(
        `${existing.length} file${existing.length === 1 ? "" : "s"} already exist${existing.length === 1 ? "s" : ""} in ${resolve(directory)} (${existing
          .slice(0, 3)
          .map((p) => join(".", relative(resolve(directory), p)))
          .join(", ")}${existing.length > 3 ? ", ..." : ""}); nothing was downloaded`,
        "download into another directory, or pass --force to overwrite them",
      );
    }
  }
  for (const target of targets) {
    const got = await s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: target.object.key }));
    if (!(got.Body instanceof Readable)) {
      throw new CliError(`s3://${location.bucket}/${target.object.key}: S3 returned no readable body`);
    }
    await mkdir(dirname(target.path), { recursive: true });
    // "wx" without --force: a file that appeared since the check above is not overwritten either.
    await pipeline(got.Body, createWriteStream(target.path, { flags: force ? "w" : "wx" }));
  }
  return targets;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
