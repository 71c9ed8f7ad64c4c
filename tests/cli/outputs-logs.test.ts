// outputs, logs, job id prefixes, list filters, and submit against a real local S3 (s3rver): the job store
// is a real local DynamoDB (dynalite); SQS and CloudWatch Logs are mocked at the SDK; local mode's log
// files are real files.

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { mkdir, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CloudWatchLogsClient,
  GetLogEventsCommand,
  ResourceNotFoundException,
} from "@aws-sdk/client-cloudwatch-logs";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ARTEFACTS } from "../../cli/outputs";
import { writeLocalEndpoints } from "../../config/local-endpoints";
import { DynamoDbJobStore } from "../../jobs/adapters/aws/dynamodb-store";
import { MemoryJobStore } from "../../jobs/adapters/memory/memory-store";
import { AmbiguousJobIdError, findJob, JobPrefixNotFoundError } from "../../jobs/store/find-job";
import { CONTACT_SHEET_FILE, THUMBNAIL_DIR } from "../../worker/src/analyse";
import { RESULT_FILE } from "../../worker/src/result";
import { type LocalDynamoDb, startLocalDynamoDb } from "../support/dynamodb";
import { JobDriver, seed, taskArnFor, video } from "../support/histories";
import { type LocalS3, startLocalS3 } from "../support/s3";
import { dynamoEnv, jobs, NOW } from "./support/run";

const BUCKET = "uploads-bucket";
const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/111122223333/video-jobs-queue";
const LOG_GROUP = "/ecs/video-jobs-dev-worker";
const taskIdOf = (arn: string) => arn.slice(arn.lastIndexOf("/") + 1);

const sqs = mockClient(SQSClient);
const logs = mockClient(CloudWatchLogsClient);
let db: LocalDynamoDb;
let s3: LocalS3;
let store: DynamoDbJobStore;
let env: Record<string, string>;

beforeAll(async () => {
  [db, s3] = await Promise.all([startLocalDynamoDb(), startLocalS3({ buckets: [BUCKET] })]);
  const table = await db.createTable("outputs");
  store = new DynamoDbJobStore(db.client, { tableName: table, retentionDays: 0 });
  await seed(store, "s3-aaaa1111", "success", new Date(NOW.getTime() - 3_600_000));
  await seed(store, "s3-aaaa2222", "bad-input", new Date(NOW.getTime() - 7_200_000));
  await seed(store, "s3-bbbb3333", "retried-then-succeeded", new Date(NOW.getTime() - 600_000));
  const tagged = new JobDriver(store, "tagged-1", new Date(NOW.getTime() - 900_000));
  await tagged.submit(0, { videoUrl: "s3://uploads-bucket/uploads/Evening News.mov", videoId: "news-7" });
  env = {
    ...dynamoEnv(db.endpoint, table),
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_ACCESS_KEY_ID: "S3RVER",
    AWS_SECRET_ACCESS_KEY: "S3RVER",
    UPLOADS_BUCKET: BUCKET,
    JOBS_QUEUE_URL: QUEUE_URL,
    JOBS_LOG_GROUP: LOG_GROUP,
  };
  for (const [key, body] of [
    ["outputs/s3-aaaa1111/thumbnails/scene-0000.jpg", "jpeg-0"],
    ["outputs/s3-aaaa1111/thumbnails/scene-0001.jpg", "jpeg-1"],
    ["outputs/s3-aaaa1111/contact-sheet.jpg", "sheet"],
    ["outputs/s3-aaaa1111/result.json", '{"schemaVersion":1}'],
  ] as const) {
    await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  }
});
afterAll(async () => {
  sqs.restore();
  logs.restore();
  await Promise.all([db?.stop(), s3?.stop()]);
});
beforeEach(() => {
  sqs.reset();
  logs.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: "5d1c0e7a-message" });
});

