// Failures are classified by type into named errors, and each class has its exit code of the contract.

import { NoSuchBucket, NoSuchKey, S3ServiceException } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import {
  ContractError,
  InputNotFoundError,
  InternalError,
  InvalidVideoError,
  localFileError,
  ParamsError,
  TerminatedError,
  TransientError,
  UsageError,
} from "../../worker/src/errors";
import { EXIT, exitFor } from "../../worker/src/exit-codes";
import { classifyS3Error } from "../../worker/src/s3";

function serviceError(
  name: string,
  status: number,
  fault: "client" | "server" = "client",
): S3ServiceException {
  return new S3ServiceException({
    name,
    $fault: fault,
    $metadata: { httpStatusCode: status },
    message: name,
  });
}

function systemError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });
}

describe("exit codes", () => {
  it.each([
    [new InvalidVideoError("ffprobe-rejected", "x"), 65, "invalid-video"],
    [new InputNotFoundError("s3-NoSuchKey", "x"), 66, "input-not-found"],
    [new InternalError("ffmpeg-not-found", "x"), 70, "internal-error"],
    [new ContractError("JOB_ID", "is not set"), 70, "internal-error"],
    [new ParamsError("JOB_PARAMS", 'unknown parameter "preset"', "preset"), 64, "bad-usage"],
    [new UsageError("--input", "is required"), 64, "bad-usage"],
    [new TransientError("network", "x"), EXIT.retryable, "retryable"],
    [new TerminatedError("SIGTERM"), 143, "terminated"],
    [new TerminatedError("SIGINT"), 130, "terminated"],
    [new TypeError("a bug"), 70, "internal-error"],
  ])("%o exits %i", (error, exitCode, outcome) => {
    expect(exitFor(error)).toEqual({ exitCode, outcome });
  });

  it("the retryable code is one the job model retries: non-zero, outside sysexits' 64-78", () => {
    expect(EXIT.retryable).not.toBe(0);
    expect(EXIT.retryable < 64 || EXIT.retryable > 78).toBe(true);
    expect(exitFor(new TerminatedError("SIGTERM")).exitCode > 78).toBe(true);
  });
});

describe("S3 failures", () => {
  it.each([
    ["NoSuchKey", new NoSuchKey({ message: "gone", $metadata: { httpStatusCode: 404 } }), InputNotFoundError],
    [
      "NoSuchBucket",
      new NoSuchBucket({ message: "gone", $metadata: { httpStatusCode: 404 } }),
      InputNotFoundError,
    ],
    ["a 404 without a code (HEAD)", serviceError("NotFound", 404), InputNotFoundError],
    // Without s3:ListBucket, S3 reports a missing key as 403.
    ["AccessDenied", serviceError("AccessDenied", 403), InputNotFoundError],
    ["InvalidAccessKeyId", serviceError("InvalidAccessKeyId", 403), InternalError],
    ["SlowDown", serviceError("SlowDown", 503, "server"), TransientError],
    ["InternalError", serviceError("InternalError", 500, "server"), TransientError],
    ["ExpiredToken", serviceError("ExpiredToken", 400), TransientError],
    ["connection refused", systemError("ECONNREFUSED"), TransientError],
    ["connection reset", systemError("ECONNRESET"), TransientError],
    ["a DNS failure", systemError("ENOTFOUND"), TransientError],
    [
      "missing credentials",
      Object.assign(new Error("no creds"), { name: "CredentialsProviderError" }),
      TransientError,
    ],
    ["a missing region", new Error("Region is missing"), InternalError],
  ])("reading the input: %s", (_label, error, expected) => {
    expect(classifyS3Error(error, "input", "reading s3://b/k")).toBeInstanceOf(expected);
  });

  it.each([
    ["NoSuchBucket", serviceError("NoSuchBucket", 404), InternalError],
    ["AccessDenied", serviceError("AccessDenied", 403), InternalError],
    ["SlowDown", serviceError("SlowDown", 503, "server"), TransientError],
    ["connection refused", systemError("ECONNREFUSED"), TransientError],
  ])("writing the output: %s (the deployment's problem, not the input's)", (_label, error, expected) => {
    expect(classifyS3Error(error, "output", "writing s3://b/k")).toBeInstanceOf(expected);
  });

  it("passes an already classified error through", () => {
    const error = new ContractError("AWS_S3_FORCE_PATH_STYLE", 'must be "true" or "false"');
    expect(classifyS3Error(error, "input", "reading s3://b/k")).toBe(error);
  });

  it("keeps the cause and says what was being done", () => {
    const cause = systemError("ECONNREFUSED");
    const error = classifyS3Error(cause, "input", "reading s3://videos/clip.mp4");
    expect(error.message).toContain("reading s3://videos/clip.mp4");
    expect(error.message).toContain("ECONNREFUSED");
    expect(error.cause).toBe(cause);
  });
});

describe("local file failures", () => {
  it("a full disk is an internal error tagged disk-full", () => {
    const error = localFileError(systemError("ENOSPC"), "writing input.mp4");
    expect(error).toBeInstanceOf(InternalError);
    expect(error.reason).toBe("disk-full");
  });
});
