// The sweeper Lambda handler end to end on its own: jobs left as the other handlers leave them in a real
// local DynamoDB (dynalite), ECS and SQS mocked at the SDK. It finds a launch with no answer by ListTasks,
// a missed stop by DescribeTasks, and stops a task past its deadline; every AWS call it makes is checked
// against the role the Pulumi program gives the sweeper (ListTasks among them: authorized on "*").

import {
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
} from "@aws-sdk/client-ecs";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoDbJobStore } from "../../jobs/adapters/aws/dynamodb-store";
import type { SweepReport } from "../../jobs/workflows/sweep";
import { checkAwsCallsAgainstRole } from "../support/aws-calls/record-in-test";
import { type LocalDynamoDb, startLocalDynamoDb } from "../support/dynamodb";
import { CLUSTER_ARN } from "../support/factories";
import { handlerEnvironment } from "../support/handler-env";
import { JobDriver, video } from "../support/histories";

const ecs = mockClient(ECSClient);
const sqs = mockClient(SQSClient);
// Every AWS call of this file, checked at its end against the role the Pulumi program gives the sweeper.
const asTheSweeper = checkAwsCallsAgainstRole("sweeper", [ecs, sqs]);
let db: LocalDynamoDb;
let store: DynamoDbJobStore;
let sweeper: () => Promise<SweepReport>;

const taskArnOf = (jobId: string) =>
  `${CLUSTER_ARN.replace(":cluster/", ":task/")}/${jobId.replace(/-/g, "")}0f3a9c`;

beforeAll(async () => {
  db = await startLocalDynamoDb();
  const tableName = await db.createTable("sweeper");
  Object.assign(process.env, handlerEnvironment(db.endpoint, tableName));
  store = new DynamoDbJobStore(db.client, { tableName, retentionDays: 0 });
  const module = await import("../../handlers/sweeper.js");
  sweeper = asTheSweeper(() => module.handler());
});
afterAll(async () => {
  ecs.restore();
  sqs.restore();
  await db?.stop();
});

describe("the sweeper handler", () => {
  it("resumes a launch with no answer, records a task ECS forgot as lost, and stops one past its deadline", async () => {
    const now = Date.now();
    // Quiet for longer than SWEEP_QUIET_SECONDS (300), inside LAUNCH_TIMEOUT_SECONDS (900).
    const unanswered = new JobDriver(store, "job-unanswered", new Date(now - 600_000));
    await unanswered.submit(0, video("job-unanswered"));
    // Launched, then nothing heard: DescribeTasks says MISSING.
    const forgotten = new JobDriver(store, "job-forgotten", new Date(now - 600_000));
    await forgotten.submit(0, video("job-forgotten"));
    await forgotten.apply(2, { type: "RecordLaunch", attempt: 1, taskArn: taskArnOf("job-forgotten") });
    // Running past JOB_TIMEOUT_SECONDS (3600).
    const late = new JobDriver(store, "job-late", new Date(now - 4_000_000));
    await late.submit(0, video("job-late"));
    await late.apply(2, { type: "RecordLaunch", attempt: 1, taskArn: taskArnOf("job-late") });
    await late.apply(20, {
      type: "ObserveTask",
      observation: {
        taskArn: taskArnOf("job-late"),
        attempt: 1,
        lastStatus: "RUNNING",
        ecsVersion: 3,
        timings: { startedAt: late.at(18) },
      },
    });
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    ecs.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
      tasks: [],
      failures: input.tasks.map((arn) => ({ arn, reason: "MISSING" })),
    }));
    ecs.on(StopTaskCommand).resolves({});
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: taskArnOf("job-unanswered") }], failures: [] });
    sqs.on(SendMessageCommand).resolves({ MessageId: "m" });

    const report = await sweeper();
    expect(report.errors).toBe(0);

    expect(ecs.commandCalls(ListTasksCommand).map((c) => c.args[0].input)).toEqual([
      { cluster: CLUSTER_ARN, startedBy: "job-unanswered", desiredStatus: "RUNNING", nextToken: undefined },
      { cluster: CLUSTER_ARN, startedBy: "job-unanswered", desiredStatus: "STOPPED", nextToken: undefined },
    ]);
    expect(ecs.commandCalls(RunTaskCommand).map((c) => c.args[0].input.clientToken)).toEqual([
      "job-unanswered.1",
    ]);
    expect(ecs.commandCalls(StopTaskCommand).map((c) => c.args[0].input.task)).toContain(
      taskArnOf("job-late"),
    );
    expect((await store.get("job-unanswered"))?.state.status).toBe("LAUNCHED");
    expect((await store.get("job-forgotten"))?.events.map((e) => e.type)).toContain("TaskLost");
  });
});
