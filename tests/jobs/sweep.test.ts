// The sweeper's rules (jobs/workflows/sweep.ts) on a real local DynamoDB, with ECS and SQS mocked at the SDK and the
// real ECS adapters (EcsTaskControl, EcsTaskLauncher): deadlines, missed events, launches with no answer,
// overdue retries, lost tasks; a sweep racing the task-state handler and another sweep; bounded work that
// only ever queries the table.

import {
  DescribeTasksCommand,
  ECSClient,
  InvalidParameterException,
  ListTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DynamoDbJobStore } from "../../jobs/adapters/aws/dynamodb-store";
import { EcsTaskControl } from "../../jobs/adapters/aws/ecs-task-control";
import { EcsTaskLauncher } from "../../jobs/adapters/aws/ecs-task-launcher";
import { SqsRetryQueue } from "../../jobs/adapters/aws/sqs-retry-queue";
import { memoryCapacity } from "../../jobs/adapters/memory/memory-capacity";
import type { Deadlines } from "../../jobs/model/deadlines";
import type { JobEvent } from "../../jobs/model/events";
import { cancelJob } from "../../jobs/workflows/cancel-job";
import { dispatchMessage } from "../../jobs/workflows/dispatch";
import { type SweepDeps, sweep } from "../../jobs/workflows/sweep";
import { trackTaskEvent } from "../../jobs/workflows/track-task";
import { type LocalDynamoDb, startLocalDynamoDb } from "../support/dynamodb";
import { CLUSTER_ARN, CONTAINER, ecsEvent, TEST_POLICY } from "../support/factories";
import { QUEUE_URL, TASK_DEFINITION_ARN } from "../support/handler-env";
import { JobDriver, video } from "../support/histories";

const ecs = mockClient(ECSClient);
const sqs = mockClient(SQSClient);
const DEADLINES: Deadlines = { launchSeconds: 900, runSeconds: 3600, quietSeconds: 300 };
const T0 = new Date("2026-11-29T08:00:00.000Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000).toISOString();
const silent = { info: () => {}, warn: () => {} };
const context = { clusterArn: CLUSTER_ARN, workerContainerName: CONTAINER };
const taskArnOf = (jobId: string, attempt = 1) =>
  `arn:aws:ecs:us-west-2:111122223333:task/FargateCluster/task-${jobId}-${attempt}`;

let db: LocalDynamoDb;
let store: DynamoDbJobStore;
/** The slots of one test: the jobs `job()` makes hold theirs, as the dispatcher's would. */
let capacity: ReturnType<typeof memoryCapacity>;
const tableCommands: string[] = [];

beforeAll(async () => {
  db = await startLocalDynamoDb();
  db.client.middlewareStack.add(
    (next, ctx) => (args) => {
      tableCommands.push(String(ctx.commandName));
      return next(args);
    },
    { step: "initialize" },
  );
});
afterAll(async () => {
  ecs.restore();
  sqs.restore();
  await db?.stop();
});
beforeEach(async () => {
  ecs.reset();
  sqs.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: "m" });
  ecs.on(DescribeTasksCommand).resolves({ tasks: [], failures: [] });
  ecs.on(ListTasksCommand).resolves({ taskArns: [] });
  ecs.on(StopTaskCommand).resolves({});
  store = new DynamoDbJobStore(db.client, { tableName: await db.createTable("sweep"), retentionDays: 0 });
  tableCommands.length = 0;
  capacity = memoryCapacity({ sleep: async () => {} });
});

function deps(seconds: number, overrides: Partial<SweepDeps> = {}): SweepDeps {
  const ecsClient = new ECSClient({ region: "us-west-2" });
  return {
    store,
    capacity,
    tasks: new EcsTaskControl(ecsClient, context),
    launcher: new EcsTaskLauncher(ecsClient, {
      clusterArn: CLUSTER_ARN,
      taskDefinitionArn: TASK_DEFINITION_ARN,
      subnetIds: ["subnet-a"],
      securityGroupIds: ["sg-a"],
      assignPublicIp: "DISABLED",
    }),
    retryQueue: new SqsRetryQueue(new SQSClient({ region: "us-west-2" }), QUEUE_URL),
    target: { containerName: CONTAINER, outputBucket: "outputs-bucket", outputPrefix: "outputs/" },
    policy: TEST_POLICY,
    deadlines: DEADLINES,
    clock: () => at(seconds),
    log: silent,
    maxJobs: 1000,
    ...overrides,
  };
}

