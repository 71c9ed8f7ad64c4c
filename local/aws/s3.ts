// Local S3: s3rver with its objects under a folder (persisted across restarts in local mode), and S3 event
// notifications shaped like real ones — URL-encoded keys ("+" for a space), a sequencer that orders writes,
// eventVersion 2.1 — for every object created under the stack's input prefix, as the stack's bucket
// notification sends them (no suffix filter: the dispatcher decides which uploads are videos), handed to a
// sink (the local jobs queue).
// s3rver emits its own events, but with raw keys and a millisecond-clock sequencer; they are rewritten here.
// Objects are stored by SafeFilesystemStore (s3-store.ts): any key S3 takes, and every failure an S3 error
// answered to the client and reported (`onError`), never an exception that stops local mode.

import S3rver from "s3rver";
import S3Error from "s3rver/lib/models/error";
import { SafeFilesystemStore, unroutableKeyProblem } from "./s3-store";

export interface NotificationFilter {
  /** Objects created under this prefix notify; the stack's bucket filters on nothing else. */
  readonly prefix: string;
}

export interface LocalS3Options {
  readonly directory: string;
  readonly bucket: string;
  readonly region: string;
  readonly filter: NotificationFilter;
  /** Receives the notification body, as S3 would send it to the queue. */
  readonly notify: (body: string) => void;
  /** A request the local S3 failed on its side (a 5xx: the disk, not the request); 4xx answers are not reported. */
  readonly onError?: (error: Error) => void;
  readonly port?: number;
}

export interface RunningS3 {
  readonly endpoint: string;
  stop(): Promise<void>;
}

export async function startS3(options: LocalS3Options): Promise<RunningS3> {
  const server = new S3rver({
    address: "127.0.0.1",
    port: options.port ?? 0,
    silent: true,
    directory: options.directory,
    configureBuckets: [{ name: options.bucket }],
  });
  const store = new SafeFilesystemStore(options.directory);
  server.store = store;
  server.context.store = store;
  server.middleware.unshift(async (context, next) => {
    const problem = unroutableKeyProblem(context.path);
    if (problem !== undefined) throw new S3Error("InvalidArgument", problem);
    await next();
  });
  server.on("error", (error) => {
    if ((error.status ?? 500) >= 500 && !isClientGone(error)) options.onError?.(error);
  });
  const sequencer = new Sequencer();
  server.on("event", (event) => {
    for (const record of event.Records) {
      const { bucket, object } = record.s3;
      if (bucket.name !== options.bucket || !record.eventName.startsWith("ObjectCreated:")) continue;
      if (!matchesFilter(object.key, options.filter)) continue;
      const body = JSON.stringify(
        s3Notification({
          region: options.region,
          bucket: bucket.name,
          key: object.key,
          eventName: record.eventName,
          eventTime: record.eventTime,
          size: object.size ?? 0,
          ...(object.eTag === undefined ? {} : { eTag: object.eTag }),
          sequencer: sequencer.next(),
        }),
      );
      // The object is stored: a sink that fails is reported, never turned into a failed PutObject.
      try {
        options.notify(body);
      } catch (error) {
        options.onError?.(error instanceof Error ? error : new Error(String(error)));
      }
    }
  });
  const { port } = await server.run();
  return { endpoint: `http://127.0.0.1:${port}`, stop: () => server.close() };
}

/** A client that hung up mid-request, or sent what HTTP cannot parse: its doing, not the local S3's. */
function isClientGone(error: Error & { code?: string }): boolean {
  const code = error.code ?? "";
  return (
    code.startsWith("HPE_") ||
    ["ECONNRESET", "ECONNABORTED", "EPIPE", "ERR_STREAM_PREMATURE_CLOSE"].includes(code) ||
    error.message === "aborted"
  );
}

export function matchesFilter(key: string, filter: NotificationFilter): boolean {
  return key.startsWith(filter.prefix);
}

/**
 * S3 notifications carry keys form-URL-encoded (application/x-www-form-urlencoded, as Java's URLEncoder):
 * "+" for a space, every character but letters, digits and . - * _ percent-encoded — "(1) copy" becomes
 * "%281%29+copy" — except "/", which S3 leaves as it is.
 */
export function encodeS3Key(key: string): string {
  return encodeURIComponent(key)
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, "+")
    .replace(/%2F/g, "/");
}

/** A notification as S3 sends it to SQS (eventVersion 2.1; no versionId: the local bucket is unversioned). */
export function s3Notification(object: {
  region: string;
  bucket: string;
  key: string;
  eventName: string;
  eventTime: string;
  size: number;
  eTag?: string;
  sequencer: string;
}): Record<string, unknown> {
  return {
    Records: [
      {
        eventVersion: "2.1",
        eventSource: "aws:s3",
        awsRegion: object.region,
        eventTime: object.eventTime,
        eventName: object.eventName,
        userIdentity: { principalId: "AWS:LOCALUSER" },
        requestParameters: { sourceIPAddress: "127.0.0.1" },
        responseElements: { "x-amz-request-id": "LOCAL", "x-amz-id-2": "LOCAL" },
        s3: {
          s3SchemaVersion: "1.0",
          configurationId: "jobs",
          bucket: {
            name: object.bucket,
            ownerIdentity: { principalId: "LOCAL" },
            arn: `arn:aws:s3:::${object.bucket}`,
          },
          object: {
            key: encodeS3Key(object.key),
            size: object.size,
            ...(object.eTag === undefined ? {} : { eTag: object.eTag }),
            sequencer: object.sequencer,
          },
        },
      },
    ],
  };
}

/** Sequencers of one bucket increase with every write (S3 compares them as hex strings of equal length). */
class Sequencer {
  private last = 0n;

  next(): string {
    const now = BigInt(Date.now()) * 1000n;
    this.last = now > this.last ? now : this.last + 1n;
    return this.last.toString(16).toUpperCase().padStart(18, "0");
  }
}
