// Job ids (contract): at most 36 characters of [A-Za-z0-9_-], so the id itself is RunTask's `startedBy`.
// Ids are deterministic, so a redelivered message or a duplicated S3 notification maps to the same job.

import { createHash } from "node:crypto";

export const JOB_ID_PATTERN = /^[A-Za-z0-9_-]{1,36}$/;
export const JOB_ID_RULE = "1 to 36 characters of A-Z, a-z, 0-9, '_' and '-'";

export function isJobId(value: string): boolean {
  return JOB_ID_PATTERN.test(value);
}

/** One S3 object version: the version id when the bucket is versioned, else the event's sequencer. */
export function jobIdForS3Object(object: {
  bucket: string;
  key: string;
  versionId?: string | undefined;
  sequencer?: string | undefined;
}): string {
  const revision = object.versionId ? `v:${object.versionId}` : `s:${object.sequencer ?? ""}`;
  return `s3-${digest([object.bucket, object.key, revision])}`;
}

/** A job message without its own `jobId`: keyed by the SQS message id, stable across redeliveries. */
export function jobIdForMessage(messageId: string): string {
  return `msg-${digest([messageId])}`;
}

/** A rejected message: keyed by the SQS message id, so a redelivery does not record it twice. */
export function jobIdForRejectedMessage(messageId: string): string {
  return `rej-${digest([messageId])}`;
}

/** The RunTask client token (at most 64 ASCII characters): one per job and launch attempt. */
export function clientToken(jobId: string, attempt: number): string {
  return `${jobId}.${attempt}`;
}

// 32 hex characters (128 bits): collisions are not a practical concern, and prefix + digest <= 36.
function digest(parts: readonly string[]): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 32);
}