describe("jobs outputs", () => {
  it("names the artefacts the reference worker writes", () => {
    expect(ARTEFACTS).toEqual({
      result: RESULT_FILE,
      thumbnails: `${THUMBNAIL_DIR}/`,
      contactSheet: CONTACT_SHEET_FILE,
    });
  });

  it("lists the objects under the job's output prefix, by a prefix of its id", async () => {
    const result = await jobs(["outputs", "s3-aaaa1", "--json"], { env });
    expect(result.code).toBe(0);
    const body = result.json<{
      location: { url: string };
      objects: Array<{ name: string; kind: string; size: number }>;
    }>();
    expect(body.location.url).toBe("s3://uploads-bucket/outputs/s3-aaaa1111/");
    expect(body.objects.map((o) => [o.name, o.kind, o.size])).toEqual([
      ["contact-sheet.jpg", "contact sheet", 5],
      ["result.json", "result", 19],
      ["thumbnails/scene-0000.jpg", "thumbnail", 6],
      ["thumbnails/scene-0001.jpg", "thumbnail", 6],
    ]);
    const human = await jobs(["outputs", "s3-aaaa1111"], { env });
    expect(human.stdout).toContain("s3://uploads-bucket/outputs/s3-aaaa1111/  (job s3-aaaa1111, SUCCEEDED)");
    expect(human.stdout).toMatch(/thumbnails\/scene-0000\.jpg\s+thumbnail\s+6 B/);
    expect(human.stdout).toContain("download them: video-jobs outputs s3-aaaa1111 --download s3-aaaa1111");
  });

  it("downloads them, and never overwrites a local file without --force", async () => {
    const dir = mkdtempSync(join(tmpdir(), "jobs-outputs-"));
    const first = await jobs(["outputs", "s3-aaaa1111", "--download", dir], { env });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`downloaded 4 files to ${dir}`);
    expect(readFileSync(join(dir, "thumbnails", "scene-0001.jpg"), "utf8")).toBe("jpeg-1");
    expect(readFileSync(join(dir, "result.json"), "utf8")).toBe('{"schemaVersion":1}');

    writeFileSync(join(dir, "result.json"), "mine");
    const again = await jobs(["outputs", "s3-aaaa1111", "--download", dir], { env });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`error: 4 files already exist in ${dir}`);
    expect(again.stderr).toContain("nothing was downloaded");
    expect(again.stderr).toContain("pass --force to overwrite them");
    expect(readFileSync(join(dir, "result.json"), "utf8")).toBe("mine");

    const forced = await jobs(["outputs", "s3-aaaa1111", "--download", dir, "--force"], { env });
    expect(forced.code).toBe(0);
    expect(readFileSync(join(dir, "result.json"), "utf8")).toBe('{"schemaVersion":1}');
  });

  it("says when there are none, and show and watch name the location", async () => {
    const none = await jobs(["outputs", "s3-aaaa2222"], { env });
    expect(none.code).toBe(0);
    expect(none.stdout).toContain("no outputs (yet): the worker writes them when it succeeds");
    const shown = await jobs(["show", "s3-aaaa1111", "--json"], { env });
    expect(shown.json<{ outputs: { url: string; artefacts: Record<string, string> } }>().outputs).toEqual({
      bucket: BUCKET,
      prefix: "outputs/s3-aaaa1111/",
      url: "s3://uploads-bucket/outputs/s3-aaaa1111/",
      artefacts: {
        result: "s3://uploads-bucket/outputs/s3-aaaa1111/result.json",
        thumbnails: "s3://uploads-bucket/outputs/s3-aaaa1111/thumbnails/",
        contactSheet: "s3://uploads-bucket/outputs/s3-aaaa1111/contact-sheet.jpg",
      },
    });
    const watched = await jobs(["watch", "s3-aaaa1111"], {
      env: { ...env, JOBS_OUTPUT_PREFIX: "results/dev/" },
    });
    expect(watched.code).toBe(0);
    expect(watched.stdout).toContain(
      "outputs: s3://uploads-bucket/results/dev/s3-aaaa1111/ (result.json, thumbnails/, contact-sheet.jpg)",
    );
  });
});

describe("job id prefixes", () => {
  it("finds the one recent job an id starts with, and names the candidates when several do", async () => {
    const shown = await jobs(["show", "s3-bbbb", "--json"], { env });
    expect(shown.code).toBe(0);
    expect(shown.json<{ job: { jobId: string } }>().job.jobId).toBe("s3-bbbb3333");
    const ambiguous = await jobs(["show", "s3-aaaa"], { env });
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toContain(
      'error: "s3-aaaa" is the start of 2 job ids: s3-aaaa1111, s3-aaaa2222',
    );
    expect(ambiguous.stderr).toContain("fix: give more characters of the id");
  });

  it("reads only the window's days, and finds any job by its whole id", async () => {
    const memory = new MemoryJobStore();
    await seed(memory, "old-job-1", "success", new Date(NOW.getTime() - 40 * 86_400_000));
    await seed(memory, "new-job-1", "success", new Date(NOW.getTime() - 86_400_000));
    await seed(memory, "new-job-2", "success", new Date(NOW.getTime() - 86_400_000));
    expect((await findJob(memory, "old-job-1", { now: NOW })).state.jobId).toBe("old-job-1");
    await expect(findJob(memory, "old-", { now: NOW })).rejects.toBeInstanceOf(JobPrefixNotFoundError);
    await expect(findJob(memory, "new-", { now: NOW })).rejects.toBeInstanceOf(AmbiguousJobIdError);
    expect((await findJob(memory, "new-job-2", { now: NOW })).state.jobId).toBe("new-job-2");
    await expect(findJob(memory, "has spaces", { now: NOW })).rejects.toThrow('no job with id "has spaces"');
  });
});

