// A real local S3 (s3rver) on a free loopback port, its objects in a fresh temporary folder, for the
// worker's tests and local mode's. Clients reach it like any S3 endpoint, with path-style addressing:
// the SDK's standard variables (AWS_ENDPOINT_URL_S3) plus AWS_S3_FORCE_PATH_STYLE=true, see `env`.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";

export interface LocalS3 {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  /** Environment for a process that should use this S3 through the SDK's standard variables. */
  readonly env: Readonly<Record<string, string>>;
  /** A client for the test itself. */
  readonly client: S3Client;
  stop(): Promise<void>;
}

/** s3rver checks no signatures; any credentials will do, but the SDK insists on having some. */
export const LOCAL_S3_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
const REGION = "us-east-1";

export async function startLocalS3(options: { buckets?: readonly string[] } = {}): Promise<LocalS3> {
  const directory = await mkdtemp(path.join(tmpdir(), "s3rver-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name })),
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: REGION,
    credentials: LOCAL_S3_CREDENTIALS,
    forcePathStyle: true,
  });
  return {
    endpoint,
    env: {
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_S3_FORCE_PATH_STYLE: "true",
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
    },
    client,
    async stop() {
      client.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