/** A job recorded as the dispatcher and task-state handler leave it, with its task ARN as in ecsEvent. */
async function job(jobId: string, stage: "launching" | "launched" | "running", input = video(jobId)) {
  const driver = new JobDriver(store, jobId, T0);
  await capacity.slots.acquire(jobId, at(0));
  await driver.submit(0, input);
  if (stage === "launching") return driver;
  await driver.apply(2, { type: "RecordLaunch", attempt: 1, taskArn: taskArnOf(jobId) });
  if (stage === "running") {
    await driver.apply(20, {
      type: "ObserveTask",
      observation: {
        taskArn: taskArnOf(jobId),
        attempt: 1,
        lastStatus: "RUNNING",
        ecsVersion: 3,
        timings: { startedAt: at(18) },
      },
    });
  }
  return driver;
}

/** What DescribeTasks returns for a task: the ECS event's detail, with times as the SDK's Dates. */
function described(options: Parameters<typeof ecsEvent>[0]): Task {
  const detail = ecsEvent(options).detail as Record<string, unknown>;
  const task: Record<string, unknown> = { ...detail };
  for (const key of Object.keys(task).filter((name) => name.endsWith("At"))) {
    if (typeof task[key] === "string") task[key] = new Date(task[key] as string);
  }
  return task as Task;
}

/**
 * DescribeTasks answers for each task asked about (attempt 1 of the job its ARN names) in the given state,
 * or MISSING for those `forgotten` picks.
 */
function describeAs(
  task: Omit<Parameters<typeof ecsEvent>[0], "jobId" | "attempt">,
  forgotten: (taskArn: string) => boolean = () => false,
): void {
  const jobIdOf = (arn: string) => arn.slice(arn.lastIndexOf("/task-") + 6, -2);
  ecs.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
    tasks: input.tasks
      .filter((arn) => !forgotten(arn))
      .map((arn) => described({ ...task, jobId: jobIdOf(arn), attempt: 1 })),
    failures: input.tasks.filter(forgotten).map((arn) => ({ arn, reason: "MISSING" })),
  }));
}

const history = async (jobId: string): Promise<JobEvent[]> => [...((await store.get(jobId))?.events ?? [])];
const types = async (jobId: string) => (await history(jobId)).map((e) => e.type);
const stateOf = async (jobId: string) => (await store.get(jobId))?.state;
const stops = () => ecs.commandCalls(StopTaskCommand).map((c) => c.args[0].input);
const retriesSent = () =>
  sqs.commandCalls(SendMessageCommand).map((c) => JSON.parse(c.args[0].input.MessageBody ?? ""));

