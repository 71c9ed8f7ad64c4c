// The dispatcher Lambda handler, end to end on its own: real SQS-shaped events (AWS's sample S3
// notification among them), a real local DynamoDB (dynalite), ECS mocked at the SDK (aws-sdk-client-mock).

import {
  ECSClient,
  ECSServiceException,
  RunTaskCommand,
  type RunTaskCommandInput,
} from "@aws-sdk/client-ecs";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { DynamoDbJobStore } from "../../jobs/adapters/aws/dynamodb-store";
import { decide } from "../../jobs/model/decide";
import type { JobEvent } from "../../jobs/model/events";
import { jobIdForMessage, jobIdForRejectedMessage, jobIdForS3Object } from "../../jobs/model/job-id";
import type { MetricPoint } from "../../jobs/model/metrics";
import { foldEvents } from "../../jobs/model/state";
import { changeJob } from "../../jobs/store/store";
import { checkAwsCallsAgainstRole } from "../support/aws-calls/record-in-test";
import { type LocalDynamoDb, startLocalDynamoDb } from "../support/dynamodb";
import { fixture } from "../support/factories";
import {
  handlerEnvironment,
  lambdaContext,
  sqsEvent,
  sqsRecord,
  TASK_DEFINITION_ARN,
} from "../support/handler-env";

const ecs = mockClient(ECSClient);
const sqs = mockClient(SQSClient);
// Every AWS call of this file, checked at its end against the role the Pulumi program gives the dispatcher.
const asTheDispatcher = checkAwsCallsAgainstRole("dispatcher", [ecs, sqs]);
let db: LocalDynamoDb;
let store: DynamoDbJobStore;
let handler: (event: ReturnType<typeof sqsEvent>) => Promise<SQSBatchResponse>;
let taskCount = 0;

beforeAll(async () => {
  db = await startLocalDynamoDb();
  const tableName = await db.createTable("dispatcher");
  Object.assign(process.env, handlerEnvironment(db.endpoint, tableName));
  store = new DynamoDbJobStore(db.client, { tableName, retentionDays: 0 });
  const module = await import("../../handlers/dispatcher.js");
  handler = asTheDispatcher((event) => module.handler(event, lambdaContext));
});
afterAll(async () => {
  ecs.restore();
  sqs.restore();
  await db?.stop();
});
/** RunTask answering with a new task, as ECS does for a new client token. */
const runTaskSucceeds = (input: RunTaskCommandInput) => ({
  tasks: [
    {
      taskArn: `arn:aws:ecs:us-west-2:111122223333:task/video-jobs/${input.clientToken?.replace(".", "-")}-${++taskCount}`,
    },
  ],
  failures: [],
});
beforeEach(() => {
  sqs.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: "retry-message" });
  ecs.reset();
  ecs.on(RunTaskCommand).callsFake(runTaskSucceeds);
});

const sentRetries = () =>
  sqs.commandCalls(SendMessageCommand).map((call) => ({
    body: JSON.parse(call.args[0].input.MessageBody ?? "null") as unknown,
    delay: call.args[0].input.DelaySeconds,
  }));
const runTaskCalls = () => ecs.commandCalls(RunTaskCommand).map((call) => call.args[0].input);
const environmentOf = (input: RunTaskCommandInput) =>
  Object.fromEntries(
    (input.overrides?.containerOverrides?.[0]?.environment ?? []).map((v) => [v.name, v.value]),
  );
const types = (events: readonly JobEvent[] | undefined) => events?.map((e) => e.type);
let messages = 0;
const nextMessageId = () => `0d5a4c8e-aaaa-4c0e-9d6e-${String(++messages).padStart(12, "0")}`;

function s3Notification(key: string, sequencer = "0055AED6DCD90281E5", versionId?: string): string {
  const event = fixture("s3-objectcreated-put.awsdocs.json") as {
    Records: Array<{ s3: { object: Record<string, unknown> } }>;
  };
  const record = event.Records[0];
  if (!record) throw new Error("fixture has no record");
  record.s3.object.key = key;
  record.s3.object.sequencer = sequencer;
  if (versionId === undefined) delete record.s3.object.versionId;
  else record.s3.object.versionId = versionId;
  return JSON.stringify(event);
}

