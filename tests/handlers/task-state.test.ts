// The task-state Lambda handler with "ECS Task State Change" events shaped like AWS's (the documented Fargate
// RUNNING sample, and STOPPED variants from the ECS guide's stopped-task pages), a real local DynamoDB, a
// real local S3 holding the workers' outcome files, and SQS mocked at the SDK.

import { PutObjectCommand } from "@aws-sdk/client-s3";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { EventBridgeEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { DynamoDbJobStore } from "../../jobs/adapters/aws/dynamodb-store";
import type { JobEvent } from "../../jobs/model/events";
import { foldEvents } from "../../jobs/model/state";
import type { TrackOutcome } from "../../jobs/workflows/track-task";
import { checkAwsCallsAgainstRole } from "../support/aws-calls/record-in-test";
import { type LocalDynamoDb, startLocalDynamoDb } from "../support/dynamodb";
import { CLUSTER_ARN, type EcsEventOptions, ecsEvent, fixture, submitted } from "../support/factories";
import { handlerEnvironment, QUEUE_URL } from "../support/handler-env";
import { LOCAL_S3_CREDENTIALS, type LocalS3, startLocalS3 } from "../support/s3";

const sqs = mockClient(SQSClient);
// Every AWS call of this file, checked at its end against the role the Pulumi program gives the task-state.
const asTheTaskStateHandler = checkAwsCallsAgainstRole("task-state", [sqs]);
let db: LocalDynamoDb;
let s3: LocalS3;
let store: DynamoDbJobStore;
let handler: (event: unknown) => Promise<TrackOutcome>;

beforeAll(async () => {
  db = await startLocalDynamoDb();
  const tableName = await db.createTable("task-state");
  const environment = handlerEnvironment(db.endpoint, tableName);
  s3 = await startLocalS3({ buckets: [environment.OUTPUT_BUCKET ?? ""] });
  // The workers' outputs bucket on the local S3 (which wants its own credentials; dynalite takes any).
  Object.assign(process.env, environment, {
    // This file checks the metrics the handler writes (Embedded Metric Format on stdout).
    POWERTOOLS_METRICS_DISABLED: "false",
    // A stack that runs on Spot first: a Spot interruption moves the rest of the job to On-Demand.
    CAPACITY: "spot-with-fallback",
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
  });
  store = new DynamoDbJobStore(db.client, { tableName, retentionDays: 0 });
  const module = await import("../../handlers/task-state.js");
  handler = asTheTaskStateHandler((event) => module.handler(event as EventBridgeEvent<string, unknown>));
});
afterAll(async () => {
  sqs.restore();
  await db?.stop();
  await s3?.stop();
});
beforeEach(() => {
  sqs.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: "m" });
});

const taskArnOf = (jobId: string, attempt = 1) =>
  `arn:aws:ecs:us-west-2:111122223333:task/FargateCluster/task-${jobId}-${attempt}`;

/** A job as the dispatcher leaves it: launched (attempt 1), or only launching when `recordTask` is false. */
async function launchedJob(jobId: string, recordTask = true): Promise<void> {
  const events: JobEvent[] = [...submitted(jobId, new Date().toISOString())];
  if (recordTask)
    events.push({
      type: "TaskLaunched",
      at: new Date().toISOString(),
      attempt: 1,
      taskArn: taskArnOf(jobId),
    });
  await store.append(jobId, 0, events, foldEvents(jobId, events));
}

const event = (jobId: string, options: Omit<EcsEventOptions, "jobId">) =>
  ecsEvent({ jobId, attempt: 1, ...options });
const history = async (jobId: string) => (await store.get(jobId))?.events ?? [];
const sent = () => sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input);

