// The S3 adapter of the WorkerOutcomeReader port against a real local S3 (s3rver): it reads what the worker
// writes (built by the worker's own code), from the job's output prefix, and turns every other case — no
// file, not JSON, not the schema, another attempt's, too big, S3 refusing — into undefined, logged.

import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { S3WorkerOutcomeReader } from "../../jobs/adapters/aws/s3-worker-outcome-reader";
import { InvalidVideoError } from "../../worker/src/errors";
import { buildOutcome, failureWords } from "../../worker/src/outcome";
import { type LocalS3, startLocalS3 } from "../support/s3";

const BUCKET = "outputs-bucket";
const target = { outputBucket: BUCKET, outputPrefix: "outputs/" };
let s3: LocalS3;

beforeAll(async () => {
  s3 = await startLocalS3({ buckets: [BUCKET] });
});
afterAll(async () => {
  await s3?.stop();
});

function recordingLog() {
  const lines: Array<{ level: "info" | "warn"; message: string; context: Record<string, unknown> }> = [];
  return {
    lines,
    info: (message: string, context: Record<string, unknown>) =>
      lines.push({ level: "info", message, context }),
    warn: (message: string, context: Record<string, unknown>) =>
      lines.push({ level: "warn", message, context }),
  };
}

async function put(key: string, body: string): Promise<void> {
  await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
}

const workerOutcome = (jobId: string, attempt: number) =>
  buildOutcome({
    location: {
      jobId,
      attempt,
      output: { kind: "s3", url: "", bucket: BUCKET, prefix: `outputs/${jobId}/` },
    },
    exitCode: 65,
    words: failureWords(new InvalidVideoError("moov-missing", "truncated: the moov atom is missing")),
    startedAt: new Date("2026-11-29T10:00:00Z"),
    finishedAt: new Date("2026-11-29T10:00:02Z"),
    resources: { peakMemoryMb: 97.3, cpuSeconds: 0.61 },
  });

describe("reading a worker's outcome from S3", () => {
  it("reads the file the worker writes, at <outputPrefix><jobId>/outcome-<attempt>.json", async () => {
    await put("outputs/job-a/outcome-2.json", JSON.stringify(workerOutcome("job-a", 2)));
    const log = recordingLog();
    const reader = new S3WorkerOutcomeReader(s3.client, target, log);
    expect(await reader.read("job-a", 2)).toEqual({
      code: "truncated",
      message: "truncated: the moov atom is missing",
      hint: expect.stringContaining("upload the complete file"),
      exitCode: 65,
      peakMemoryMb: 97.3,
      cpuSeconds: 0.61,
    });
    expect(log.lines).toEqual([]);
  });

  it("leaves out figures the worker could not measure", async () => {
    const outcome = { ...workerOutcome("job-b", 1), peakMemoryMb: null, cpuSeconds: null };
    await put("outputs/job-b/outcome-1.json", JSON.stringify(outcome));
    const read = await new S3WorkerOutcomeReader(s3.client, target, recordingLog()).read("job-b", 1);
    expect(read).toBeDefined();
    expect(read).not.toHaveProperty("peakMemoryMb");
    expect(read).not.toHaveProperty("cpuSeconds");
  });

  it.each([
    ["no file", undefined, "info", "no worker outcome"],
    ["a body that is not JSON", "exit 65, sorry", "warn", "worker outcome is not JSON"],
    ["JSON of another shape", '{"code":"x"}', "warn", "worker outcome does not match its schema"],
    [
      "another attempt's file",
      JSON.stringify(workerOutcome("job-c", 1)),
      "warn",
      "worker outcome is another attempt's",
    ],
    [
      "a file far larger than an outcome",
      JSON.stringify({ ...workerOutcome("job-c", 3), padding: "x".repeat(40_000) }),
      "warn",
      "worker outcome is not JSON",
    ],
  ])("%s reads as undefined, logged", async (_label, body, level, message) => {
    const key = `outputs/job-c/outcome-3.json`;
    if (body !== undefined) await put(key, body);
    const log = recordingLog();
    expect(await new S3WorkerOutcomeReader(s3.client, target, log).read("job-c", 3)).toBeUndefined();
    expect(log.lines).toEqual([
      { level, message, context: expect.objectContaining({ jobId: "job-c", attempt: 3, key }) },
    ]);
  });

  it("never throws when S3 refuses (a bucket that does not exist)", async () => {
    const log = recordingLog();
    const reader = new S3WorkerOutcomeReader(s3.client, { ...target, outputBucket: "no-such-bucket" }, log);
    expect(await reader.read("job-d", 1)).toBeUndefined();
    expect(log.lines).toEqual([
      expect.objectContaining({ level: "warn", message: "worker outcome not read" }),
    ]);
  });
});
