// submit, retry and cancel: the job store is a real local DynamoDB (dynalite) seeded through the job model;
// SQS, ECS and S3 are mocked at the SDK (aws-sdk-client-mock). Each test checks what was sent and what was
// recorded, and where it matters, feeds what was sent to the dispatcher's own workflow.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DescribeTasksCommand,
  ECSClient,
  InvalidParameterException,
  ListTasksCommand,
  StopTaskCommand,
} from "@aws-sdk/client-ecs";
import { HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DynamoDbJobStore } from "../../jobs/adapters/aws/dynamodb-store";
import { memoryCapacity } from "../../jobs/adapters/memory/memory-capacity";
import { MemoryJobStore } from "../../jobs/adapters/memory/memory-store";
import { jobDecider } from "../../jobs/model/decide";
import { jobIdForMessage } from "../../jobs/model/job-id";
import { DEFAULT_RETRY_POLICY } from "../../jobs/model/retry-policy";
import type { LaunchRequest, TaskLauncher } from "../../jobs/store/ports";
import { changeJob, type JobStore } from "../../jobs/store/store";
import { dispatchMessage } from "../../jobs/workflows/dispatch";
import { type LocalDynamoDb, startLocalDynamoDb } from "../support/dynamodb";
import { CLUSTER, JobDriver, seed, taskArnFor, video } from "../support/histories";
import { dynamoEnv, jobs, NOW } from "./support/run";

const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/111122223333/video-jobs-queue";
const CLUSTER_ARN = `arn:aws:ecs:us-east-1:111122223333:cluster/${CLUSTER}`;
const BUCKET = "video-jobs-uploads";

const sqs = mockClient(SQSClient);
const ecs = mockClient(ECSClient);
const s3 = mockClient(S3Client);
let db: LocalDynamoDb;
let store: DynamoDbJobStore;
let env: Record<string, string>;
let messages = 0;

beforeAll(async () => {
  db = await startLocalDynamoDb();
  const table = await db.createTable("ops");
  store = new DynamoDbJobStore(db.client, { tableName: table, retentionDays: 30 });
  env = {
    ...dynamoEnv(db.endpoint, table),
    JOBS_QUEUE_URL: QUEUE_URL,
    CLUSTER_ARN,
    UPLOADS_BUCKET: BUCKET,
    USER: "ana",
  };
});
afterAll(async () => {
  sqs.restore();
  ecs.restore();
  s3.restore();
  await db?.stop();
});
beforeEach(() => {
  sqs.reset();
  ecs.reset();
  s3.reset();
  sqs.on(SendMessageCommand).callsFake(() => ({ MessageId: `0b7e6a1c-message-${++messages}` }));
  ecs.on(StopTaskCommand).resolves({ task: { lastStatus: "RUNNING", desiredStatus: "STOPPED" } });
  s3.on(PutObjectCommand).resolves({ ETag: '"etag"' });
  s3.on(HeadObjectCommand).rejects(Object.assign(new Error("Not Found"), { name: "NotFound" }));
});

const sent = () => sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
const stops = () => ecs.commandCalls(StopTaskCommand).map((c) => c.args[0].input);
const historyOf = async (jobId: string) => (await store.get(jobId))?.events ?? [];

/** A task launcher that records what the dispatcher asked for. */
function recordingLauncher(): TaskLauncher & { requests: LaunchRequest[] } {
  const requests: LaunchRequest[] = [];
  return {
    requests,
    async stop() {
      return true;
    },
    async launch(request) {
      requests.push(request);
      return {
        launched: true,
        taskArn: `arn:aws:ecs:us-east-1:111122223333:task/${CLUSTER}/t-${request.clientToken}`,
      };
    },
  };
}

