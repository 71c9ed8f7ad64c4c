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
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
  }
  export = S3rver;
}