describe("jobs list filters", () => {
  it("filters by video id and by a piece of the input, case-insensitive", async () => {
    const ids = (r: { json<T>(): T }) =>
      r.json<{ jobs: Array<{ jobId: string }> }>().jobs.map((j) => j.jobId);
    expect(ids(await jobs(["list", "--video-id", "news-7", "--json"], { env }))).toEqual(["tagged-1"]);
    expect(ids(await jobs(["list", "--input", "evening news", "--json"], { env }))).toEqual(["tagged-1"]);
    expect(ids(await jobs(["list", "--input", "s3-aaaa", "--json"], { env }))).toEqual([
      "s3-aaaa1111",
      "s3-aaaa2222",
    ]);
    expect(ids(await jobs(["list", "--input", "nothing-like-it", "--json"], { env }))).toEqual([]);
  });
});

describe("jobs logs", () => {
  it("reads the attempt's CloudWatch stream as readable lines", async () => {
    const task = taskArnFor("s3-bbbb3333", 2);
    const stream = `worker/worker/${taskIdOf(task)}`;
    logs
      .on(GetLogEventsCommand, { logGroupName: LOG_GROUP, logStreamName: stream, startFromHead: true })
      .resolves({
        events: [
          {
            timestamp: Date.parse("2026-11-26T11:51:31Z"),
            message: JSON.stringify({
              time: "2026-11-26T11:51:31.120Z",
              level: "info",
              msg: "step",
              jobId: "s3-bbbb3333",
              attempt: 2,
              step: "probe",
              status: "ok",
              durationMs: 120,
            }),
          },
          { timestamp: Date.parse("2026-11-26T11:51:32Z"), message: "ffmpeg: something plain" },
        ],
        nextForwardToken: "f/1",
      })
      .on(GetLogEventsCommand, { logStreamName: stream, nextToken: "f/1" })
      .resolves({
        events: [
          {
            timestamp: Date.parse("2026-11-26T11:52:00Z"),
            message: JSON.stringify({
              time: "2026-11-26T11:52:00.000Z",
              level: "error",
              msg: "exit",
              exitCode: 65,
              outcome: "bad-input",
              error: { name: "BadInputError", message: "moov atom not found" },
            }),
          },
        ],
        nextForwardToken: "f/2",
      })
      .on(GetLogEventsCommand, { logStreamName: stream, nextToken: "f/2" })
      .resolves({ events: [], nextForwardToken: "f/2" });
    const result = await jobs(["logs", "s3-bbbb"], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      "2026-11-26 11:51:31Z  INFO   step  step=probe status=ok durationMs=120\n" +
        "2026-11-26 11:51:32Z  ffmpeg: something plain\n" +
        '2026-11-26 11:52:00Z  ERROR  exit  exitCode=65 outcome=bad-input error="BadInputError: moov atom not found"\n',
    );
    expect(result.stderr).toContain(
      `attempt 2, task ${taskIdOf(task)} (log group ${LOG_GROUP}, stream ${stream})`,
    );

    // --attempt 1: the first task's stream, not yet written (no stream): nothing, no error.
    logs
      .on(GetLogEventsCommand)
      .rejects(new ResourceNotFoundException({ message: "no stream", $metadata: {} }));
    const first = await jobs(["logs", "s3-bbbb3333", "--attempt", "1"], { env });
    expect(first.code).toBe(0);
    expect(first.stderr).toContain(`stream worker/worker/${taskIdOf(taskArnFor("s3-bbbb3333", 1))}`);
    const none = await jobs(["logs", "s3-bbbb3333", "--attempt", "7"], { env });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("error: job s3-bbbb3333 has no attempt 7 with a task");
    expect(none.stderr).toContain("its attempts with a task: 1, 2");
  });

  it("needs a log group, and says when a job launched nothing", async () => {
    const { JOBS_LOG_GROUP: _, ...noGroup } = env;
    const missing = await jobs(["logs", "s3-aaaa1111"], { env: noGroup });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("error: no worker log group configured");
    logs
      .on(GetLogEventsCommand)
      .rejects(
        new ResourceNotFoundException({ message: "The specified log group does not exist.", $metadata: {} }),
      );
    const wrongGroup = await jobs(["logs", "s3-aaaa1111"], { env });
    expect(wrongGroup.code).toBe(1);
    expect(wrongGroup.stderr).toContain(`error: log group ${LOG_GROUP} not found`);
    const queued = await jobs(["logs", "tagged-1"], { env });
    expect(queued.code).toBe(1);
    expect(queued.stderr).toContain("error: job tagged-1 has not launched a task yet (LAUNCHING): no logs");
    expect(queued.stderr).toContain("fix: wait for them: video-jobs logs tagged-1 -f");
  });

  it("reads local mode's log files, and -f follows the job to its end", async () => {
    const state = mkdtempSync(join(tmpdir(), "jobs-local-"));
    const logDir = join(state, "logs");
    await mkdir(logDir);
    const endpoints = join(state, "endpoints.json");
    writeLocalEndpoints(endpoints, {
      region: "us-east-1",
      endpoints: {
        dynamodb: db.endpoint,
        s3: s3.endpoint,
        sqs: "http://127.0.0.1:1",
        ecs: "http://127.0.0.1:1",
      },
      tableName: env.JOBS_TABLE as string,
      queueUrl: "http://127.0.0.1:1/000000000000/jobs",
      clusterArn: "arn:aws:ecs:us-east-1:000000000000:cluster/local",
      bucket: BUCKET,
    });
    const job = new JobDriver(store, "local-run", new Date(NOW.getTime() - 60_000));
    await job.submit(0, video("local-run"));
    await job.launched(2, 1);
    await job.running(3, 1);
    const file = join(logDir, `${taskIdOf(taskArnFor("local-run", 1))}.log`);
    const line = (fields: Record<string, unknown>) =>
      `${JSON.stringify({ time: "2026-11-26T11:59:30.000Z", level: "info", jobId: "local-run", attempt: 1, ...fields })}\n`;
    writeFileSync(file, line({ msg: "step", step: "fetch", status: "ok", durationMs: 40 }));

    let sleeps = 0;
    const result = await jobs(["--local", "logs", "local-run", "-f", "--interval", "1"], {
      env: { JOBS_LOCAL_ENDPOINTS: endpoints },
      sleep: async () => {
        sleeps++;
        if (sleeps === 1) {
          // The rest of the log arrives, the second line in two writes (split inside "日本").
          const rest = line({ msg: "step", step: "probe", status: "ok", file: "café 日本.mp4" });
          const bytes = Buffer.from(rest);
          const cut = bytes.indexOf(Buffer.from("本")) + 1;
          writeFileSync(file, Buffer.concat([readFileSync(file), bytes.subarray(0, cut)]));
        } else if (sleeps === 2) {
          const rest = line({ msg: "step", step: "probe", status: "ok", file: "café 日本.mp4" });
          const bytes = Buffer.from(rest);
          const cut = bytes.indexOf(Buffer.from("本")) + 1;
          writeFileSync(file, Buffer.concat([readFileSync(file), bytes.subarray(cut)]));
          await job.stopped(3, 1, { exitCode: 0 }, 30);
        }
      },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      "2026-11-26 11:59:30Z  INFO   step  step=fetch status=ok durationMs=40\n" +
        '2026-11-26 11:59:30Z  INFO   step  step=probe status=ok file="café 日本.mp4"\n',
    );
    expect(sleeps).toBe(2);
    expect(await readdir(logDir)).toHaveLength(1);
  });
});

describe("jobs submit against a local S3", () => {
  it("keeps a Unicode file name intact in the key and the message", async () => {
    const dir = mkdtempSync(join(tmpdir(), "jobs-unicode-"));
    writeFileSync(join(dir, "café 日本.mp4"), "video bytes");
    const result = await jobs(["submit", "café 日本.mp4", "--job-id", "unicode-1", "--json"], {
      env,
      cwd: dir,
    });
    expect(result.code).toBe(0);
    const key = "uploads/cli/unicode-1/café 日本.mp4.upload";
    const listed = await s3.client.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "uploads/cli/unicode-1/" }),
    );
    expect(listed.Contents?.map((o) => o.Key)).toEqual([key]);
    const body = JSON.parse(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input.MessageBody as string);
    expect(body).toEqual({ videoUrl: `s3://${BUCKET}/${key}`, jobId: "unicode-1" });
  });

  it("refuses to overwrite an object s3rver would overwrite (it ignores If-None-Match): checked first", async () => {
    const key = "uploads/cli/kept-1/clip.mp4.upload";
    await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: "the original" }));
    const dir = mkdtempSync(join(tmpdir(), "jobs-kept-"));
    writeFileSync(join(dir, "clip.mp4"), "a new file");
    const result = await jobs(["submit", "clip.mp4", "--job-id", "kept-1"], { env, cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`s3://${BUCKET}/${key} already exists; it was not overwritten`);
    const kept = await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(await kept.Body?.transformToString()).toBe("the original");
    expect(sqs.commandCalls(SendMessageCommand)).toEqual([]);
  });
});