describe("deadlines", () => {
  it("stops a worker running past jobTimeout; its STOPPED event ends the job TIMED_OUT", async () => {
    await job("late", "running");
    const report = await sweep(deps(18 + 3600 + 1));
    expect(report.actions.stopRequested).toBe(1);
    expect(stops()).toEqual([
      {
        cluster: CLUSTER_ARN,
        task: taskArnOf("late"),
        reason: "video-jobs sweeper: ran longer than the job timeout of 1 h",
      },
    ]);
    expect((await history("late")).at(-1)).toMatchObject({
      type: "TaskStopRequested",
      deadline: "run",
      taskArn: taskArnOf("late"),
    });
    // ECS stops it: the worker got SIGTERM and exited 143. That is the timeout, not a worker failure.
    await trackTaskEvent(
      {
        store,
        retryQueue: deps(0).retryQueue,
        policy: TEST_POLICY,
        context,
        clock: () => at(3700),
        log: silent,
      },
      ecsEvent({
        jobId: "late",
        attempt: 1,
        lastStatus: "STOPPED",
        version: 6,
        exitCode: 143,
        stopCode: "UserInitiated",
      }),
    );
    expect(await stateOf("late")).toMatchObject({
      status: "TIMED_OUT",
      reason: "ran longer than the job timeout of 1 h",
    });
    expect(retriesSent()).toEqual([]);
  });

  it("honours a job's own timeoutSeconds, and leaves the others alone", async () => {
    await job("short", "running", { ...video("short"), timeoutSeconds: 120 });
    await job("normal", "running");
    await sweep(deps(18 + 121));
    expect(stops().map((s) => s.task)).toEqual([taskArnOf("short")]);
    expect(stops()[0]?.reason).toContain("job's own timeoutSeconds of 2 min");
    expect(await types("normal")).not.toContain("TaskStopRequested");
  });

  it("times the job out at once when ECS no longer knows the task it stops", async () => {
    await job("vanished", "running");
    ecs
      .on(StopTaskCommand)
      .rejects(
        new InvalidParameterException({ $metadata: {}, message: "The referenced task was not found." }),
      );
    await sweep(deps(18 + 3600 + 1));
    expect(await types("vanished")).toEqual([
      "JobSubmitted",
      "TaskLaunchRequested",
      "TaskLaunched",
      "TaskRunning",
      "TaskStopRequested",
      "TaskLost",
      "JobTimedOut",
    ]);
  });

  it("stops a task stuck before RUNNING past the launch deadline; its STOPPED retries the launch as infrastructure", async () => {
    await job("stuck", "launched");
    await sweep(deps(901));
    expect(stops().map((s) => s.reason)).toEqual([
      "video-jobs sweeper: no RUNNING within the launch deadline of 15 min (capacity, provisioning or image pull)",
    ]);
    await trackTaskEvent(
      {
        store,
        retryQueue: deps(0).retryQueue,
        policy: TEST_POLICY,
        context,
        clock: () => at(950),
        log: silent,
      },
      ecsEvent({
        jobId: "stuck",
        attempt: 1,
        lastStatus: "STOPPED",
        version: 4,
        stopCode: "UserInitiated",
        stoppedReason: "video-jobs sweeper: no RUNNING",
      }),
    );
    expect(await stateOf("stuck")).toMatchObject({
      status: "RETRYING",
      retryAttempt: 2,
      attemptsUsed: 0,
      infraRetries: 1,
      reason: "launch deadline passed: the task never ran",
    });
    expect(retriesSent()).toEqual([{ jobId: "stuck", attempt: 2 }]);
  });

  it("asks once when two sweeps run at once", async () => {
    await job("twice", "running");
    await Promise.all([sweep(deps(3700)), sweep(deps(3700))]);
    expect((await types("twice")).filter((t) => t === "TaskStopRequested")).toHaveLength(1);
  });
});

