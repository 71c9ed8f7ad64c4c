// Types for s3rver (a local S3 on the filesystem), the subset the tests and local mode use: it ships none.
declare module "s3rver" {
  import type { AddressInfo } from "node:net";

  interface S3rverOptions {
    address?: string;
    /** 0 picks a free port. */
    port?: number;
    silent?: boolean;
    /** Folder holding the buckets and objects. */
    directory?: string;
    resetOnClose?: boolean;
    allowMismatchedSignatures?: boolean;
    vhostBuckets?: boolean;
    configureBuckets?: Array<{ name: string; configs?: Array<string | Buffer> }>;
  }
  /** What s3rver emits after a write: an S3-notification-like event (its keys are not URL-encoded). */
  interface S3rverEvent {
    Records: Array<{
      eventName: string;
      eventTime: string;
      s3: {
        bucket: { name: string };
        object: { key: string; size?: number; eTag?: string; sequencer: string };
      };
    }>;
  }
  class S3rver {
    constructor(options?: S3rverOptions);
    on(event: "event", listener: (event: S3rverEvent) => void): this;
    /** Koa's: every error a request ended with (an S3 error answered to the client, or a failure). */
    on(event: "error", listener: (error: Error & { status?: number; code?: string }) => void): this;
    /** Koa's middleware, composed when the server starts (local/aws/s3.ts puts a check in front). */
    readonly middleware: Array<
      (
        context: { readonly path: string; readonly method: string },
        next: () => Promise<void>,
      ) => Promise<void>
    >;
    /** The store the routes use: `store` on the app and on the request context's prototype. */
    store: object;
    readonly context: { store: object };
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
  }
  export = S3rver;
}

// s3rver's filesystem store and models, which local/aws/s3-store.ts extends (s3rver 3.7; no public types).
declare module "s3rver/lib/stores/filesystem" {
  import type { Readable } from "node:stream";

  import type S3Object = require("s3rver/lib/models/object");

  class FilesystemStore {
    constructor(rootDirectory: string);
    readonly rootDirectory: string;
    getBucketPath(bucket: string): string;
    getResourcePath(bucket: string, key: string | undefined, resource: string): string;
    getMetadata(bucket: string, key: string): Promise<Record<string, string | number>>;
    putMetadata(
      bucket: string,
      key: string,
      metadata: Record<string, string | number>,
      md5?: string,
    ): Promise<void>;
    listObjects(
      bucket: string,
      options: { delimiter?: string; startAfter?: string; prefix?: string; maxKeys?: number },
    ): Promise<{ objects: S3Object[]; commonPrefixes: string[]; isTruncated: boolean }>;
    putObject(object: S3Object): Promise<{ size: number; md5: string }>;
    putPart(
      bucket: string,
      uploadId: string,
      partNumber: number,
      content: Readable,
    ): Promise<{ size: number; md5: string }>;
    deleteObject(bucket: string, key: string): Promise<void>;
  }
  export = FilesystemStore;
}

declare module "s3rver/lib/models/object" {
  import type { Readable } from "node:stream";

  class S3Object {
    constructor(
      bucket: string,
      key: string,
      content: Readable | Buffer | null,
      metadata: Record<string, string | number | undefined>,
    );
    readonly bucket: string;
    readonly key: string;
    readonly content: Readable | Buffer | null;
    readonly metadata: Record<string, string | number>;
  }
  export = S3Object;
}

declare module "s3rver/lib/models/error" {
  /** An error answered as S3 answers it: the code, its HTTP status from S3's table, the message. */
  class S3Error extends Error {
    constructor(code: string, message: string, detail?: Record<string, string>);
    readonly code: string;
    readonly status: number;
  }
  export = S3Error;
}