const dispatch = (jobStore: JobStore, launcher: TaskLauncher, body: string, messageId: string) =>
  dispatchMessage(
    {
      store: jobStore,
      capacity: memoryCapacity(),
      launcher,
      retryQueue: { sendRetry: async () => {} },
      target: { containerName: "worker", outputBucket: BUCKET, outputPrefix: "outputs/" },
      policy: DEFAULT_RETRY_POLICY,
      clock: () => NOW.toISOString(),
      log: { info() {}, warn() {} },
    },
    body,
    messageId,
  );

describe("jobs submit", () => {
  it("sends a job message for an S3 object; the job id is the one the dispatcher gives the message", async () => {
    const result = await jobs(["submit", "s3://video-jobs-uploads/uploads/clip 1.mp4"], { env });
    expect(result.code).toBe(0);
    expect(sent()).toEqual([
      {
        QueueUrl: QUEUE_URL,
        MessageBody: JSON.stringify({ videoUrl: "s3://video-jobs-uploads/uploads/clip 1.mp4" }),
      },
    ]);
    const messageId = `0b7e6a1c-message-${messages}`;
    const jobId = jobIdForMessage(messageId);
    expect(result.stdout).toContain(
      `submitted job ${jobId} for s3://video-jobs-uploads/uploads/clip 1.mp4 (message ${messageId})`,
    );
    expect(result.stdout).toContain(`watch it: video-jobs watch ${jobId}`);

    // What the dispatcher makes of the message: the job the CLI named, launched.
    const memory = new MemoryJobStore();
    const launcher = recordingLauncher();
    await dispatch(memory, launcher, sent()[0]?.MessageBody as string, messageId);
    expect((await memory.get(jobId))?.state).toMatchObject({
      status: "LAUNCHED",
      input: { videoUrl: "s3://video-jobs-uploads/uploads/clip 1.mp4" },
    });
    expect(launcher.requests).toHaveLength(1);
  });

  it("sends an https URL with params, a job id and a video id, and prints JSON", async () => {
    const result = await jobs(
      [
        "submit",
        "https://media.example.com/in/talk.mov?sig=abc",
        "--params",
        '{"maxThumbnails":3,"thumbnailWidth":640}',
        "--job-id",
        "talk-2026-11-26",
        "--video-id",
        "talk-42",
        "--json",
      ],
      { env },
    );
    expect(result.code).toBe(0);
    const message = {
      videoUrl: "https://media.example.com/in/talk.mov?sig=abc",
      videoId: "talk-42",
      jobId: "talk-2026-11-26",
      params: { maxThumbnails: 3, thumbnailWidth: 640 },
    };
    expect(JSON.parse(sent()[0]?.MessageBody as string)).toEqual(message);
    expect(result.json()).toEqual({ jobId: "talk-2026-11-26", messageId: expect.any(String), message });
  });

  it("uploads a local file where the worker may read it and no upload notification fires, then sends the message", async () => {
    const dir = mkdtempSync(join(tmpdir(), "jobs-cli-"));
    writeFileSync(join(dir, "my clip.mp4"), Buffer.alloc(2048, 1));
    const result = await jobs(["submit", "my clip.mp4", "--job-id", "local-1", "--json"], { env, cwd: dir });
    expect(result.code).toBe(0);
    const key = "uploads/cli/local-1/my clip.mp4.upload";
    const puts = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts).toHaveLength(1);
    // A conditional write: S3 refuses it if the key holds an object.
    expect(puts[0]).toMatchObject({ Bucket: BUCKET, Key: key, IfNoneMatch: "*" });
    expect(s3.commandCalls(HeadObjectCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: BUCKET, Key: key },
    ]);
    expect(JSON.parse(sent()[0]?.MessageBody as string)).toEqual({
      videoUrl: `s3://${BUCKET}/${key}`,
      jobId: "local-1",
    });
    expect(result.json()).toMatchObject({ jobId: "local-1", uploaded: { bucket: BUCKET, key, bytes: 2048 } });
    expect(result.stderr).toContain(
      `uploaded ${join(dir, "my clip.mp4")} (2048 bytes) to s3://${BUCKET}/${key}`,
    );
    // The notification filters on video suffixes (.mp4, .mov, .mkv, .webm): the key ends otherwise.
    expect(key.endsWith(".mp4")).toBe(false);
  });

  it.each([
    [["http://example.com/a.mp4"], "videoUrl must be s3://<bucket>/<key> or an https:// URL"],
    [["s3://Not_A_Bucket/a.mp4"], "videoUrl must be s3://<bucket>/<key> or an https:// URL"],
    [["s3://bucket/a.mp4", "--params", "{preset:720p}"], "--params is not JSON"],
    [["s3://bucket/a.mp4", "--params", "[1,2]"], "--params must be a JSON object"],
    [["s3://bucket/a.mp4", "--job-id", "no spaces allowed"], "jobId must be 1 to 36 characters"],
    [["s3://bucket/a.mp4", "--job-id", "x".repeat(37)], "jobId must be 1 to 36 characters"],
    [
      ["s3://bucket/a.mp4", "--params", JSON.stringify({ blob: "x".repeat(9000) })],
      'unknown parameter "blob"',
    ],
    [
      ["s3://bucket/a.mp4", "--params", '{"foo":1}'],
      `the worker's parameters: sceneThreshold, maxThumbnails`,
    ],
    [["s3://bucket/a.mp4", "--params", '{"maxThumbnails":-1}'], "maxThumbnails: "],
    [["./no-such-video.mp4"], "no such file: ./no-such-video.mp4"],
  ])("refuses %j as the dispatcher would, sending nothing (exit 2)", async (args, message) => {
    const result = await jobs(["submit", ...args], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(sent()).toEqual([]);
    expect(s3.commandCalls(PutObjectCommand)).toEqual([]);
  });

  it("needs a queue, and a bucket for a local file (exit 2)", async () => {
    const { JOBS_QUEUE_URL: _, ...noQueue } = env;
    const result = await jobs(["submit", "s3://bucket/a.mp4"], { env: noQueue });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("error: no jobs queue configured");
    expect(result.stderr).toContain("fix: pass --queue-url URL, set JOBS_QUEUE_URL");

    const dir = mkdtempSync(join(tmpdir(), "jobs-cli-"));
    writeFileSync(join(dir, "a.mp4"), "x");
    const { UPLOADS_BUCKET: __, ...noBucket } = env;
    const local = await jobs(["submit", join(dir, "a.mp4")], { env: noBucket });
    expect(local.code).toBe(2);
    expect(local.stderr).toContain("error: no uploads bucket configured");
  });

  it("explains a queue that does not exist (exit 1)", async () => {
    sqs
      .on(SendMessageCommand)
      .rejects(
        Object.assign(new Error("The specified queue does not exist."), { name: "QueueDoesNotExist" }),
      );
    const result = await jobs(["submit", "s3://bucket/a.mp4"], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("error: jobs queue not found: The specified queue does not exist.");
    expect(result.stderr).toContain("fix: check --queue-url / JOBS_QUEUE_URL / --stack");
  });

  it("refuses a --job-id a job already has, before uploading or sending anything (exit 1)", async () => {
    await seed(store, "taken-1", "success", new Date(NOW.getTime() - 3_600_000));
    const dir = mkdtempSync(join(tmpdir(), "jobs-cli-"));
    writeFileSync(join(dir, "clip.mp4"), "x");
    const result = await jobs(["submit", "clip.mp4", "--job-id", "taken-1"], { env, cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'error: job id "taken-1" is already in use: that job is SUCCEEDED, submitted 2026-11-26T11:00:00.000Z, for s3://uploads-bucket/uploads/taken-1.mp4; nothing was uploaded or sent',
    );
    expect(result.stderr).toContain(
      "fix: choose another --job-id (or none); see that job: video-jobs show taken-1",
    );
    expect(s3.commandCalls(PutObjectCommand)).toEqual([]);
    expect(s3.commandCalls(HeadObjectCommand)).toEqual([]);
    expect(sent()).toEqual([]);

    await seed(store, "taken-2", "bad-input", new Date(NOW.getTime() - 3_600_000));
    const failed = await jobs(["submit", "s3://bucket/a.mp4", "--job-id", "taken-2"], { env });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("run it again: video-jobs retry taken-2");
    expect(sent()).toEqual([]);
  });

  it("never overwrites an object: an existing key (HeadObject) or S3's refused conditional write (exit 1)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "jobs-cli-"));
    writeFileSync(join(dir, "clip.mp4"), "x");
    s3.on(HeadObjectCommand).resolves({ ContentLength: 10 });
    const seen = await jobs(["submit", "clip.mp4", "--job-id", "fresh-1"], { env, cwd: dir });
    expect(seen.code).toBe(1);
    expect(seen.stderr).toContain(
      `error: s3://${BUCKET}/uploads/cli/fresh-1/clip.mp4.upload already exists; it was not overwritten, and this job was not submitted`,
    );
    expect(seen.stderr).toContain(`video-jobs submit s3://${BUCKET}/uploads/cli/fresh-1/clip.mp4.upload`);
    expect(s3.commandCalls(PutObjectCommand)).toEqual([]);
    expect(sent()).toEqual([]);

    // Created between the check and the write: S3 answers 412 to If-None-Match.
    s3.on(HeadObjectCommand).rejects(Object.assign(new Error("Not Found"), { name: "NotFound" }));
    s3.on(PutObjectCommand).rejects(
      Object.assign(new Error("At least one of the pre-conditions you specified did not hold"), {
        name: "PreconditionFailed",
      }),
    );
    const raced = await jobs(["submit", "clip.mp4", "--job-id", "fresh-2"], { env, cwd: dir });
    expect(raced.code).toBe(1);
    expect(raced.stderr).toContain("fresh-2/clip.mp4.upload already exists; it was not overwritten");
    expect(sent()).toEqual([]);
  });

  it("submits several inputs, one job each, and refuses --job-id or --video-id with several (exit 2)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "jobs-cli-"));
    writeFileSync(join(dir, "a.mp4"), "a");
    const result = await jobs(["submit", "a.mp4", "s3://video-jobs-uploads/uploads/b.mov", "--json"], {
      env,
      cwd: dir,
    });
    expect(result.code).toBe(0);
    const body = result.json<{ jobs: Array<{ jobId: string; message: { videoUrl: string } }> }>();
    expect(body.jobs).toHaveLength(2);
    expect(body.jobs[1]?.message.videoUrl).toBe("s3://video-jobs-uploads/uploads/b.mov");
    expect(body.jobs[0]?.message.videoUrl).toMatch(
      /^s3:\/\/video-jobs-uploads\/uploads\/cli\/[0-9a-f-]{36}\/a\.mp4\.upload$/,
    );
    expect(sent()).toHaveLength(2);

    for (const flag of ["--job-id", "--video-id"]) {
      const refused = await jobs(["submit", "s3://b/a.mp4", "s3://b/b.mp4", flag, "x"], { env });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(`error: ${flag} names one`);
    }
    expect(sent()).toHaveLength(2);
  });

  it("--watch follows the submitted job to its end, with watch's exit code", async () => {
    let sleeps = 0;
    const result = await jobs(
      [
        "submit",
        "s3://video-jobs-uploads/uploads/w.mp4",
        "--job-id",
        "watched-submit",
        "--watch",
        "--interval",
        "1",
      ],
      {
        env,
        sleep: async () => {
          sleeps++;
          // The dispatcher takes the message, the task fails on bad input.
          if (sleeps > 5) throw new Error("the job should have ended by now");
          if (sleeps === 1) {
            const launcher: TaskLauncher = {
              stop: async () => true,
              launch: async (request) => ({
                launched: true,
                taskArn: taskArnFor(request.jobId, request.attempt),
              }),
            };
            await dispatch(store, launcher, sent()[0]?.MessageBody as string, "m-watched");
            await new JobDriver(store, "watched-submit", NOW).stopped(5, 1, { exitCode: 65 }, 2);
          }
        },
      },
    );
    expect(result.code).toBe(3);
    expect(result.stdout).toContain("submitted job watched-submit for s3://video-jobs-uploads/uploads/w.mp4");
    expect(result.stdout).toMatch(/TaskStopped/);
    expect(result.stdout).toMatch(/job watched-submit FAILED after/);
    expect(result.stdout).toContain("its history: video-jobs show watched-submit");
  });

  it("prints follow-ups the way the CLI was run: npm run jobs -- with --local kept", async () => {
    const npm = await jobs(["--queue-url", QUEUE_URL, "submit", "s3://video-jobs-uploads/uploads/n.mp4"], {
      env: { ...env, npm_lifecycle_event: "jobs", npm_command: "run-script" },
    });
    expect(npm.stdout).toMatch(/watch it: npm run jobs -- --queue-url \S+ watch msg-\w+\n/);
    const npx = await jobs(["submit", "s3://video-jobs-uploads/uploads/n.mp4"], {
      env: { ...env, npm_command: "exec" },
    });
    expect(npx.stdout).toMatch(/watch it: npx video-jobs watch msg-\w+\n/);
    const installed = await jobs(["show", "nope"], { env });
    expect(installed.stderr).toContain("`video-jobs list`");
  });
});

