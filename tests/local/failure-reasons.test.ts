// Local mode end to end, for the inputs a worker refuses: the real handlers and worker against dynalite,
// s3rver and the SQS/ECS stand-ins. Each failure's reason in the stored history is the worker's own (from
// its outcome file, read by the task-state handler), not just "exit 65".

import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_CREDENTIALS } from "../../config/local-endpoints";
import { WorkerOutcomeSchema } from "../../contracts/outcome-schema";
import type { JobEvent } from "../../jobs/model/events";
import { isTerminal } from "../../jobs/model/state";
import type { StoredJob } from "../../jobs/store/store";
import { LOCAL_NAMES, type LocalPipeline, startLocalPipeline } from "../../local/pipeline";
import { loadStackConfig } from "../../local/stack-config";
import { generateVideo, SCENE_TEST_VIDEO, withIndexAtEnd } from "../support/video";

const REPO = path.join(__dirname, "..", "..");
let pipeline: LocalPipeline;
let s3: S3Client;
let state: string;
let indexLast: Buffer;

beforeAll(async () => {
  await mkdir(path.join(REPO, "dist"), { recursive: true });
  // Inside the repository, so the worker bundle resolves the npm-packaged ffmpeg when the system has none.
  state = await mkdtemp(path.join(REPO, "dist", "local-reasons-"));
  pipeline = await startLocalPipeline({
    stateDirectory: state,
    reset: false,
    config: loadStackConfig(REPO, undefined),
  });
  s3 = new S3Client({
    endpoint: pipeline.endpoints.endpoints.s3,
    region: pipeline.endpoints.region,
    forcePathStyle: true,
    credentials: LOCAL_CREDENTIALS,
  });
  const clip = path.join(state, "clip.mp4");
  await generateVideo(clip, SCENE_TEST_VIDEO);
  await withIndexAtEnd(clip, path.join(state, "index-last.mp4"));
  indexLast = await readFile(path.join(state, "index-last.mp4"));
}, 120_000);

afterAll(async () => {
  s3?.destroy();
  await pipeline?.stop();
  if (state) await rm(state, { recursive: true, force: true });
});

async function upload(key: string, body: Buffer): Promise<string> {
  const jobId = pipeline.jobIdOfUpload(key);
  await s3.send(new PutObjectCommand({ Bucket: LOCAL_NAMES.bucket, Key: key, Body: body }));
  return jobId;
}

async function finished(jobId: string, timeoutMs = 60_000): Promise<StoredJob> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stored = await pipeline.store.get(jobId);
    if (stored && isTerminal(stored.state.status)) {
      await pipeline.ecs.settled();
      return (await pipeline.store.get(jobId)) as StoredJob;
    }
    if (Date.now() > deadline)
      throw new Error(`job ${jobId} did not finish: ${JSON.stringify(stored?.state)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const stopOf = (job: StoredJob) =>
  job.events.find((e): e is Extract<JobEvent, { type: "TaskStopped" }> => e.type === "TaskStopped");

describe("local mode: the worker's reason for refusing an input is in the history", () => {
  it.each([
    [
      "an empty file",
      "uploads/empty.mp4",
      () => Buffer.alloc(0),
      65,
      "empty-input",
      "the file is empty (0 bytes)",
    ],
    [
      "a text file renamed .mp4",
      "uploads/notes.mp4",
      () => Buffer.from("meeting notes, not a video\n".repeat(50)),
      65,
      "not-a-video",
      "not a readable media file: Invalid data found when processing input",
    ],
    [
      "an MP4 cut off before its index",
      "uploads/cut off.mp4",
      () => indexLast.subarray(0, Math.floor(indexLast.length / 2)),
      65,
      "truncated",
      "truncated: the moov atom is missing (the MP4's index, which is written last)",
    ],
  ])(
    "%s",
    async (_label, key, body, exitCode, code, message) => {
      const jobId = await upload(key, body());
      const job = await finished(jobId);
      expect(job.state).toMatchObject({
        status: "FAILED",
        attempt: 1,
        exitCode,
        reason: `input is not a processable video: ${message}`,
      });
      const stop = stopOf(job);
      expect(stop?.workerOutcome).toMatchObject({ code, message, hint: expect.any(String) });
      expect(stop?.workerOutcome?.peakMemoryMb).toBeGreaterThan(0);
      expect(stop?.workerOutcome?.cpuSeconds).toBeGreaterThan(0);
      // The file the handler read is there for anyone to read, under the job's outputs.
      const file = await s3.send(
        new GetObjectCommand({ Bucket: LOCAL_NAMES.bucket, Key: `outputs/${jobId}/outcome-1.json` }),
      );
      const outcome = WorkerOutcomeSchema.parse(JSON.parse((await file.Body?.transformToString()) ?? ""));
      expect(outcome).toMatchObject({ jobId, attempt: 1, code, exitCode, message });
    },
    60_000,
  );

  it("an input that does not exist", async () => {
    const videoUrl = `s3://${LOCAL_NAMES.bucket}/uploads/nowhere.mp4`;
    pipeline.sqs.sendMessage(LOCAL_NAMES.queue, JSON.stringify({ videoUrl, jobId: "local-missing" }));
    const job = await finished("local-missing");
    expect(job.state).toMatchObject({ status: "FAILED", exitCode: 66 });
    expect(job.state.reason).toMatch(
      /^input not found: reading s3:\/\/video-jobs-uploads\/uploads\/nowhere\.mp4: NoSuchKey/,
    );
    expect(stopOf(job)?.workerOutcome).toMatchObject({ code: "input-not-found" });
  }, 60_000);
});