describe("S3 notifications", () => {
  it("records the job as launching before RunTask, then the task (AWS's sample notification, a camera's .MP4)", async () => {
    // AWS's sample names a .jpg; the same notification for what a camera writes: an upper-case ".MP4".
    const body = s3Notification("HappyFace.MP4", "0055AED6DCD90281E5", "096fKKXTRTtl3on89fVO.nfljtsv6qko");
    const jobId = jobIdForS3Object({
      bucket: "mybucket",
      key: "HappyFace.MP4",
      versionId: "096fKKXTRTtl3on89fVO.nfljtsv6qko",
    });
    const statusAtRunTask: string[] = [];
    ecs.on(RunTaskCommand).callsFake(async () => {
      statusAtRunTask.push(String((await store.get(jobId))?.state.status));
      return { tasks: [{ taskArn: `arn:aws:ecs:us-west-2:111122223333:task/video-jobs/${++taskCount}` }] };
    });

    const response = await handler(sqsEvent(sqsRecord(body, nextMessageId())));

    expect(response.batchItemFailures).toEqual([]);
    expect(statusAtRunTask).toEqual(["LAUNCHING"]);
    const [call] = runTaskCalls();
    expect(call).toMatchObject({
      cluster: process.env.CLUSTER_ARN,
      taskDefinition: TASK_DEFINITION_ARN,
      // The stack's capacity (on-demand here) as a capacity provider strategy, and the attempt's size.
      capacityProviderStrategy: [{ capacityProvider: "FARGATE", weight: 1 }],
      startedBy: jobId,
      clientToken: `${jobId}.1`,
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: ["subnet-aaa", "subnet-bbb"],
          securityGroups: ["sg-123"],
          assignPublicIp: "DISABLED",
        },
      },
      tags: [
        { key: "jobId", value: jobId },
        { key: "attempt", value: "1" },
      ],
    });
    expect(call).not.toHaveProperty("launchType");
    expect(call?.overrides).toMatchObject({ cpu: "1024", memory: "2048" });
    expect(call?.overrides?.containerOverrides?.[0]?.name).toBe("worker");
    expect(environmentOf(call as RunTaskCommandInput)).toEqual({
      JOB_ID: jobId,
      JOB_ATTEMPT: "1",
      INPUT_URL: "s3://mybucket/HappyFace.MP4",
      OUTPUT_URL: `s3://outputs-bucket/outputs/${jobId}/`,
    });
    const stored = await store.get(jobId);
    expect(types(stored?.events)).toEqual(["JobSubmitted", "TaskLaunchRequested", "TaskLaunched"]);
    expect(stored?.state).toMatchObject({ status: "LAUNCHED", attempt: 1 });
    expect(stored?.state).toEqual(foldEvents(jobId, stored?.events ?? []));
  });

  it("decodes URL-encoded keys ('+' is a space)", async () => {
    await handler(
      sqsEvent(
        sqsRecord(s3Notification("videos/my+holiday+%282026%29+%2B+caf%C3%A9.mp4", "01"), nextMessageId()),
      ),
    );
    expect(environmentOf(runTaskCalls()[0] as RunTaskCommandInput).INPUT_URL).toBe(
      "s3://mybucket/videos/my holiday (2026) + café.mp4",
    );
  });

  it("makes one job per record of a message with several records", async () => {
    const event = JSON.parse(s3Notification("a.mp4", "02")) as { Records: unknown[] };
    const second = JSON.parse(s3Notification("b.mp4", "03")) as { Records: unknown[] };
    event.Records.push(...second.Records);
    const response = await handler(sqsEvent(sqsRecord(JSON.stringify(event), nextMessageId())));
    expect(response.batchItemFailures).toEqual([]);
    expect(runTaskCalls().map((c) => environmentOf(c).INPUT_URL)).toEqual([
      "s3://mybucket/a.mp4",
      "s3://mybucket/b.mp4",
    ]);
  });

  it("maps a duplicated notification (two messages) to one job and one task", async () => {
    const body = s3Notification("dup.mp4", "04");
    await handler(sqsEvent(sqsRecord(body, nextMessageId())));
    await handler(sqsEvent(sqsRecord(body, nextMessageId())));
    expect(runTaskCalls()).toHaveLength(1);
    const jobId = jobIdForS3Object({ bucket: "mybucket", key: "dup.mp4", sequencer: "04" });
    expect(types((await store.get(jobId))?.events)).toEqual([
      "JobSubmitted",
      "TaskLaunchRequested",
      "TaskLaunched",
    ]);
  });

  it("acknowledges and ignores s3:TestEvent", async () => {
    const body = JSON.stringify(fixture("s3-testevent.awsdocs.json"));
    const messageId = nextMessageId();
    const response = await handler(sqsEvent(sqsRecord(body, messageId)));
    expect(response.batchItemFailures).toEqual([]);
    expect(runTaskCalls()).toHaveLength(0);
    expect(await store.get(jobIdForRejectedMessage(messageId))).toBeUndefined();
  });
});