describe("a task's life", () => {
  it("records RUNNING with its timings, then a successful STOPPED", async () => {
    await launchedJob("ok");
    await handler(event("ok", { lastStatus: "RUNNING", version: 4 }));
    await handler(event("ok", { lastStatus: "STOPPED", version: 6, exitCode: 0 }));

    const events = await history("ok");
    expect(events.map((e) => e.type)).toEqual([
      "JobSubmitted",
      "TaskLaunchRequested",
      "TaskLaunched",
      "TaskRunning",
      "TaskStopped",
      "JobSucceeded",
    ]);
    expect(events[3]).toMatchObject({
      taskArn: taskArnOf("ok"),
      ecsVersion: 4,
      timings: {
        createdAt: "2020-01-23T17:57:34.402Z",
        pullStartedAt: "2020-01-23T17:57:52.103Z",
        startedAt: "2020-01-23T17:57:58.103Z",
      },
    });
    expect(events[4]).toMatchObject({
      exitCode: 0,
      stopCode: "EssentialContainerExited",
      timings: { stoppedAt: "2020-01-23T17:58:45.000Z" },
    });
    expect((await store.get("ok"))?.state).toMatchObject({ status: "SUCCEEDED", exitCode: 0 });
    expect(sent()).toEqual([]);
  });

  it("publishes what each invocation measured as Embedded Metric Format, once, with the stack's service", async () => {
    await launchedJob("measured");
    await handler(event("measured", { lastStatus: "RUNNING", version: 4 }));
    const written: string[] = [];
    const stdout = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      await handler(event("measured", { lastStatus: "STOPPED", version: 6, exitCode: 0 }));
    } finally {
      stdout.mockRestore();
    }
    const documents = written.filter((text) => text.includes('"_aws"')).map((text) => JSON.parse(text));
    expect(documents).toHaveLength(1);
    expect(documents[0]).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: "VideoJobs", Dimensions: [["service"]] }] },
      service: "video-jobs-test",
      JobsSucceeded: 1,
      // The documented sample's startedAt 17:57:58.103 to stoppedAt 17:58:45.000.
      RunTimeSeconds: 46.897,
    });
  });

  it("schedules a retry on a retryable exit code and sends the retry message with the backoff as delay", async () => {
    await launchedJob("retry");
    await handler(event("retry", { lastStatus: "STOPPED", version: 6, exitCode: 1 }));
    expect((await store.get("retry"))?.state).toMatchObject({
      status: "RETRYING",
      retryAttempt: 2,
      attemptsUsed: 1,
    });
    expect(sent()).toEqual([
      { QueueUrl: QUEUE_URL, MessageBody: JSON.stringify({ jobId: "retry", attempt: 2 }), DelaySeconds: 30 },
    ]);
  });

  it("re-sends the retry message when the same STOPPED event is delivered again, recording nothing new", async () => {
    await launchedJob("again");
    const stop = event("again", { lastStatus: "STOPPED", version: 6, exitCode: 2 });
    await handler(stop);
    const before = await history("again");
    await handler(stop);
    expect(await history("again")).toEqual(before);
    expect(sent()).toHaveLength(2);
  });

  it("fails at once on exit 65 (not a processable video)", async () => {
    await launchedJob("corrupt");
    await handler(event("corrupt", { lastStatus: "STOPPED", version: 6, exitCode: 65 }));
    expect((await store.get("corrupt"))?.state).toMatchObject({
      status: "FAILED",
      reason: "worker exited with non-retryable code 65 (input is not a processable video)",
    });
    expect(sent()).toEqual([]);
  });

  it("stores the worker's own reason, from its outcome file, in the history", async () => {
    await launchedJob("truncated");
    const outcome = {
      schemaVersion: 1,
      jobId: "truncated",
      attempt: 1,
      code: "truncated",
      exitCode: 65,
      message: "truncated: the moov atom is missing (the MP4's index, which is written last)",
      hint: "the file was cut off (an interrupted upload or recording): upload the complete file",
      startedAt: "2026-11-29T10:00:00.000Z",
      finishedAt: "2026-11-29T10:00:02.000Z",
      peakMemoryMb: 96.2,
      cpuSeconds: 0.58,
    };
    await s3.client.send(
      new PutObjectCommand({
        Bucket: process.env.OUTPUT_BUCKET,
        Key: `${process.env.OUTPUT_PREFIX}truncated/outcome-1.json`,
        Body: JSON.stringify(outcome),
      }),
    );
    await handler(event("truncated", { lastStatus: "STOPPED", version: 6, exitCode: 65 }));
    const stopped = (await history("truncated")).find((e) => e.type === "TaskStopped");
    expect(stopped).toMatchObject({
      exitCode: 65,
      workerOutcome: {
        code: "truncated",
        message: outcome.message,
        hint: outcome.hint,
        peakMemoryMb: 96.2,
        cpuSeconds: 0.58,
      },
    });
    expect((await store.get("truncated"))?.state).toMatchObject({
      status: "FAILED",
      reason: `input is not a processable video: ${outcome.message}`,
    });
  });

  it("names an out-of-memory kill in the history", async () => {
    await launchedJob("oom");
    await handler(
      event("oom", {
        lastStatus: "STOPPED",
        version: 6,
        exitCode: 137,
        containerReason: "OutOfMemoryError: Container killed due to memory usage",
      }),
    );
    const stopped = (await history("oom")).find((e) => e.type === "TaskStopped");
    expect(stopped).toMatchObject({ exitCode: 137, failure: { kind: "out-of-memory" } });
    expect((await store.get("oom"))?.state.reason).toMatch(
      /^OutOfMemory: the worker ran out of memory \(exit 137/,
    );
    // Retried bigger: twice the memory of the stack's 1 vCPU 2 GiB, within MAX_WORKER_MEMORY_MB.
    expect((await history("oom")).find((e) => e.type === "RetryScheduled")).toMatchObject({
      countsAsAttempt: true,
      size: { cpu: 1024, memoryMib: 4096 },
    });
    expect((await store.get("oom"))?.state.nextSize).toEqual({ cpu: 1024, memoryMib: 4096 });
  });

  it("sends the rest of a job Spot interrupted to On-Demand, without using an attempt", async () => {
    await launchedJob("spot");
    await handler(
      event("spot", {
        lastStatus: "STOPPED",
        version: 6,
        exitCode: 143,
        stopCode: "SpotInterruption",
        stoppedReason: "Your Spot Task was interrupted.",
      }),
    );
    expect((await history("spot")).find((e) => e.type === "RetryScheduled")).toMatchObject({
      countsAsAttempt: false,
      capacity: "FARGATE",
      reason: expect.stringMatching(
        /^SpotInterruption: Your Spot Task was interrupted\. \(exit 143\); Spot interrupted the task/,
      ),
    });
    expect((await store.get("spot"))?.state).toMatchObject({
      status: "RETRYING",
      attemptsUsed: 0,
      infraRetries: 1,
      onDemandOnly: true,
    });
    expect(sent()).toHaveLength(1);
  });

  it("retries a task that failed to start (no exit code) without using an attempt", async () => {
    await launchedJob("pull");
    await handler(
      event("pull", {
        lastStatus: "STOPPED",
        version: 3,
        stopCode: "TaskFailedToStart",
        stoppedReason:
          "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 111122223333.dkr.ecr.us-west-2.amazonaws.com/worker:latest: not found",
      }),
    );
    const stopped = (await history("pull")).find((e) => e.type === "TaskStopped");
    expect(stopped).not.toHaveProperty("exitCode");
    expect(stopped).toMatchObject({ stopCode: "TaskFailedToStart", failure: { kind: "infrastructure" } });
    expect((await store.get("pull"))?.state).toMatchObject({
      status: "RETRYING",
      attemptsUsed: 0,
      infraRetries: 1,
    });
    expect(sent()).toHaveLength(1);
  });
});

