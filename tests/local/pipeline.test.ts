// Local mode end to end: the real handlers and worker against dynalite, s3rver and the SQS/ECS stand-ins,
// with a real generated video. One pipeline serves every case (the handlers read their environment once).

import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_CREDENTIALS } from "../../config/local-endpoints";
import { WebhookPublisher } from "../../jobs/adapters/http/webhook-publisher";
import { readMessage } from "../../jobs/boundary/intake";
import type { JobStateChange } from "../../jobs/boundary/outcome-events";
import type { JobEvent } from "../../jobs/model/events";
import { jobIdForRejectedMessage } from "../../jobs/model/job-id";
import { isTerminal, type JobState } from "../../jobs/model/state";
import type { StoredJob } from "../../jobs/store/store";
import { s3Notification } from "../../local/aws/s3";
import { LOCAL_NAMES, type LocalPipeline, startLocalPipeline } from "../../local/pipeline";
import { loadStackConfig } from "../../local/stack-config";
import { expectCallsAllowed } from "../support/aws-calls/check";
import { type ChildRecording, childRecording } from "../support/aws-calls/child-recording";
import { RUNTIME_FUNCTIONS, type RuntimeFunction } from "../support/aws-calls/stack-roles";
import { generateVideo, SCENE_TEST_VIDEO } from "../support/video";

const REPO = path.join(__dirname, "..", "..");
let pipeline: LocalPipeline;
let s3: S3Client;
let state: string;
let video: Buffer;
const changes: Array<{ jobId: string; events: readonly JobEvent[]; state: JobState }> = [];
/** What a webhook receiver got from local mode's outcome events (a real HTTP server). */
const posted: Array<{ id: string; "detail-type": string; detail: JobStateChange }> = [];
const metricLines: string[] = [];
const notices: string[] = [];
let webhookServer: Server;
let recording: ChildRecording | undefined;

beforeAll(async () => {
  await mkdir(path.join(REPO, "dist"), { recursive: true });
  // Inside the repository, so the worker bundle resolves the npm-packaged ffmpeg when the system has none.
  state = await mkdtemp(path.join(REPO, "dist", "local-test-"));
  const defaults = loadStackConfig(REPO, undefined);
  webhookServer = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      posted.push(JSON.parse(body));
      response.end();
    });
  });
  await new Promise<void>((resolve) => webhookServer.listen(0, "127.0.0.1", resolve));
  const webhook = new WebhookPublisher(
    `http://127.0.0.1:${(webhookServer.address() as AddressInfo).port}/hook`,
  );
  // Every AWS call the handlers make in their own process, recorded there and checked at the end.
  recording = childRecording(state);
  process.env.NODE_OPTIONS = [process.env.NODE_OPTIONS, recording.nodeOption].filter(Boolean).join(" ");
  pipeline = await startLocalPipeline({
    stateDirectory: state,
    reset: false,
    config: {
      ...defaults,
      jobs: { ...defaults.jobs, maxAttempts: 2, retryBaseDelaySeconds: 1, retryMaxDelaySeconds: 1 },
    },
    onJobChange: (jobId, events, jobState) => changes.push({ jobId, events, state: jobState }),
    onOutcomes: (outcomes) => webhook.publish(outcomes),
    onMetric: (line) => metricLines.push(line),
    onNotice: (line) => notices.push(line),
  });
  s3 = new S3Client({
    endpoint: pipeline.endpoints.endpoints.s3,
    region: pipeline.endpoints.region,
    forcePathStyle: true,
    credentials: LOCAL_CREDENTIALS,
  });
  const file = path.join(state, "clip.mp4");
  await generateVideo(file, SCENE_TEST_VIDEO);
  video = await readFile(file);
}, 120_000);

afterAll(async () => {
  webhookServer?.close();
  s3?.destroy();
  await pipeline?.stop();
  const recorded = recording?.read() ?? [];
  if (state) await rm(state, { recursive: true, force: true });
  // The handlers' calls, each against the role the Pulumi program gives that function (local mode's
  // resource names mapped onto the stack's through the environment both give the handlers).
  const outside = recorded.filter((group) => !isRuntimeFunction(group.handler));
  expect(outside.flatMap((group) => group.calls.map((call) => `${group.handler} ${call.command}`))).toEqual(
    [],
  );
  for (const group of recorded) {
    if (isRuntimeFunction(group.handler))
      await expectCallsAllowed(group.handler, group.calls, group.environment);
  }
  expect(recorded.map((group) => group.handler)).toEqual(
    expect.arrayContaining(["dispatcher", "task-state", "sweeper"]),
  );
}, 180_000);

const isRuntimeFunction = (handler: string): handler is RuntimeFunction =>
  (RUNTIME_FUNCTIONS as readonly string[]).includes(handler);

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

const types = (job: StoredJob) => job.events.map((e) => e.type);
const tasksOf = (jobId: string) =>
  pipeline.ecs.listTasks({
    cluster: pipeline.endpoints.clusterArn,
    startedBy: jobId,
    desiredStatus: "STOPPED",
  }).taskArns;