describe("missed events", () => {
  it("applies a STOPPED event it missed, as the task-state handler would, describing up to 100 tasks a call", async () => {
    const ids = Array.from({ length: 150 }, (_, i) => `quiet-${i}`);
    for (const id of ids) await job(id, "running");
    describeAs({ lastStatus: "STOPPED", version: 6, exitCode: 0 });
    const report = await sweep(deps(20 + 301));
    expect(ecs.commandCalls(DescribeTasksCommand).map((c) => c.args[0].input.tasks?.length)).toEqual([
      100, 50,
    ]);
    expect(report.actions.observationApplied).toBe(150);
    expect((await stateOf("quiet-7"))?.status).toBe("SUCCEEDED");
    expect(await types("quiet-149")).toEqual([
      "JobSubmitted",
      "TaskLaunchRequested",
      "TaskLaunched",
      "TaskRunning",
      "TaskStopped",
      "JobSucceeded",
    ]);
  });

  it("records a task ECS no longer knows as lost and retries it as an infrastructure failure", async () => {
    await job("forgotten", "running");
    ecs
      .on(DescribeTasksCommand)
      .resolves({ tasks: [], failures: [{ arn: taskArnOf("forgotten"), reason: "MISSING" }] });
    await sweep(deps(20 + 301));
    expect((await history("forgotten")).at(-2)).toMatchObject({
      type: "TaskLost",
      taskArn: taskArnOf("forgotten"),
    });
    expect(await stateOf("forgotten")).toMatchObject({
      status: "RETRYING",
      infraRetries: 1,
      attemptsUsed: 0,
    });
    expect(retriesSent()).toEqual([{ jobId: "forgotten", attempt: 2 }]);
  });

  it("with a quiet period under a minute (local mode's --sweep-quiet), finds a task lost seconds after its last news", async () => {
    await job("short-quiet", "running");
    ecs
      .on(DescribeTasksCommand)
      .resolves({ tasks: [], failures: [{ arn: taskArnOf("short-quiet"), reason: "MISSING" }] });
    const quick = { ...DEADLINES, quietSeconds: 3 };
    await sweep(deps(20 + 2, { deadlines: quick }));
    expect(ecs.calls()).toHaveLength(0);
    await sweep(deps(20 + 4, { deadlines: quick }));
    expect((await history("short-quiet")).at(-2)).toMatchObject({ type: "TaskLost" });
    expect(await stateOf("short-quiet")).toMatchObject({ status: "RETRYING", infraRetries: 1 });
  });

  it("asks ECS nothing about a job it heard from lately", async () => {
    await job("fresh", "running");
    await sweep(deps(20 + 120));
    expect(ecs.calls()).toHaveLength(0);
  });

  it("records the same stop once when it races the task-state handler", async () => {
    await job("race", "running");
    const stoppedEvent = ecsEvent({
      jobId: "race",
      attempt: 1,
      lastStatus: "STOPPED",
      version: 6,
      exitCode: 1,
    });
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [described({ jobId: "race", attempt: 1, lastStatus: "STOPPED", version: 6, exitCode: 1 })],
    });
    await Promise.all([
      sweep(deps(400)),
      trackTaskEvent(
        {
          store,
          retryQueue: deps(0).retryQueue,
          policy: TEST_POLICY,
          context,
          clock: () => at(400),
          log: silent,
        },
        stoppedEvent,
      ),
    ]);
    const recorded = await types("race");
    expect(recorded.filter((t) => t === "TaskStopped")).toHaveLength(1);
    expect(recorded.filter((t) => t === "RetryScheduled")).toHaveLength(1);
    expect(await stateOf("race")).toMatchObject({ status: "RETRYING", attemptsUsed: 1 });
  });
});

describe("launches with no answer", () => {
  it("records the task ECS has for the attempt (found by startedBy) and what it is doing", async () => {
    await job("found", "launching");
    ecs.on(ListTasksCommand, { desiredStatus: "RUNNING" }).resolves({ taskArns: [taskArnOf("found")] });
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [described({ jobId: "found", attempt: 1, lastStatus: "RUNNING", version: 3 })],
    });
    const report = await sweep(deps(301));
    expect(report.actions.launchFound).toBe(1);
    expect(await stateOf("found")).toMatchObject({ status: "RUNNING", taskArn: taskArnOf("found") });
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(0);
  });

  it("calls RunTask again with the same client token when ECS has no task and the deadline is ahead", async () => {
    await job("resume", "launching");
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: taskArnOf("resume") }] });
    await sweep(deps(301));
    expect(ecs.commandCalls(RunTaskCommand).map((c) => c.args[0].input.clientToken)).toEqual(["resume.1"]);
    expect(await types("resume")).toEqual([
      "JobSubmitted",
      "TaskLaunchRequested",
      "LaunchResumed",
      "TaskLaunched",
    ]);
    expect((await stateOf("resume"))?.status).toBe("LAUNCHED");
  });

  it("resumes a launch with the size and capacity its attempt recorded, whatever the stack now says", async () => {
    const spotFirst = { ...TEST_POLICY, placement: { ...TEST_POLICY.placement, capacity: "spot" as const } };
    const driver = new JobDriver(store, "resume-spot", T0, spotFirst);
    await capacity.slots.acquire("resume-spot", at(0));
    await driver.submit(0, video("resume-spot"));
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: taskArnOf("resume-spot") }] });
    await sweep(deps(301)); // the sweeper's policy: TEST_POLICY, on-demand
    const [call] = ecs.commandCalls(RunTaskCommand).map((c) => c.args[0].input);
    expect(call).toMatchObject({
      clientToken: "resume-spot.1",
      capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }],
      overrides: { cpu: "1024", memory: "2048" },
    });
  });

  it("gives the launch up past its deadline and retries with a new attempt (a new client token)", async () => {
    await job("given-up", "launching");
    await sweep(deps(901));
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(0);
    expect(await stateOf("given-up")).toMatchObject({ status: "RETRYING", retryAttempt: 2, infraRetries: 1 });
    expect(retriesSent()).toEqual([{ jobId: "given-up", attempt: 2 }]);
  });
});