describe("order and identity", () => {
  it("records events that arrive before the dispatcher recorded the task, from the event alone", async () => {
    await launchedJob("early", false);
    await handler(event("early", { lastStatus: "RUNNING", version: 4 }));
    expect((await store.get("early"))?.state).toMatchObject({
      status: "RUNNING",
      taskArn: taskArnOf("early"),
    });
  });

  it("ignores a RUNNING event that arrives after STOPPED (lower version)", async () => {
    await launchedJob("late");
    await handler(event("late", { lastStatus: "STOPPED", version: 6, exitCode: 0 }));
    const before = await history("late");
    const outcome = await handler(event("late", { lastStatus: "RUNNING", version: 4 }));
    expect(outcome).toMatchObject({ recorded: [] });
    expect(await history("late")).toEqual(before);
  });

  it("ignores, with a reason, tasks of other clusters, tasks not started by the pipeline and unknown jobs", async () => {
    await launchedJob("mine");
    const other = await handler(
      event("mine", {
        lastStatus: "RUNNING",
        version: 4,
        clusterArn: "arn:aws:ecs:us-west-2:111122223333:cluster/other",
      }),
    );
    expect(other).toEqual({
      ignored: "task of another cluster (arn:aws:ecs:us-west-2:111122223333:cluster/other)",
    });

    const documented = fixture("ecs-task-running-fargate.awsdocs.json"); // no startedBy: somebody else's task
    expect((documented.detail as { clusterArn: string }).clusterArn).toBe(CLUSTER_ARN);
    expect(await handler(documented)).toEqual({
      ignored: "task not started by the pipeline (startedBy: none)",
    });

    expect(await handler(event("not-a-job", { lastStatus: "RUNNING", version: 4 }))).toEqual({
      ignored: 'task not started by the pipeline (no job "not-a-job")',
    });
    expect(await store.get("not-a-job")).toBeUndefined();
    expect(await handler({ source: "aws.s3", "detail-type": "Object Created", detail: {} })).toMatchObject({
      ignored: expect.stringMatching(/^not an ECS Task State Change event/),
    });
    expect((await history("mine")).map((e) => e.type)).not.toContain("TaskRunning");
  });

  it("never lets a worker run by hand with a job's id create or change a job, or make the handler throw", async () => {
    await launchedJob("real");
    const byHand = (
      jobId: string,
      attempt: string | undefined,
      version: number,
      lastStatus: "RUNNING" | "STOPPED",
    ) => {
      const stray = ecsEvent({ jobId, lastStatus, version, taskId: `by-hand-${jobId}`, exitCode: 0 });
      const detail = stray.detail as { overrides: { containerOverrides: Array<{ environment: unknown[] }> } };
      const environment = [{ name: "JOB_ID", value: jobId }];
      if (attempt !== undefined) environment.push({ name: "JOB_ATTEMPT", value: attempt });
      detail.overrides.containerOverrides[0] = { ...detail.overrides.containerOverrides[0], environment };
      return stray;
    };
    for (const attempt of ["0", undefined, "garbage", "-1", "1.5"]) {
      for (const jobId of ["stray-job", "real"]) {
        for (const [version, status] of [
          [4, "RUNNING"],
          [6, "STOPPED"],
          [7, "STOPPED"],
        ] as const) {
          const outcome = await handler(byHand(jobId, attempt, version, status));
          expect(outcome, `${jobId} JOB_ATTEMPT=${attempt}`).toHaveProperty("ignored");
        }
      }
    }
    // Even with a plausible attempt, another task than the one the job recorded is not the job's.
    expect(await handler(byHand("real", "1", 8, "STOPPED"))).toMatchObject({ recorded: [] });
    expect(await store.get("stray-job")).toBeUndefined();
    expect((await history("real")).map((e) => e.type)).toEqual([
      "JobSubmitted",
      "TaskLaunchRequested",
      "TaskLaunched",
    ]);
  });

  it("fails the job after maxAttempts retryable failures", async () => {
    await launchedJob("flaky");
    for (const attempt of [1, 2, 3]) {
      if (attempt > 1) {
        const stored = await store.get("flaky");
        const relaunch: JobEvent[] = [
          {
            type: "TaskLaunchRequested",
            at: new Date().toISOString(),
            attempt,
            clientToken: `flaky.${attempt}`,
          },
          {
            type: "TaskLaunched",
            at: new Date().toISOString(),
            attempt,
            taskArn: taskArnOf("flaky", attempt),
          },
        ];
        await store.append(
          "flaky",
          stored?.version ?? 0,
          relaunch,
          foldEvents("flaky", [...(stored?.events ?? []), ...relaunch]),
        );
      }
      await handler(ecsEvent({ jobId: "flaky", attempt, lastStatus: "STOPPED", version: 6, exitCode: 3 }));
    }
    expect((await store.get("flaky"))?.state).toMatchObject({
      status: "FAILED",
      reason: "failed after 3 attempts; last: worker exited with code 3",
    });
    expect(sent().map((m) => [JSON.parse(m.MessageBody ?? "{}").attempt, m.DelaySeconds])).toEqual([
      [2, 30],
      [3, 60],
    ]);
  });
});