describe("jobs retry", () => {
  it("records a manual retry of a failed job, history kept, and sends the retry message the dispatcher launches", async () => {
    await seed(store, "r-oom", "out-of-memory", new Date(NOW.getTime() - 3_600_000));
    const before = await historyOf("r-oom");
    // It ran out of memory at the most maxWorkerMemoryMb allows: the same size again would too. Refused,
    // saying so, while the limit is not raised; nothing recorded, nothing sent.
    const refused = await jobs(["retry", "r-oom"], { env: { ...env, MAX_WORKER_MEMORY_MB: "8192" } });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      "ran out of memory at 1 vCPU 8 GiB, and maxWorkerMemoryMb (8192 MiB) allows no larger size",
    );
    expect(refused.stderr).toContain("raise maxWorkerMemoryMb first");
    // The limit not known here: the failure's record says it allowed no larger size, so --force is asked for.
    const unknown = await jobs(["retry", "r-oom"], { env });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("unless maxWorkerMemoryMb was raised since");
    expect(unknown.stderr).toContain("video-jobs retry r-oom --force");
    expect(await historyOf("r-oom")).toEqual(before);
    expect(sent()).toEqual([]);
    // Raised: the retry goes, one rung up.
    const result = await jobs(["retry", "r-oom"], { env: { ...env, MAX_WORKER_MEMORY_MB: "16384" } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `retry scheduled: job r-oom was FAILED, attempt 4 is on its way (history kept: ${before.length + 1} events)`,
    );

    const after = await historyOf("r-oom");
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.slice(before.length)).toEqual([
      {
        type: "RetryScheduled",
        at: NOW.toISOString(),
        nextAttempt: 4,
        delaySeconds: 0,
        reason: "retried by hand (video-jobs retry, user ana)",
        countsAsAttempt: false,
        manual: true,
      },
    ]);
    expect((await store.get("r-oom"))?.state).toMatchObject({
      status: "RETRYING",
      retryAttempt: 4,
      attemptsUsed: 0,
    });
    expect(sent()).toEqual([
      { QueueUrl: QUEUE_URL, MessageBody: JSON.stringify({ jobId: "r-oom", attempt: 4 }), DelaySeconds: 0 },
    ]);

    // The dispatcher, given that message, launches attempt 4.
    const launcher = recordingLauncher();
    await dispatch(store, launcher, sent()[0]?.MessageBody as string, "retry-message-1");
    expect(launcher.requests.map((r) => [r.jobId, r.attempt, r.clientToken])).toEqual([
      ["r-oom", 4, "r-oom.4"],
    ]);
    expect((await store.get("r-oom"))?.state.status).toBe("LAUNCHED");
  });

  it("asks for --force before retrying a job the worker failed with a non-retryable exit code", async () => {
    await seed(store, "r-bad", "bad-input", new Date(NOW.getTime() - 3_600_000));
    const before = await historyOf("r-bad");
    const asked = await jobs(["retry", "r-bad"], { env });
    expect(asked.code).toBe(1);
    expect(asked.stderr).toContain("which the stack counts as non-retryable");
    expect(asked.stderr).toContain("a retry will likely fail again");
    expect(asked.stderr).toContain("video-jobs retry r-bad --force");
    expect(await historyOf("r-bad")).toEqual(before);
    const forced = await jobs(["retry", "r-bad", "--force"], { env });
    expect(forced.code).toBe(0);
    expect((await store.get("r-bad"))?.state.status).toBe("RETRYING");
  });

  it("retries a cancelled or timed-out job too, with the reason given, and prints JSON", async () => {
    await seed(store, "r-cancelled", "cancelled", new Date(NOW.getTime() - 3_600_000));
    // Until its task's stop is recorded, a retry would run a second task beside it: refused.
    const early = await jobs(["retry", "r-cancelled"], { env });
    expect(early.code).toBe(1);
    expect(early.stderr).toContain("its task has not stopped yet: run cancel again to stop it");
    expect(sent()).toEqual([]);
    await new JobDriver(store, "r-cancelled", new Date(NOW.getTime() - 3_600_000)).stopped(40, 1, {
      exitCode: 143,
      stopCode: "UserInitiated",
    });
    const result = await jobs(["retry", "r-cancelled", "--reason", "the customer asked again", "--json"], {
      env,
    });
    expect(result.code).toBe(0);
    expect(result.json()).toMatchObject({
      jobId: "r-cancelled",
      status: "RETRYING",
      attempt: 2,
      recorded: [{ type: "RetryScheduled", reason: "the customer asked again", manual: true }],
    });
  });

  it.each([
    ["success", "SUCCEEDED"],
    ["running", "RUNNING"],
    ["rejected", "REJECTED"],
  ] as const)(
    "refuses to retry a %s job (exit 1), recording and sending nothing",
    async (scenario, status) => {
      const jobId = `r-${scenario}`;
      await seed(store, jobId, scenario, new Date(NOW.getTime() - 3_600_000));
      const before = await historyOf(jobId);
      const result = await jobs(["retry", jobId], { env });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `error: cannot retry job "${jobId}": it is ${status}; only FAILED, TIMED_OUT, CANCELLED jobs can be retried`,
      );
      expect(result.stderr).toContain(`fix: see its history with \`video-jobs show ${jobId}\``);
      expect(await historyOf(jobId)).toEqual(before);
      expect(sent()).toEqual([]);
    },
  );

  it("fails on an unknown job (exit 1), and without a queue records nothing (exit 2)", async () => {
    const unknown = await jobs(["retry", "no-such-job"], { env });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('error: no job with id "no-such-job"');

    await seed(store, "r-noqueue", "bad-input", new Date(NOW.getTime() - 3_600_000));
    const before = await historyOf("r-noqueue");
    const { JOBS_QUEUE_URL: _, ...noQueue } = env;
    const result = await jobs(["retry", "r-noqueue"], { env: noQueue });
    expect(result.code).toBe(2);
    expect(await historyOf("r-noqueue")).toEqual(before);
  });

  it("says how to send the message when recording worked but sending did not (exit 1)", async () => {
    await seed(store, "r-unsent", "failed-to-start", new Date(NOW.getTime() - 3_600_000));
    sqs
      .on(SendMessageCommand)
      .rejects(Object.assign(new Error("Service Unavailable"), { name: "ServiceUnavailable" }));
    const result = await jobs(["retry", "r-unsent"], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "error: the retry of job r-unsent (attempt 4) is recorded, but its message could not be sent: Service Unavailable",
    );
    expect(result.stderr).toContain(
      `or send it now: aws sqs send-message --queue-url ${QUEUE_URL} --message-body '{"jobId":"r-unsent","attempt":4}'`,
    );
    expect((await store.get("r-unsent"))?.state.status).toBe("RETRYING");
  });
});

