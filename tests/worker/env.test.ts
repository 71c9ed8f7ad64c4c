// The worker contract's environment, parsed strictly: every missing or malformed variable is a
// ContractError that names it. And the developer's command line, which also allows local paths.

import { describe, expect, it } from "vitest";
import { AnalysisParamsSchema, parseCommandLine, parseWorkerEnv } from "../../worker/src/env";
import { ContractError } from "../../worker/src/errors";

const VALID = {
  JOB_ID: "job_01-abc",
  JOB_ATTEMPT: "2",
  INPUT_URL: "s3://uploads-bucket/videos/My Clip+1.mp4",
  OUTPUT_URL: "s3://results-bucket/jobs/job_01-abc/",
};

function contractErrorOf(work: () => unknown): ContractError {
  try {
    work();
  } catch (error) {
    if (error instanceof ContractError) return error;
    throw error;
  }
  throw new Error("expected a ContractError");
}

describe("the contract's environment", () => {
  it("parses a valid environment, with default analysis parameters", () => {
    expect(parseWorkerEnv(VALID)).toEqual({
      jobId: "job_01-abc",
      attempt: 2,
      input: {
        kind: "s3",
        url: VALID.INPUT_URL,
        bucket: "uploads-bucket",
        key: "videos/My Clip+1.mp4", // verbatim: the dispatcher has already decoded notification keys
      },
      output: { kind: "s3", url: VALID.OUTPUT_URL, bucket: "results-bucket", prefix: "jobs/job_01-abc/" },
      params: AnalysisParamsSchema.parse({}),
    });
  });

  it("takes https inputs and JOB_PARAMS", () => {
    const config = parseWorkerEnv({
      ...VALID,
      INPUT_URL: "https://example.com/v.mp4?X-Amz-Signature=abc",
      JOB_PARAMS: '{"sceneThreshold":0.45,"maxThumbnails":10}',
    });
    expect(config.input).toEqual({ kind: "http", url: "https://example.com/v.mp4?X-Amz-Signature=abc" });
    expect(config.params).toMatchObject({ sceneThreshold: 0.45, maxThumbnails: 10, thumbnailWidth: 320 });
  });

  it("treats an empty JOB_PARAMS as absent", () => {
    expect(parseWorkerEnv({ ...VALID, JOB_PARAMS: "" }).params).toEqual(AnalysisParamsSchema.parse({}));
  });

  it.each([
    ["JOB_ID", undefined, "JOB_ID: is not set"],
    ["JOB_ID", "", "JOB_ID: is empty"],
    ["JOB_ID", "has space", "JOB_ID: must be 1 to 36 characters"],
    ["JOB_ID", "x".repeat(37), "JOB_ID: must be 1 to 36 characters"],
    ["JOB_ATTEMPT", undefined, "JOB_ATTEMPT: is not set"],
    ["JOB_ATTEMPT", "0", "JOB_ATTEMPT: must be a positive integer"],
    ["JOB_ATTEMPT", "1.5", "JOB_ATTEMPT: must be a positive integer"],
    ["JOB_ATTEMPT", "-1", "JOB_ATTEMPT: must be a positive integer"],
    ["INPUT_URL", undefined, "INPUT_URL: is not set"],
    ["INPUT_URL", "http://example.com/v.mp4", "INPUT_URL: must be s3:// or https://"],
    ["INPUT_URL", "/tmp/video.mp4", "INPUT_URL: must be s3://bucket/key or https://"],
    ["INPUT_URL", "s3://bucket-only", "INPUT_URL: names no object"],
    ["INPUT_URL", "s3://Bad_Bucket/key.mp4", "INPUT_URL: has an invalid bucket name"],
    ["INPUT_URL", "https://", "INPUT_URL: is not a valid URL"],
    ["OUTPUT_URL", undefined, "OUTPUT_URL: is not set"],
    ["OUTPUT_URL", "s3://results-bucket/jobs/abc", 'OUTPUT_URL: must be a prefix ending in "/"'],
    ["OUTPUT_URL", "./out/", "OUTPUT_URL: must be s3://bucket/prefix/"],
    ["JOB_PARAMS", "{nope", "JOB_PARAMS: is not valid JSON"],
    ["JOB_PARAMS", "[1,2]", "JOB_PARAMS: Invalid input: expected object"],
    ["JOB_PARAMS", '{"sceneTreshold":0.4}', 'JOB_PARAMS: Unrecognized key: "sceneTreshold"'],
    ["JOB_PARAMS", '{"sceneThreshold":2}', "JOB_PARAMS.sceneThreshold: Too big"],
    ["JOB_PARAMS", '{"maxThumbnails":"many"}', "JOB_PARAMS.maxThumbnails: Invalid input: expected number"],
  ])("%s=%j is an error naming it", (name, value, message) => {
    const env: Record<string, string | undefined> = { ...VALID, [name]: value };
    const error = contractErrorOf(() => parseWorkerEnv(env));
    expect(error.variable.startsWith(name)).toBe(true);
    expect(error.message).toContain(message);
  });
});

describe("the command line", () => {
  it("allows local paths, resolved against the working directory, and defaults the job id", () => {
    const config = parseCommandLine(["--input", "clip.mp4", "--output", "out/"], "/home/dev");
    expect(config).toMatchObject({
      jobId: "local",
      attempt: 1,
      input: { kind: "file", path: "/home/dev/clip.mp4" },
      output: { kind: "dir", path: "/home/dev/out" },
    });
  });

  it("allows plain http, S3 and every flag", () => {
    const config = parseCommandLine([
      ...["--input", "http://127.0.0.1:8080/v.mp4", "--output", "s3://results-bucket/x/"],
      ...["--job-id", "dev-1", "--attempt", "3", "--params", '{"maxThumbnails":5}'],
    ]);
    expect(config).toMatchObject({
      jobId: "dev-1",
      attempt: 3,
      input: { kind: "http" },
      output: { kind: "s3", bucket: "results-bucket", prefix: "x/" },
      params: { maxThumbnails: 5 },
    });
  });

  it.each([
    [["--output", "out/"], "--input: is required"],
    [["--input", "clip.mp4"], "--output: is required"],
    [["--input", "clip.mp4", "--output", "out/", "--verbose"], "Unknown option '--verbose'"],
    [["--input", "ftp://host/clip.mp4", "--output", "out/"], "--input: must be s3://bucket/key or https://"],
    [["--input", "clip.mp4", "--output", "out/", "--attempt", "x"], "--attempt: must be a positive integer"],
    [["--input", "clip.mp4", "--output", "out/", "--params", "{"], "--params: is not valid JSON"],
  ])("%j is an error naming the flag", (argv, message) => {
    expect(contractErrorOf(() => parseCommandLine(argv)).message).toContain(message);
  });
});