describe("local mode, end to end", () => {
  it("configures the handlers in a process of their own, leaving this process's environment as it was", () => {
    for (const name of [
      "JOBS_TABLE",
      "CAPACITY_TABLE",
      "CLUSTER_ARN",
      "AWS_ENDPOINT_URL_ECS",
      "MAX_RUNNING_TASKS",
    ])
      expect(process.env[name], name).toBeUndefined();
  });

  it("runs an uploaded video to SUCCEEDED, with result.json in the bucket and a complete history", async () => {
    const jobId = await upload("uploads/holiday clip.mp4", video);
    const job = await finished(jobId);
    expect(job.state).toMatchObject({ status: "SUCCEEDED", attempt: 1, exitCode: 0 });
    expect(types(job)).toEqual([
      "JobSubmitted",
      "TaskLaunchRequested",
      "TaskLaunched",
      "TaskRunning",
      "TaskStopped",
      "JobSucceeded",
    ]);
    expect(job.events[0]).toMatchObject({
      source: { kind: "s3", key: "uploads/holiday clip.mp4" },
      input: { videoUrl: "s3://video-jobs-uploads/uploads/holiday clip.mp4" },
    });
    const result = await s3.send(
      new GetObjectCommand({ Bucket: LOCAL_NAMES.bucket, Key: `outputs/${jobId}/result.json` }),
    );
    const parsed = JSON.parse(await (result.Body?.transformToString() ?? Promise.resolve("{}")));
    expect(parsed).toMatchObject({ job: { id: jobId, attempt: 1 } });
    expect(changes.filter((c) => c.jobId === jobId).flatMap((c) => c.events.map((e) => e.type))).toEqual(
      types(job),
    );
    // The same events as Job State Changes, POSTed in order, each once; cost from local timings.
    const received = posted.filter((p) => p.detail.jobId === jobId).map((p) => p.detail);
    expect(received.map((d) => [d.sequence, d.event, d.status])).toEqual(
      types(job).map((type, i) => [i + 1, type, received[i]?.status]),
    );
    expect(received.at(-1)).toMatchObject({
      status: "SUCCEEDED",
      output: { url: `s3://video-jobs-uploads/outputs/${jobId}/` },
      cost: { totalUsd: expect.any(Number) },
    });
    expect(received[4]?.cost?.attemptUsd).toBeGreaterThan(0);
    expect(posted.find((p) => p.detail.jobId === jobId)?.["detail-type"]).toBe("Job State Change");
    // The handlers' metrics, printed as lines where the deployed ones write Embedded Metric Format.
    expect(metricLines).toEqual(
      expect.arrayContaining([
        "metric JobsSubmitted 1 Count service=video-jobs-local",
        "metric JobsSucceeded 1 Count service=video-jobs-local",
        expect.stringMatching(/^metric QueueWaitSeconds \d+(\.\d{3})? Seconds service=video-jobs-local$/),
        expect.stringMatching(/^metric RunTimeSeconds \d+(\.\d{3})? Seconds service=video-jobs-local$/),
      ]),
    );
  }, 90_000);

  it("fails a corrupt video after exactly one attempt (exit 65)", async () => {
    const jobId = await upload(
      "uploads/corrupt.mp4",
      Buffer.concat([video.subarray(0, 2000), Buffer.alloc(5000, 7)]),
    );
    const job = await finished(jobId);
    expect(job.state).toMatchObject({ status: "FAILED", attempt: 1, exitCode: 65 });
    expect(tasksOf(jobId)).toHaveLength(1);
  }, 60_000);

  it("retries a worker that fails with a retryable code, with backoff, then fails after maxAttempts", async () => {
    // Nothing listens on a port just released: the worker's download fails with a network error (retryable).
    const port = await releasedPort();
    const body = JSON.stringify({
      videoUrl: `https://127.0.0.1:${port}/unreachable.mp4`,
      jobId: "local-unreachable",
    });
    pipeline.sqs.sendMessage(LOCAL_NAMES.queue, body);
    const job = await finished("local-unreachable");
    expect(job.state).toMatchObject({ status: "FAILED", attempt: 2, attemptsUsed: 1 });
    expect(job.state.reason).toMatch(/^failed after 2 attempts; last: worker exited with code /);
    const retry = job.events.find((e) => e.type === "RetryScheduled");
    expect(retry).toMatchObject({ nextAttempt: 2, delaySeconds: 1, countsAsAttempt: true });
    const stops = job.events.filter((e) => e.type === "TaskStopped");
    expect(stops.map((e) => (e.type === "TaskStopped" ? e.exitCode : undefined))).toEqual([
      expect.any(Number),
      expect.any(Number),
    ]);
    const retryAt = Date.parse(retry?.at ?? "");
    const secondLaunch = job.events.find((e) => e.type === "TaskLaunchRequested" && e.attempt === 2);
    expect(Date.parse(secondLaunch?.at ?? "") - retryAt).toBeGreaterThanOrEqual(900);
    expect(tasksOf("local-unreachable")).toHaveLength(2);
  }, 60_000);

  it("maps the same upload notified twice to one job and one task", async () => {
    // An object the bucket's filter does not notify by itself (outside the prefix), then S3 delivering one
    // notification twice.
    const key = "elsewhere/twice.mp4";
    await s3.send(new PutObjectCommand({ Bucket: LOCAL_NAMES.bucket, Key: key, Body: video }));
    const notification = JSON.stringify(
      s3Notification({
        region: "us-east-1",
        bucket: LOCAL_NAMES.bucket,
        key,
        eventName: "ObjectCreated:Put",
        eventTime: new Date().toISOString(),
        size: video.length,
        sequencer: "0000000000000000AB",
      }),
    );
    const first = pipeline.sqs.sendMessage(LOCAL_NAMES.queue, notification);
    pipeline.sqs.sendMessage(LOCAL_NAMES.queue, notification);
    const [intent] = readMessage(notification, first.MessageId);
    if (intent?.kind !== "submit") throw new Error("notification not read as a submission");
    const job = await finished(intent.jobId);
    await until(
      () => pipeline.sqs.attributes(LOCAL_NAMES.queue).ApproximateNumberOfMessagesNotVisible === "0",
    );
    expect(types(await pipeline.store.get(intent.jobId).then((j) => j as StoredJob))).toEqual(types(job));
    expect(types(job).filter((t) => t === "JobSubmitted")).toHaveLength(1);
    expect(tasksOf(intent.jobId)).toHaveLength(1);
  }, 60_000);

  it("runs a camera's upper-case .MOV, and prints a line and a metric for an upload that is not a video", async () => {
    const jobId = await upload("uploads/IMG_0001.MOV", video);
    expect((await finished(jobId)).state).toMatchObject({ status: "SUCCEEDED" });

    await s3.send(new PutObjectCommand({ Bucket: LOCAL_NAMES.bucket, Key: "uploads/notes.txt", Body: "hi" }));
    await until(() => notices.some((line) => line.includes("uploads/notes.txt")));
    expect(notices.find((line) => line.includes("uploads/notes.txt"))).toMatch(
      /^ignored s3:\/\/video-jobs-uploads\/uploads\/notes\.txt \(NotAVideo\): .*does not end with a video suffix/,
    );
    await until(() => metricLines.some((line) => line.startsWith("metric UploadsIgnored 1 Count")));
    expect(metricLines).toContain("metric UploadsIgnored 1 Count service=video-jobs-local Reason=NotAVideo");
  }, 60_000);

  it("records a malformed message as REJECTED and launches nothing", async () => {
    const { MessageId } = pipeline.sqs.sendMessage(
      LOCAL_NAMES.queue,
      '{"videoUrl": "ftp://nowhere/clip.mp4"}',
    );
    const jobId = jobIdForRejectedMessage(MessageId);
    const job = await finished(jobId, 10_000);
    expect(job.state).toMatchObject({ status: "REJECTED" });
    expect(job.state.reason).toMatch(/videoUrl must be s3:\/\/<bucket>\/<key> or an https:\/\/ URL/);
    expect(tasksOf(jobId)).toHaveLength(0);
  });

  it("answers the jobs CLI through the endpoints file", async () => {
    const { runCli } = await import("../../cli/main.js");
    let out = "";
    const code = await runCli(["--local", "list", "--json", "--status", "SUCCEEDED"], {
      stdout: { write: (text: string) => (out += text) },
      stderr: { write: () => true },
      env: { JOBS_LOCAL_ENDPOINTS: pipeline.endpointsFile },
      cwd: REPO,
      now: () => new Date(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    });
    expect(code).toBe(0);
    expect(JSON.stringify(JSON.parse(out))).toContain("holiday clip.mp4");

    // The job's outputs and worker log, as a user of local mode gets them (not from .local/s3's files).
    const jobs = (JSON.parse(out) as { jobs: Array<{ jobId: string; input?: { videoUrl: string } }> }).jobs;
    const jobId = jobs.find((j) => j.input?.videoUrl.endsWith("holiday clip.mp4"))?.jobId as string;
    const cli = async (args: string[]) => {
      let stdout = "";
      const exit = await runCli(["--local", ...args], {
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: () => true },
        env: { JOBS_LOCAL_ENDPOINTS: pipeline.endpointsFile },
        cwd: REPO,
        now: () => new Date(),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      });
      return { exit, stdout };
    };
    const target = mkdtempSync(path.join(tmpdir(), "local-outputs-"));
    const outputs = await cli(["outputs", jobId.slice(0, 10), "--download", target]);
    expect(outputs.exit).toBe(0);
    expect(outputs.stdout).toContain(`s3://${LOCAL_NAMES.bucket}/outputs/${jobId}/`);
    expect(JSON.parse(readFileSync(path.join(target, "result.json"), "utf8"))).toMatchObject({
      job: { id: jobId },
    });
    expect(existsSync(path.join(target, "contact-sheet.jpg"))).toBe(true);
    const logs = await cli(["logs", jobId]);
    expect(logs.exit).toBe(0);
    expect(logs.stdout).toMatch(/INFO {3}step {2}step=probe status=ok durationMs=\d+/);
    expect(logs.stdout).toMatch(/INFO {3}exit {2}.*exitCode=0 outcome=succeeded/);
  });
});

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function releasedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
