// The worker contract's environment, parsed strictly: every missing or malformed variable is a
// ContractError that names it. And the developer's command line, which also allows local paths.

import { describe, expect, it } from "vitest";
import { PARAM_NAMES } from "../../contracts/params-schema";
import {
  AnalysisParamsSchema,
  helpText,
  locateOutcome,
  parseCommandLine,
  parseJob,
  parseWorkerEnv,
} from "../../worker/src/env";
import { ContractError, ParamsError, UsageError } from "../../worker/src/errors";

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
    ["JOB_PARAMS", '{"sceneTreshold":0.4}', 'JOB_PARAMS.sceneTreshold: unknown parameter "sceneTreshold"'],
    ["JOB_PARAMS", '{"sceneThreshold":2}', "JOB_PARAMS.sceneThreshold: Too big"],
    ["JOB_PARAMS", '{"maxThumbnails":"many"}', "JOB_PARAMS.maxThumbnails: Invalid input: expected number"],
  ])("%s=%j is an error naming it", (name, value, message) => {
    const env: Record<string, string | undefined> = { ...VALID, [name]: value };
    const error = contractErrorOf(() => parseWorkerEnv(env));
    expect(error.variable.startsWith(name)).toBe(true);
    expect(error.message).toContain(message);
  });
});

describe("who is at fault", () => {
  it("bad params are the submitter's (ParamsError, naming the key); the rest is the dispatcher's", () => {
    const params = contractErrorOf(() => parseWorkerEnv({ ...VALID, JOB_PARAMS: '{"preset":"720p"}' }));
    expect(params).toBeInstanceOf(ParamsError);
    expect(params).toMatchObject({ key: "preset", reason: "bad-params" });
    const several = contractErrorOf(() =>
      parseWorkerEnv({ ...VALID, JOB_PARAMS: '{"preset":"720p","maxThumbnails":-1}' }),
    );
    expect(several.message).toContain("preset");
    expect(several.message).toContain("maxThumbnails");
    const environment = contractErrorOf(() => parseWorkerEnv({ ...VALID, JOB_ATTEMPT: "x" }));
    expect(environment).not.toBeInstanceOf(ParamsError);
    expect(environment).not.toBeInstanceOf(UsageError);
    expect(environment.reason).toBe("bad-environment");
  });

  it("every problem of the command line is a UsageError, except the params", () => {
    const flag = contractErrorOf(() =>
      parseCommandLine(["--input", "a.mp4", "--output", "o/", "--attempt", "x"]),
    );
    expect(flag).toBeInstanceOf(UsageError);
    expect(flag.message).toBe('--attempt: must be a positive integer, got "x"');
    expect(contractErrorOf(() => parseCommandLine(["--nope"]))).toBeInstanceOf(UsageError);
    const params = contractErrorOf(() =>
      parseCommandLine(["--input", "a.mp4", "--output", "o/", "--params", "{"]),
    );
    expect(params).toBeInstanceOf(ParamsError);
  });

  it("no arguments and none of the contract's variables is a usage error, not a missing JOB_ID", () => {
    const error = contractErrorOf(() => parseJob([], { PATH: "/usr/bin" }));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toContain("pass --input and --output");
    // Some of the contract set: ECS started it, and what is missing is the dispatcher's fault.
    const partial = contractErrorOf(() => parseJob([], { JOB_ID: "a" }));
    expect(partial).not.toBeInstanceOf(UsageError);
    expect(partial.message).toBe("JOB_ATTEMPT: is not set");
  });

  it("--help lists every parameter with its default", () => {
    const help = helpText();
    for (const name of PARAM_NAMES) expect(help).toContain(name);
    expect(help).toContain("maxThumbnails (integer >= 0, <= 500; default 50)");
  });
});

describe("where the outcome goes, even when the job does not parse", () => {
  it("takes OUTPUT_URL and JOB_ATTEMPT on their own", () => {
    expect(locateOutcome([], { ...VALID, JOB_PARAMS: "{bad", INPUT_URL: "ftp://x" })).toEqual({
      jobId: "job_01-abc",
      attempt: 2,
      output: { kind: "s3", url: VALID.OUTPUT_URL, bucket: "results-bucket", prefix: "jobs/job_01-abc/" },
    });
    expect(locateOutcome([], { ...VALID, JOB_ID: "bad id" })?.jobId).toBeNull();
  });

  it("is unknown without an output or an attempt", () => {
    expect(locateOutcome([], { ...VALID, OUTPUT_URL: undefined })).toBeUndefined();
    expect(locateOutcome([], { ...VALID, JOB_ATTEMPT: "0" })).toBeUndefined();
    expect(locateOutcome(["--input", "a.mp4"], {})).toBeUndefined();
  });

  it("on the command line: the output directory, attempt 1 by default", () => {
    expect(locateOutcome(["--input", "a.mp4", "--output", "out/", "--params", "{"], {}, "/home/dev")).toEqual(
      {
        jobId: "local",
        attempt: 1,
        output: { kind: "dir", url: "/home/dev/out", path: "/home/dev/out" },
      },
    );
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