describe("jobs cancel", () => {
  it("records the cancellation, then stops the running task; the task's STOPPED is recorded without a decision", async () => {
    await seed(store, "c-running", "running", new Date(NOW.getTime() - 600_000));
    const result = await jobs(["cancel", "c-running", "--reason", "wrong video"], { env });
    expect(result.code).toBe(0);
    const task = taskArnFor("c-running", 1);
    expect(result.stdout).toBe(
      `cancelled job c-running (was RUNNING); stopping task ${task.slice(task.lastIndexOf("/") + 1)}\n`,
    );
    expect(stops()).toEqual([{ cluster: CLUSTER_ARN, task, reason: "video-jobs cancel: wrong video" }]);
    const events = await historyOf("c-running");
    expect(events.at(-1)).toEqual({ type: "JobCancelled", at: NOW.toISOString(), reason: "wrong video" });
    expect((await store.get("c-running"))?.state).toMatchObject({
      status: "CANCELLED",
      finishedAt: NOW.toISOString(),
    });

    // ECS then reports the task STOPPED: recorded, nothing else decided (no retry, no failure).
    const change = await changeJob(store, "c-running", (state) =>
      jobDecider(DEFAULT_RETRY_POLICY)(state, {
        type: "ObserveTask",
        now: new Date(NOW.getTime() + 30_000).toISOString(),
        observation: {
          taskArn: task,
          attempt: 1,
          lastStatus: "STOPPED",
          ecsVersion: 9,
          stopCode: "UserInitiated",
          stoppedReason: "video-jobs cancel: wrong video",
          exitCode: 143,
          timings: {},
        },
      }),
    );
    expect(change.events.map((e) => e.type)).toEqual(["TaskStopped"]);
    expect(change.after.status).toBe("CANCELLED");
  });

  it("takes the cluster from the task ARN when none is configured, and prints JSON", async () => {
    await seed(store, "c-noconfig", "running", new Date(NOW.getTime() - 600_000));
    const { CLUSTER_ARN: _, ...noCluster } = env;
    const result = await jobs(["cancel", "c-noconfig", "--json"], { env: noCluster });
    expect(result.code).toBe(0);
    expect(stops()).toEqual([
      {
        cluster: CLUSTER,
        task: taskArnFor("c-noconfig", 1),
        reason: "video-jobs cancel: cancelled by hand (video-jobs cancel, user ana)",
      },
    ]);
    expect(result.json()).toMatchObject({
      jobId: "c-noconfig",
      status: "CANCELLED",
      stoppedTasks: [taskArnFor("c-noconfig", 1)],
      recorded: [{ type: "JobCancelled" }],
    });
  });

  it("finds the task of a job still launching by its startedBy (the job id) and its JOB_ATTEMPT", async () => {
    const job = new JobDriver(store, "c-launching", new Date(NOW.getTime() - 60_000));
    await job.submit(0, video("c-launching"));
    const launchedMeanwhile = `arn:aws:ecs:us-east-1:111122223333:task/${CLUSTER}/launched-meanwhile`;
    const byHand = `arn:aws:ecs:us-east-1:111122223333:task/${CLUSTER}/run-by-hand`;
    ecs
      .on(ListTasksCommand, { desiredStatus: "RUNNING" })
      .resolves({ taskArns: [launchedMeanwhile, byHand] });
    ecs.on(ListTasksCommand, { desiredStatus: "STOPPED" }).resolves({ taskArns: [] });
    const describe = (taskArn: string, attempt: string | undefined) => ({
      clusterArn: CLUSTER_ARN,
      taskArn,
      lastStatus: "PROVISIONING",
      version: 1,
      startedBy: "c-launching",
      overrides: {
        containerOverrides: [
          {
            name: "worker",
            environment: attempt === undefined ? [] : [{ name: "JOB_ATTEMPT", value: attempt }],
          },
        ],
      },
    });
    ecs
      .on(DescribeTasksCommand)
      .resolves({ tasks: [describe(launchedMeanwhile, "1"), describe(byHand, undefined)] });
    const result = await jobs(["cancel", "c-launching"], { env });
    expect(result.code).toBe(0);
    expect(ecs.commandCalls(ListTasksCommand).map((c) => c.args[0].input)).toEqual([
      { cluster: CLUSTER_ARN, startedBy: "c-launching", desiredStatus: "RUNNING" },
      { cluster: CLUSTER_ARN, startedBy: "c-launching", desiredStatus: "STOPPED" },
    ]);
    // The task run by hand with the job's id (no JOB_ATTEMPT) is not the job's: left alone.
    expect(stops().map((s) => s.task)).toEqual([launchedMeanwhile]);
  });

  it("stops nothing for a job waiting for its retry", async () => {
    const job = new JobDriver(store, "c-retrying", new Date(NOW.getTime() - 600_000));
    await job.submit(0, video("c-retrying"));
    await job.launched(2, 1);
    await job.running(3, 1);
    await job.stopped(3, 1, { exitCode: 1 }, 10);
    const result = await jobs(["cancel", "c-retrying"], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("cancelled job c-retrying (was RETRYING); no task was running");
    expect(stops()).toEqual([]);
  });

  it("refuses to cancel a finished job (exit 1) and an unknown one", async () => {
    await seed(store, "c-done", "success", new Date(NOW.getTime() - 600_000));
    const result = await jobs(["cancel", "c-done"], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'error: cannot cancel job "c-done": it is SUCCEEDED; only a job that has not finished can be cancelled',
    );
    expect(stops()).toEqual([]);
    const unknown = await jobs(["cancel", "nope"], { env });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no job with id "nope"');
  });

  it("keeps the cancellation and says how to stop the task when StopTask fails (exit 1); the same cancel then stops it", async () => {
    await seed(store, "c-stuck", "running", new Date(NOW.getTime() - 600_000));
    ecs
      .on(StopTaskCommand)
      .rejectsOnce(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" }));
    const result = await jobs(["cancel", "c-stuck"], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "error: job c-stuck is cancelled, but its task could not be stopped: Rate exceeded",
    );
    expect(result.stderr).toContain("run the same command again (video-jobs cancel c-stuck)");
    expect((await store.get("c-stuck"))?.state.status).toBe("CANCELLED");

    const again = await jobs(["cancel", "c-stuck"], { env });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("cancelled job c-stuck (already cancelled); stopping task");
    expect(stops().at(-1)?.task).toBe(taskArnFor("c-stuck", 1));
    expect((await historyOf("c-stuck")).filter((e) => e.type === "JobCancelled")).toHaveLength(1);
  });

  it("cancels a job whose task ECS no longer knows, and says the task is gone", async () => {
    await seed(store, "c-gone", "running", new Date(NOW.getTime() - 600_000));
    ecs
      .on(StopTaskCommand)
      .rejects(
        new InvalidParameterException({ $metadata: {}, message: "The referenced task was not found." }),
      );
    const result = await jobs(["cancel", "c-gone"], { env });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("is already gone (ECS no longer knows it)");
    expect((await store.get("c-gone"))?.state.status).toBe("CANCELLED");
  });
});
