// S3 access shared by the input fetch and the output upload: one client configured the SDK's standard way
// (region, credentials and endpoint from the environment: AWS_REGION, AWS_ENDPOINT_URL_S3 or
// AWS_ENDPOINT_URL, ...), plus AWS_S3_FORCE_PATH_STYLE=true for local S3 servers such as s3rver, and the
// classification of S3 failures into the worker's named errors.

import { S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import {
  ContractError,
  InputNotFoundError,
  InternalError,
  isNetworkError,
  TransientError,
  WorkerError,
} from "./errors";

export function createS3Client(env: NodeJS.ProcessEnv): S3Client {
  return new S3Client({ forcePathStyle: parseForcePathStyle(env.AWS_S3_FORCE_PATH_STYLE) });
}

function parseForcePathStyle(value: string | undefined): boolean {
  if (value === undefined || value === "" || value === "false") return false;
  if (value === "true") return true;
  throw new ContractError(
    "AWS_S3_FORCE_PATH_STYLE",
    `must be "true" or "false", got ${JSON.stringify(value)}`,
  );
}

/** Service errors that say "try again later". */
const TRANSIENT_CODES = new Set([
  "SlowDown",
  "Throttling",
  "ThrottlingException",
  "RequestTimeout",
  "RequestTimeoutException",
  "InternalError",
  "ServiceUnavailable",
  "ExpiredToken",
  "ExpiredTokenException",
  "RequestTimeTooSkewed",
]);

/** Without s3:ListBucket (the task role has none) S3 answers a missing key with 403 AccessDenied. */
const INPUT_MISSING_CODES = new Set(["NoSuchKey", "NoSuchBucket", "NotFound", "AccessDenied"]);

/**
 * What an S3 failure means for this job. `side` tells input from output: a missing input object is the
 * job's problem (66), a refused output bucket is the deployment's (70).
 */
export function classifyS3Error(error: unknown, side: "input" | "output", what: string): WorkerError {
  if (error instanceof WorkerError) return error; // already classified (e.g. a bad AWS_S3_FORCE_PATH_STYLE)
  const message = `${what}: ${errorText(error)}`;
  if (error instanceof S3ServiceException) {
    const status = error.$metadata.httpStatusCode ?? 0;
    if (TRANSIENT_CODES.has(error.name) || error.$retryable || error.$fault === "server" || status >= 500) {
      return new TransientError(`s3-${error.name}`, message, { cause: error });
    }
    if (side === "input" && (INPUT_MISSING_CODES.has(error.name) || status === 404)) {
      return new InputNotFoundError(`s3-${error.name}`, message, { cause: error });
    }
    return new InternalError(`s3-${error.name}`, message, { cause: error });
  }
  if (isNetworkError(error)) return new TransientError("network", message, { cause: error });
  if (error instanceof Error && error.name === "CredentialsProviderError") {
    // On ECS, credentials come from the task's metadata endpoint: failing to reach it is transient.
    return new TransientError("credentials", message, { cause: error });
  }
  return new InternalError("s3-client", message, { cause: error });
}

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  return `${error.name}${code ? ` (${code})` : ""}: ${error.message}`;
}