describe("uploads that are not videos", () => {
  const points: MetricPoint[] = [];
  beforeAll(async () => {
    const clients = await import("../../handlers/clients.js");
    clients.useMetrics({ add: (point) => points.push(point), publish: () => {} });
  });
  beforeEach(() => {
    points.length = 0;
  });
  const ignoredCounts = () =>
    points.filter((p) => p.name === "UploadsIgnored").map((p) => p.dimensions?.Reason);

  it("starts jobs for video suffixes in any case (.MOV, .Mkv, .webm), as S3's case-sensitive filter would not", async () => {
    const keys = ["phone/IMG_0001.MOV", "cam/CLIP.Mkv", "a.WebM", "b.mp4"];
    const response = await handler(
      sqsEvent(...keys.map((key, i) => sqsRecord(s3Notification(key, `1${i}`), nextMessageId()))),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(runTaskCalls().map((c) => environmentOf(c).INPUT_URL)).toEqual(
      keys.map((key) => `s3://mybucket/${key}`),
    );
    expect(ignoredCounts()).toEqual([]);
  });

  it("acknowledges AWS's sample notification (a .jpg) as an ignored upload: a warning naming the key, a metric, no job", async () => {
    const { logger } = await import("../../handlers/clients.js");
    const warn = vi.spyOn(logger, "warn");
    const messageId = nextMessageId();
    const response = await handler(
      sqsEvent(sqsRecord(JSON.stringify(fixture("s3-objectcreated-put.awsdocs.json")), messageId)),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(runTaskCalls()).toHaveLength(0);
    const asJob = jobIdForS3Object({
      bucket: "mybucket",
      key: "HappyFace.jpg",
      versionId: "096fKKXTRTtl3on89fVO.nfljtsv6qko",
    });
    expect(await store.get(asJob)).toBeUndefined();
    expect(await store.get(jobIdForRejectedMessage(messageId))).toBeUndefined();
    expect(warn).toHaveBeenCalledWith(
      "upload ignored",
      expect.objectContaining({
        messageId,
        bucket: "mybucket",
        key: "HappyFace.jpg",
        reason: expect.stringMatching(
          /does not end with a video suffix \(\.mp4, \.mov, \.mkv, \.webm, in any case\)/,
        ),
      }),
    );
    expect(ignoredCounts()).toEqual(["NotAVideo"]);
    warn.mockRestore();
  });

  it("counts folder markers and the uploads of `jobs submit` apart, and still ignores s3:TestEvent uncounted", async () => {
    const response = await handler(
      sqsEvent(
        sqsRecord(s3Notification("uploads/new+folder/", "21"), nextMessageId()),
        sqsRecord(s3Notification("uploads/cli/abc/clip.mp4.upload", "22"), nextMessageId()),
        sqsRecord(s3Notification("uploads/notes.TXT", "23"), nextMessageId()),
        sqsRecord(JSON.stringify(fixture("s3-testevent.awsdocs.json")), nextMessageId()),
      ),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(runTaskCalls()).toHaveLength(0);
    expect(ignoredCounts()).toEqual(["FolderMarker", "JobsSubmitUpload", "NotAVideo"]);
  });
});

describe("job and retry messages", () => {
  it("launches a job message with its own id and params (JOB_PARAMS)", async () => {
    const body = JSON.stringify({
      videoUrl: "https://example.com/v.mp4",
      videoId: "v-1",
      jobId: "job-params",
      params: { maxThumbnails: 5 },
    });
    await handler(sqsEvent(sqsRecord(body, nextMessageId())));
    const env = environmentOf(runTaskCalls()[0] as RunTaskCommandInput);
    expect(env).toMatchObject({
      JOB_ID: "job-params",
      INPUT_URL: "https://example.com/v.mp4",
      JOB_PARAMS: '{"maxThumbnails":5}',
    });
    expect((await store.get("job-params"))?.state.input).toEqual({
      videoUrl: "https://example.com/v.mp4",
      videoId: "v-1",
      params: { maxThumbnails: 5 },
    });
  });

  it("rejects params the worker would refuse, naming the key and the reason, and launches nothing", async () => {
    const body = JSON.stringify({
      videoUrl: "s3://uploads/p.mp4",
      jobId: "bad-params",
      params: { maxThumbnails: -1, preset: "720p" },
    });
    const messageId = nextMessageId();
    const response = await handler(sqsEvent(sqsRecord(body, messageId)));
    expect(response.batchItemFailures).toEqual([]);
    expect(runTaskCalls()).toEqual([]);
    expect(await store.get("bad-params")).toBeUndefined();
    const rejected = (await store.get(jobIdForRejectedMessage(messageId)))?.state;
    expect(rejected?.status).toBe("REJECTED");
    expect(rejected?.reason).toMatch(/params\.maxThumbnails: /);
    expect(rejected?.reason).toMatch(/params\.preset: unknown parameter "preset"/);
    expect(rejected?.reason).toMatch(/the worker's parameters: .*maxThumbnails/);
  });

  it("keys a job message without jobId by its SQS message id, so a redelivery is the same job", async () => {
    const body = JSON.stringify({ videoUrl: "s3://uploads/x.mp4" });
    const messageId = nextMessageId();
    await handler(sqsEvent(sqsRecord(body, messageId)));
    await handler(sqsEvent(sqsRecord(body, messageId, 2)));
    expect(runTaskCalls()).toHaveLength(1);
    expect((await store.get(jobIdForMessage(messageId)))?.state.status).toBe("LAUNCHED");
  });

  it("launches the awaited retry with the next client token", async () => {
    await handler(
      sqsEvent(
        sqsRecord(JSON.stringify({ videoUrl: "s3://uploads/r.mp4", jobId: "job-retry" }), nextMessageId()),
      ),
    );
    const stored = await store.get("job-retry");
    const retry: JobEvent = {
      type: "RetryScheduled",
      at: new Date().toISOString(),
      nextAttempt: 2,
      delaySeconds: 30,
      reason: "exit 1",
      countsAsAttempt: true,
      manual: false,
    };
    await store.append(
      "job-retry",
      stored?.version ?? 0,
      [retry],
      foldEvents("job-retry", [...(stored?.events ?? []), retry]),
    );
    ecs.resetHistory();

    const retryBody = JSON.stringify({ jobId: "job-retry", attempt: 2 });
    await handler(sqsEvent(sqsRecord(retryBody, nextMessageId())));
    await handler(sqsEvent(sqsRecord(retryBody, nextMessageId()))); // a duplicate of the retry message
    expect(runTaskCalls().map((c) => c.clientToken)).toEqual(["job-retry.2"]);
    expect(environmentOf(runTaskCalls()[0] as RunTaskCommandInput).JOB_ATTEMPT).toBe("2");
    expect((await store.get("job-retry"))?.state).toMatchObject({ status: "LAUNCHED", attempt: 2 });
  });
});

describe("attempt sizes", () => {
  it("launches the retry of an attempt that ran out of memory with the bigger size, and again the same on a crash", async () => {
    await handler(
      sqsEvent(
        sqsRecord(JSON.stringify({ videoUrl: "s3://uploads/big.mp4", jobId: "job-oom" }), nextMessageId()),
      ),
    );
    const stored = await store.get("job-oom");
    const at = new Date().toISOString();
    const history: JobEvent[] = [
      {
        type: "TaskStopped",
        at,
        attempt: 1,
        taskArn: stored?.state.taskArn ?? "",
        ecsVersion: 3,
        exitCode: 137,
        containerReason: "OutOfMemoryError: Container killed due to memory usage",
        failure: { kind: "out-of-memory", description: "OutOfMemory" },
        timings: {},
      },
      {
        type: "RetryScheduled",
        at,
        nextAttempt: 2,
        delaySeconds: 30,
        reason: "OutOfMemory; retried with 1 vCPU 4 GiB (was 1 vCPU 2 GiB)",
        countsAsAttempt: true,
        manual: false,
        size: { cpu: 1024, memoryMib: 4096 },
      },
    ];
    await store.append(
      "job-oom",
      stored?.version ?? 0,
      history,
      foldEvents("job-oom", [...(stored?.events ?? []), ...history]),
    );
    ecs.reset();
    ecs.on(RunTaskCommand).rejectsOnce(new Error("socket hang up")).callsFake(runTaskSucceeds);

    const retryBody = JSON.stringify({ jobId: "job-oom", attempt: 2 });
    const messageId = nextMessageId();
    await handler(sqsEvent(sqsRecord(retryBody, messageId)));
    await handler(sqsEvent(sqsRecord(retryBody, messageId, 2))); // redelivered after the lost answer
    const calls = runTaskCalls();
    expect(calls.map((c) => [c.clientToken, c.overrides?.cpu, c.overrides?.memory])).toEqual([
      ["job-oom.2", "1024", "4096"],
      ["job-oom.2", "1024", "4096"],
    ]);
    expect((await store.get("job-oom"))?.events.at(-2)).toMatchObject({
      type: "TaskLaunchRequested",
      attempt: 2,
      size: { cpu: 1024, memoryMib: 4096 },
      capacity: "FARGATE",
    });
  });
});

describe("failures and crashes", () => {
  it("recovers a crash between 'launching' and 'launched' by calling RunTask again with the same token", async () => {
    const body = JSON.stringify({ videoUrl: "s3://uploads/crash.mp4", jobId: "job-crash" });
    const messageId = nextMessageId();
    ecs
      .on(RunTaskCommand)
      .rejectsOnce(new Error("Task timed out after 30.00 seconds"))
      .callsFake(runTaskSucceeds);
    const first = await handler(sqsEvent(sqsRecord(body, messageId)));
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: messageId }]);
    expect((await store.get("job-crash"))?.state.status).toBe("LAUNCHING");

    const second = await handler(sqsEvent(sqsRecord(body, messageId, 2)));
    expect(second.batchItemFailures).toEqual([]);
    expect(runTaskCalls().map((c) => c.clientToken)).toEqual(["job-crash.1", "job-crash.1"]);
    expect(types((await store.get("job-crash"))?.events)).toEqual([
      "JobSubmitted",
      "TaskLaunchRequested",
      "TaskLaunched",
    ]);
  });

  it("schedules a retry with backoff for a retryable RunTask failure (200 with failures[]), acknowledging the message", async () => {
    const body = JSON.stringify({ videoUrl: "s3://uploads/cap.mp4", jobId: "job-capacity" });
    ecs
      .on(RunTaskCommand)
      .resolvesOnce({ tasks: [], failures: [{ reason: "RESOURCE:MEMORY", arn: "x" }] })
      .callsFake(runTaskSucceeds);
    const first = await handler(sqsEvent(sqsRecord(body, nextMessageId())));
    expect(first.batchItemFailures).toEqual([]);
    expect((await store.get("job-capacity"))?.events.slice(-2)).toMatchObject([
      { type: "TaskLaunchFailed", attempt: 1, reason: "RESOURCE:MEMORY", retryable: true },
      { type: "RetryScheduled", nextAttempt: 2, delaySeconds: 30, countsAsAttempt: false },
    ]);
    expect(sentRetries()).toEqual([{ body: { jobId: "job-capacity", attempt: 2 }, delay: 30 }]);

    const second = await handler(
      sqsEvent(sqsRecord(JSON.stringify({ jobId: "job-capacity", attempt: 2 }), nextMessageId())),
    );
    expect(second.batchItemFailures).toEqual([]);
    expect(runTaskCalls().map((c) => c.clientToken)).toEqual(["job-capacity.1", "job-capacity.2"]);
    expect((await store.get("job-capacity"))?.state).toMatchObject({
      status: "LAUNCHED",
      attempt: 2,
      infraRetries: 1,
    });
  });

  it("sends a pending retry's message again when the message that caused it comes back", async () => {
    const body = JSON.stringify({ videoUrl: "s3://uploads/lost.mp4", jobId: "job-lost-retry" });
    const messageId = nextMessageId();
    ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [{ reason: "RESOURCE:CPU", arn: "x" }] });
    sqs.on(SendMessageCommand).rejectsOnce(new Error("connect ETIMEDOUT")).resolves({ MessageId: "m" });
    const first = await handler(sqsEvent(sqsRecord(body, messageId)));
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: messageId }]);
    const recorded = (await store.get("job-lost-retry"))?.events;
    expect(recorded?.at(-1)).toMatchObject({ type: "RetryScheduled", nextAttempt: 2 });

    const again = await handler(sqsEvent(sqsRecord(body, messageId, 2)));
    expect(again.batchItemFailures).toEqual([]);
    expect((await store.get("job-lost-retry"))?.events).toEqual(recorded);
    expect(runTaskCalls()).toHaveLength(1);
    // the call that timed out, then the one sent again on redelivery
    expect(sentRetries().map((r) => r.body)).toEqual([
      { jobId: "job-lost-retry", attempt: 2 },
      { jobId: "job-lost-retry", attempt: 2 },
    ]);
  });

  it.each([
    ["ThrottlingException", "Rate exceeded"],
    // RunTask's Fargate launch rate, as ECS reports it: a client error, not a ThrottlingException.
    ["InvalidParameterException", "Rate exceeded"],
  ])(
    "puts a job whose launch was refused with %s: %s back in line, spending no attempt and no infrastructure retry",
    async (name, message) => {
      ecs
        .on(RunTaskCommand)
        .rejects(new ECSServiceException({ name, $fault: "client", $metadata: {}, message }));
      const jobId = `job-throttled-${name.length}`;
      const response = await handler(
        sqsEvent(sqsRecord(JSON.stringify({ videoUrl: "s3://uploads/t.mp4", jobId }), nextMessageId())),
      );
      expect(response.batchItemFailures).toEqual([]);
      const state = (await store.get(jobId))?.state;
      expect(state).toMatchObject({
        status: "WAITING",
        retryAttempt: 1, // the same attempt: its client token again
        reason: `launch throttled: ${name}: ${message}`,
        attemptsUsed: 0,
        infraRetries: 0,
        throttledLaunches: 1,
      });
      // Out of line, so that the tests after this one do not queue behind it.
      await changeJob(store, jobId, (s) =>
        decide(s, { type: "Cancel", now: new Date().toISOString(), reason: "test done" }),
      );
    },
  );

  // ECS's sentence for the account's Fargate vCPU quota, as the ECS Developer Guide words it (service event
  // messages), typographic apostrophe included; RunTask reports it as a failures[] entry, not an exception.
  it("puts a job whose RunTask ECS refused for the account's Fargate vCPU quota back in line, spending nothing", async () => {
    const reason =
      "You\u2019ve reached the limit on the number of vCPUs you can run concurrently. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.";
    ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [{ reason, arn: "x" }] });
    const jobId = "job-vcpu-quota";
    const response = await handler(
      sqsEvent(sqsRecord(JSON.stringify({ videoUrl: "s3://uploads/q.mp4", jobId }), nextMessageId())),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect((await store.get(jobId))?.state).toMatchObject({
      status: "WAITING",
      retryAttempt: 1,
      reason: `launch throttled: ${reason}`,
      attemptsUsed: 0,
      infraRetries: 0,
    });
    expect(sentRetries()).toEqual([]);
    await changeJob(store, jobId, (s) =>
      decide(s, { type: "Cancel", now: new Date().toISOString(), reason: "test done" }),
    );
  });

  it("leaves the job launching when RunTask's outcome is unknown (a 5xx), and resumes it with the same token", async () => {
    const body = JSON.stringify({ videoUrl: "s3://uploads/u.mp4", jobId: "job-unknown" });
    const messageId = nextMessageId();
    ecs
      .on(RunTaskCommand)
      .rejectsOnce(
        new ECSServiceException({
          name: "ServerException",
          $fault: "server",
          $metadata: {},
          message: "internal",
        }),
      )
      .callsFake(runTaskSucceeds);
    const first = await handler(sqsEvent(sqsRecord(body, messageId)));
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: messageId }]);
    expect((await store.get("job-unknown"))?.state.status).toBe("LAUNCHING");
    await handler(sqsEvent(sqsRecord(body, messageId, 2)));
    expect(runTaskCalls().map((c) => c.clientToken)).toEqual(["job-unknown.1", "job-unknown.1"]);
    expect((await store.get("job-unknown"))?.state).toMatchObject({
      status: "LAUNCHED",
      attempt: 1,
      infraRetries: 0,
    });
    expect(sentRetries()).toEqual([]);
  });

  it("fails the job on a permanent RunTask failure and acknowledges the message", async () => {
    ecs.on(RunTaskCommand).rejects(
      new ECSServiceException({
        name: "ClientException",
        $fault: "client",
        $metadata: {},
        message: "TaskDefinition is inactive",
      }),
    );
    const response = await handler(
      sqsEvent(
        sqsRecord(
          JSON.stringify({ videoUrl: "s3://uploads/p.mp4", jobId: "job-permanent" }),
          nextMessageId(),
        ),
      ),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect((await store.get("job-permanent"))?.state).toMatchObject({
      status: "FAILED",
      reason: "task could not be launched: ClientException: TaskDefinition is inactive",
    });
  });
});

