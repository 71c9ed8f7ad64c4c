// The worker's words for each way a job ends (code, message, hint), and the outcome file they become:
// valid against the published schema, one line, bounded, and written without ever throwing.

import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { OUTCOME_TEXT_MAX, WorkerOutcomeSchema } from "../../contracts/outcome-schema";
import {
  ContractError,
  InputNotFoundError,
  InternalError,
  InvalidVideoError,
  ParamsError,
  TerminatedError,
  TransientError,
  UsageError,
} from "../../worker/src/errors";
import { createLogger, type Logger } from "../../worker/src/log";
import { buildOutcome, failureWords, writeOutcome } from "../../worker/src/outcome";

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), "outcome-test-"));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const silent = (): { log: Logger; lines: string[] } => {
  const lines: string[] = [];
  return { log: createLogger({ base: {}, write: (line) => lines.push(line) }), lines };
};

describe("the words for each ending", () => {
  it.each([
    [new InvalidVideoError("empty-input", "the file is empty (0 bytes)"), "empty-input"],
    [new InvalidVideoError("moov-missing", "truncated: the moov atom is missing"), "truncated"],
    [
      new InvalidVideoError("partly-undecodable", "only 152 of 900 video frames decode"),
      "partly-undecodable",
    ],
    [new InvalidVideoError("no-decodable-frames", "ffmpeg decoded no video frame"), "undecodable"],
    [new InvalidVideoError("ffprobe-rejected", "not a readable media file"), "not-a-video"],
    [new InvalidVideoError("still-image", "a still image (png_pipe), not a video"), "not-a-video"],
    [new InputNotFoundError("s3-NoSuchKey", "reading s3://b/k: NoSuchKey"), "input-not-found"],
    [new ParamsError("JOB_PARAMS", 'unknown parameter "preset"', "preset"), "bad-params"],
    [new UsageError("--input", "is required"), "bad-usage"],
    [new ContractError("JOB_ID", "is not set"), "bad-environment"],
    [new TransientError("network", "ECONNRESET"), "transient"],
    [new TerminatedError("SIGTERM"), "interrupted"],
    [new InternalError("disk-full", "ENOSPC"), "internal"],
    [new TypeError("a bug"), "internal"],
  ])("%o is %s, in the error's own message, with a hint", (error, code) => {
    const words = failureWords(error);
    expect(words.code).toBe(code);
    expect(words.message).toBe(error.message);
    expect(words.hint?.length).toBeGreaterThan(10);
  });

  it("names the accepted params when a key is refused", () => {
    expect(failureWords(new ParamsError("JOB_PARAMS", "x", "preset")).hint).toContain(
      "sceneThreshold, maxThumbnails",
    );
  });
});

describe("the outcome file", () => {
  const facts = {
    location: { jobId: "job-1", attempt: 3, output: { kind: "dir" as const, url: "", path: "" } },
    exitCode: 65,
    startedAt: new Date("2026-11-29T10:00:00Z"),
    finishedAt: new Date("2026-11-29T10:00:07Z"),
    resources: { peakMemoryMb: 212.5, cpuSeconds: 3.25 },
  };

  it("is valid against the published schema, on one line and within bounds", () => {
    const outcome = buildOutcome({
      ...facts,
      words: { code: "not-a-video", message: `ffmpeg:\nline one\r\nline two ${"x".repeat(900)}`, hint: "h" },
    });
    expect(WorkerOutcomeSchema.parse(outcome)).toEqual(outcome);
    expect(outcome.message).toMatch(/^ffmpeg: \| line one \| line two x+…$/);
    expect(outcome.message).toHaveLength(OUTCOME_TEXT_MAX);
    expect(outcome).toMatchObject({ jobId: "job-1", attempt: 3, exitCode: 65, peakMemoryMb: 212.5 });
  });

  it("is written as outcome-<attempt>.json under the output", async () => {
    const dir = path.join(scratch, "out");
    const location = { ...facts.location, output: { kind: "dir" as const, url: dir, path: dir } };
    const outcome = buildOutcome({ ...facts, location, words: failureWords(new TerminatedError("SIGTERM")) });
    expect(await writeOutcome(location, outcome, { env: {}, log: silent().log })).toBe(true);
    const written = JSON.parse(await readFile(path.join(dir, "outcome-3.json"), "utf8"));
    expect(WorkerOutcomeSchema.parse(written)).toMatchObject({ code: "interrupted", attempt: 3 });
  });

  it("is given up on within its time bound, logged, never thrown", async () => {
    // An S3 endpoint that accepts connections and never answers: only the time bound ends the attempt.
    const silentServer = createServer(() => undefined);
    await new Promise<void>((resolve) => silentServer.listen(0, "127.0.0.1", resolve));
    const { port } = silentServer.address() as AddressInfo;
    const env = {
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "x",
      AWS_SECRET_ACCESS_KEY: "x",
      AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}`,
      AWS_S3_FORCE_PATH_STYLE: "true",
    };
    // The SDK reads its endpoint from the process's environment, as the worker's does.
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    const location = {
      ...facts.location,
      output: {
        kind: "s3" as const,
        url: "s3://results/jobs/job-1/",
        bucket: "results",
        prefix: "jobs/job-1/",
      },
    };
    const outcome = buildOutcome({ ...facts, location, words: failureWords(new TypeError("x")) });
    const { log, lines } = silent();
    try {
      expect(await writeOutcome(location, outcome, { env, log, timeoutMs: 300 })).toBe(false);
      expect(lines.map((line) => JSON.parse(line).msg)).toEqual(["outcome not written"]);
      expect(JSON.parse(lines[0] ?? "{}").error.message).toMatch(/abort|timeout/i);
    } finally {
      vi.unstubAllEnvs();
      silentServer.closeAllConnections();
      await new Promise((resolve) => silentServer.close(resolve));
    }
  });
});