describe("overdue retries", () => {
  it("sends a retry message again once the retry is overdue, and only once per quiet period", async () => {
    const driver = await job("lost-retry", "running");
    await driver.apply(30, {
      type: "ObserveTask",
      observation: {
        taskArn: taskArnOf("lost-retry"),
        attempt: 1,
        lastStatus: "STOPPED",
        ecsVersion: 6,
        exitCode: 1,
        timings: {},
      },
    });
    // retry due at 30 + 10 s; its message never arrived.
    await sweep(deps(40 + 100));
    expect(retriesSent()).toEqual([]);
    await sweep(deps(40 + 301));
    await sweep(deps(40 + 302));
    await sweep(deps(40 + 303));
    expect(retriesSent()).toEqual([{ jobId: "lost-retry", attempt: 2 }]);
    expect((await types("lost-retry")).filter((t) => t === "RetryResent")).toHaveLength(1);
  });
});

describe("bounded work", () => {
  it("reads and writes nothing for a quiet task ECS says nothing new about", async () => {
    for (let i = 0; i < 3; i++) await job(`long-${i}`, "running");
    describeAs({ lastStatus: "RUNNING", version: 3 });
    tableCommands.length = 0;
    await sweep(deps(20 + 301));
    expect(ecs.commandCalls(DescribeTasksCommand)).toHaveLength(1);
    expect(new Set(tableCommands)).toEqual(new Set(["QueryCommand"]));
  });

  it("examines at most maxJobs a run, oldest first, and only queries the table (never a Scan)", async () => {
    for (let i = 0; i < 5; i++) await job(`bounded-${i}`, "running");
    tableCommands.length = 0;
    const report = await sweep(deps(400, { maxJobs: 12 })); // 3 a status
    expect(report).toMatchObject({ examined: 3, complete: false });
    expect(new Set(tableCommands)).toEqual(new Set(["QueryCommand"]));
  });

  it("goes on where the last run stopped, so no job is left unexamined behind healthy ones", async () => {
    for (const id of ["healthy-1", "healthy-2", "forgotten-late"]) await job(id, "running");
    describeAs({ lastStatus: "RUNNING", version: 3 }, (arn) => arn.includes("forgotten"));
    const resume = new Map<string, string>();
    for (let run = 0; run < 3; run++) await sweep(deps(400 + run * 120, { maxJobs: 4, resume })); // 1 a status
    expect((await stateOf("forgotten-late"))?.status).toBe("RETRYING");
  });
});

describe("a job cancelled while its RunTask is under way", () => {
  it("has the task RunTask started stopped at once (nobody else knows of it)", async () => {
    const ecsClient = new ECSClient({ region: "us-west-2" });
    const launcher = new EcsTaskLauncher(ecsClient, {
      clusterArn: CLUSTER_ARN,
      taskDefinitionArn: TASK_DEFINITION_ARN,
      subnetIds: ["subnet-a"],
      securityGroupIds: ["sg-a"],
      assignPublicIp: "DISABLED",
    });
    // The cancel lands between the dispatcher's recording of the launch and RunTask's answer.
    ecs.on(RunTaskCommand).callsFake(async () => {
      await cancelJob({ store, tasks: deps(0).tasks, clock: () => at(1) }, "cancel-race", "changed my mind");
      return { tasks: [{ taskArn: taskArnOf("cancel-race") }] };
    });
    await dispatchMessage(
      { ...deps(0), launcher, clock: () => at(0) },
      JSON.stringify({ videoUrl: "s3://uploads/cancel-race.mp4", jobId: "cancel-race" }),
      "m-cancel-race",
    );
    expect(await stateOf("cancel-race")).toMatchObject({
      status: "CANCELLED",
      taskArn: taskArnOf("cancel-race"),
    });
    expect(stops().map((s) => s.task)).toEqual([taskArnOf("cancel-race")]);
  });
});
