// The contract between local mode and the jobs CLI (here, beside the stack configuration, so that neither
// cli/ nor local/ owns it): local mode writes this file when its stand-ins are up
// (a local DynamoDB, S3, SQS and ECS on loopback) and `jobs --local` reads it. One module owns the shape and
// the path, so the writer and the reader cannot drift.

import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { z } from "zod";

/** Repository root: local mode's state lives under `.local/` there (git-ignored). */
export const PROJECT_ROOT = join(__dirname, "..");

/**
 * Credentials for local mode's endpoints. The SDK will not send a request without some; s3rver (the local
 * S3) accepts only its own key pair, and the other stand-ins check none.
 */
export const LOCAL_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;

/** Where local mode writes its endpoints, relative to the repository root. */
export const LOCAL_ENDPOINTS_FILE = ".local/endpoints.json";

/** Overrides the file's location (tests, or several local modes side by side). */
export const LOCAL_ENDPOINTS_ENV = "JOBS_LOCAL_ENDPOINTS";

const endpoint = z.url({ error: "must be a URL like http://127.0.0.1:4566" });

const schema = z.object({
  region: z.string().min(1),
  endpoints: z.object({ dynamodb: endpoint, s3: endpoint, sqs: endpoint, ecs: endpoint }),
  tableName: z.string().min(1),
  /** Points at the local SQS endpoint: the SDK sends each call to the host of the queue URL. */
  queueUrl: endpoint,
  clusterArn: z.string().min(1),
  bucket: z.string().min(1),
  /** The stack settings local mode runs with: where uploads start jobs, where the worker writes outputs. */
  inputPrefix: z.string().min(1).optional(),
  outputPrefix: z.string().min(1).optional(),
  /** Worker log group, when local mode keeps one. */
  logGroup: z.string().min(1).optional(),
  /** Directory of the worker's logs, one `<task id>.log` per task (default: `logs/` beside this file). */
  workerLogDirectory: z.string().min(1).optional(),
  /** The stack's maxWorkerMemoryMb local mode runs with (`retry` of a job that ran out of memory). */
  maxWorkerMemoryMb: z.number().int().positive().optional(),
  /** The deadlines local mode's sweeper applies (shorter than a stack's). */
  deadlines: z
    .object({
      launchSeconds: z.number().int().positive(),
      runSeconds: z.number().int().positive(),
      quietSeconds: z.number().int().positive(),
    })
    .optional(),
});

export type LocalEndpoints = z.infer<typeof schema>;

export function localEndpointsPath(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env[LOCAL_ENDPOINTS_ENV] || join(PROJECT_ROOT, LOCAL_ENDPOINTS_FILE);
}

/** Where local mode's worker logs are: the file's own say, else `logs/` beside the file. */
export function workerLogDirectory(endpoints: LocalEndpoints, path: string): string {
  return endpoints.workerLogDirectory ?? join(dirname(path), "logs");
}

export class LocalEndpointsError extends Error {
  override readonly name = "LocalEndpointsError";
}

/** Reads and validates the file; a missing or malformed file is a LocalEndpointsError saying what to do. */
export function readLocalEndpoints(path: string): LocalEndpoints {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new LocalEndpointsError(
        `local mode is not running (no ${path}): start it with \`npm run local\``,
      );
    }
    throw new LocalEndpointsError(`cannot read ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new LocalEndpointsError(
      `${path} is not JSON (${(error as Error).message}): restart \`npm run local\``,
    );
  }
  const result = schema.safeParse(parsed);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join(".") || "file"}: ${i.message}`).join("; ");
    throw new LocalEndpointsError(
      `${path} is not a local endpoints file (${problems}): restart \`npm run local\``,
    );
  }
  return result.data;
}

/** For local mode: writes the file atomically (a reader never sees half of it). */
export function writeLocalEndpoints(path: string, endpoints: LocalEndpoints): void {
  const valid = schema.parse(endpoints);
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(valid, null, 2)}\n`);
  renameSync(temporary, path);
}