describe("bad input", () => {
  const big = "x".repeat(300_000);
  const badInputs: Array<[string, string, RegExp]> = [
    ["not JSON", "hello", /not JSON/],
    ["an empty body", "", /not JSON/],
    ["a JSON array", "[1,2]", /must be a JSON object, got an array/],
    ["a JSON number", "42", /got number/],
    ["JSON null", "null", /got object|got null|JSON object/],
    ["a JSON string", '"s3://b/k"', /got string/],
    ["an empty object", "{}", /unknown message shape/],
    ["unknown fields only", '{"video":"s3://b/k"}', /unknown message shape \(keys: video\)/],
    ["a numeric videoUrl", '{"videoUrl":5}', /videoUrl must be a string/],
    ["an empty videoUrl", '{"videoUrl":""}', /s3:\/\/<bucket>\/<key> or an https:\/\/ URL/],
    ["an http:// URL", '{"videoUrl":"http://example.com/v.mp4"}', /or an https:\/\/ URL/],
    ["an ftp:// URL", '{"videoUrl":"ftp://example.com/v.mp4"}', /or an https:\/\/ URL/],
    ["s3:// without bucket", '{"videoUrl":"s3://"}', /s3:\/\/<bucket>\/<key>/],
    ["an invalid bucket name", '{"videoUrl":"s3://Bad_Bucket/key.mp4"}', /s3:\/\/<bucket>\/<key>/],
    ["s3:// without key", '{"videoUrl":"s3://bucket-only"}', /s3:\/\/<bucket>\/<key>/],
    ["credentials in the URL", '{"videoUrl":"https://user:pw@example.com/v.mp4"}', /https:\/\/ URL/],
    [
      "a jobId with spaces",
      '{"videoUrl":"s3://bucket/k.mp4","jobId":"has spaces"}',
      /jobId must be 1 to 36 characters/,
    ],
    [
      "a jobId of 37 characters",
      `{"videoUrl":"s3://bucket/k.mp4","jobId":"${"j".repeat(37)}"}`,
      /jobId must be 1 to 36/,
    ],
    [
      "params that are an array",
      '{"videoUrl":"s3://bucket/k.mp4","params":[1,2]}',
      /params must be a JSON object/,
    ],
    [
      "an unknown extra field",
      '{"videoUrl":"s3://bucket/k.mp4","priority":1}',
      /unknown field\(s\) priority/,
    ],
    ["an empty videoId", '{"videoUrl":"s3://bucket/k.mp4","videoId":""}', /videoId must not be empty/],
    // (Params a custom worker takes, unchecked, must still be storable: tests/jobs/intake-params.test.ts.)
    [
      "a param the worker does not take",
      '{"videoUrl":"s3://bucket/k.mp4","params":{"seed":1}}',
      /params.seed: unknown parameter "seed"/,
    ],
    [
      "a param out of the worker's range",
      '{"videoUrl":"s3://bucket/k.mp4","params":{"maxThumbnails":501}}',
      /params.maxThumbnails: /,
    ],
    [
      "a job message with an attempt",
      '{"videoUrl":"s3://bucket/k.mp4","attempt":2}',
      /invalid job message: unknown field\(s\) attempt/,
    ],
    ["a retry attempt of 0", '{"jobId":"abc","attempt":0}', /attempt must be >= 1/],
    ["a retry attempt as a string", '{"jobId":"abc","attempt":"2"}', /attempt must be a number/],
    [
      "a retry of an unknown job",
      '{"jobId":"no-such-job","attempt":2}',
      /retry message for an unknown job: no job with id "no-such-job"/,
    ],
    ["S3 event without records", '{"Records":[]}', /has no Records/],
    [
      "an S3 record from another service",
      '{"Records":[{"eventSource":"aws:sqs"}]}',
      /invalid S3 event record 0/,
    ],
    ["a key with broken URL encoding", s3Notification("bad%E0%A4%A.mp4", "05"), /not valid URL encoding/],
    ["a 300 kB body of garbage", big, /not JSON/],
  ];

  it(`rejects each of ${badInputs.length} bad messages with a clear reason, launches nothing, and loses no valid record of the batch`, async () => {
    const valid = sqsRecord(
      JSON.stringify({ videoUrl: "s3://uploads/valid.mp4", jobId: "job-valid" }),
      nextMessageId(),
    );
    const bad = badInputs.map(([, body]) => sqsRecord(body, nextMessageId()));
    const response = await handler(sqsEvent(...bad.slice(0, 10), valid, ...bad.slice(10)));

    expect(response.batchItemFailures).toEqual([]);
    expect(runTaskCalls().map((c) => c.startedBy)).toEqual(["job-valid"]);
    for (const [index, [name, body, reason]] of badInputs.entries()) {
      const stored = await store.get(
        jobIdForRejectedMessage((bad[index] as { messageId: string }).messageId),
      );
      expect(stored?.state.status, name).toBe("REJECTED");
      const rejected = stored?.events[0];
      if (rejected?.type !== "JobRejected") throw new Error(`${name}: no JobRejected event`);
      expect(rejected.reason, name).toMatch(reason);
      expect(rejected.rawInput, name).toBe(body.slice(0, 4096));
      expect(rejected.truncated, name).toBe(body.length > 4096);
    }
  });

  it("ignores, by rule, records that are not object creations and folder markers", async () => {
    const removed = JSON.parse(s3Notification("gone.mp4", "06")) as { Records: Array<{ eventName: string }> };
    (removed.Records[0] as { eventName: string }).eventName = "ObjectRemoved:Delete";
    const response = await handler(
      sqsEvent(
        sqsRecord(JSON.stringify(removed), nextMessageId()),
        sqsRecord(s3Notification("folder/", "07"), nextMessageId()),
      ),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(runTaskCalls()).toHaveLength(0);
  });

  it("rejects a message that reuses a job id for a different input, keeping the first job intact", async () => {
    await handler(
      sqsEvent(
        sqsRecord(JSON.stringify({ videoUrl: "s3://uploads/one.mp4", jobId: "job-reused" }), nextMessageId()),
      ),
    );
    const messageId = nextMessageId();
    await handler(
      sqsEvent(
        sqsRecord(JSON.stringify({ videoUrl: "s3://uploads/two.mp4", jobId: "job-reused" }), messageId),
      ),
    );
    expect(runTaskCalls()).toHaveLength(1);
    expect((await store.get("job-reused"))?.state.input?.videoUrl).toBe("s3://uploads/one.mp4");
    expect((await store.get(jobIdForRejectedMessage(messageId)))?.state).toMatchObject({
      status: "REJECTED",
      reason: 'job id "job-reused" is already used by a job with a different input',
    });
  });
});
