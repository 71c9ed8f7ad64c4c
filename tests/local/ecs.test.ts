// The local ECS stand-in through the real SDK client, with a scripted worker; its events are read by the
// pipeline's own parser (jobs/boundary/task-events.ts), as the task-state handler reads them.

import {
  ClusterNotFoundException,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EcsTaskControl } from "../../jobs/adapters/aws/ecs-task-control";
import { EcsTaskLauncher } from "../../jobs/adapters/aws/ecs-task-launcher";
import { readTaskEvent } from "../../jobs/boundary/task-events";
import { spotSetback } from "../../jobs/model/placement";
import { DEFAULT_RETRY_POLICY, readStop } from "../../jobs/model/retry-policy";
import {
  LocalEcs,
  type LocalEcsOptions,
  type TaskEvent,
  type WorkerLauncher,
  type WorkerTask,
} from "../../local/aws/ecs";
import { SPOT_CAPACITY_UNAVAILABLE } from "../../local/aws/spot-interruptions";
import { TEST_CLUSTER } from "../support/local-mode";
import { waitFor } from "../support/wait-for";

interface Scripted {
  environment: Record<string, string>;
  task: WorkerTask;
  finish(outcome: { exitCode: number; outOfMemory?: boolean }): void;
  stopped: boolean;
}

/** A worker that starts at once and exits when the test calls finish({exitCode}). */

const started: Scripted[] = [];
const events: TaskEvent[] = [];
let failNextStart: string | undefined;
const launcher: WorkerLauncher = {
  start(task) {
    const { environment } = task;
    if (failNextStart !== undefined) {
      const error = new Error(failNextStart);
      failNextStart = undefined;
      return { started: Promise.reject(error), exited: new Promise(() => {}), stop() {}, kill() {} };
    }
    let finish: Scripted["finish"] = () => {};
    const exited = new Promise<{ exitCode: number; outOfMemory?: boolean }>((resolve) => {
      finish = resolve;
    });
    const scripted: Scripted = { environment, task, finish, stopped: false };
    started.push(scripted);
    return {
      started: Promise.resolve(),
      exited,
      stop() {
        scripted.stopped = true;
        finish({ exitCode: 143 });
      },
      kill() {
        finish({ exitCode: 137 });
      },
    };
  },
};
const ecsOptions: LocalEcsOptions = {
  ...TEST_CLUSTER,
  launcher,
  onEvent: async (event) => {
    events.push(event);
  },
};
const ecs = new LocalEcs(ecsOptions);
let client: ECSClient;

beforeAll(async () => {
  const endpoint = await ecs.start();
  client = new ECSClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  });
});
afterAll(async () => {
  client.destroy();
  await ecs.stop();
});
beforeEach(() => {
  started.length = 0;
  events.length = 0;
});

const run = (jobId: string, attempt: number, extra: Record<string, unknown> = {}, via?: ECSClient) =>
  (via ?? client).send(
    new RunTaskCommand({
      cluster: ecs.clusterArn,
      taskDefinition: ecs.taskDefinitionArn,
      startedBy: jobId,
      clientToken: `${jobId}.${attempt}`,
      overrides: {
        containerOverrides: [
          {
            name: "worker",
            environment: [
              { name: "JOB_ID", value: jobId },
              { name: "JOB_ATTEMPT", value: String(attempt) },
            ],
          },
        ],
      },
      ...extra,
    }),
  );
const context = {
  clusterArn: "arn:aws:ecs:us-east-1:000000000000:cluster/video-jobs",
  workerContainerName: "worker",
};
const until = (predicate: () => boolean) => waitFor(predicate, `worker launches: ${predicate}`);

describe("local ECS", () => {
  it("runs the worker with the overrides' environment and emits RUNNING then STOPPED like ECS", async () => {
    const response = await run("job-a", 1);
    const taskArn = response.tasks?.[0]?.taskArn ?? "";
    expect(response.tasks?.[0]).toMatchObject({ startedBy: "job-a", lastStatus: "PROVISIONING" });
    await until(() => started.length === 1);
    expect(started[0]?.environment).toEqual({ JOB_ID: "job-a", JOB_ATTEMPT: "1" });
    started[0]?.finish({ exitCode: 0 });
    await ecs.settled();

    const readings = events.map((e) => readTaskEvent(e, context));
    expect(readings).toEqual([
      {
        kind: "observation",
        jobId: "job-a",
        observation: expect.objectContaining({ taskArn, attempt: 1, lastStatus: "RUNNING", ecsVersion: 3 }),
      },
      {
        kind: "observation",
        jobId: "job-a",
        observation: expect.objectContaining({
          lastStatus: "STOPPED",
          ecsVersion: 5,
          exitCode: 0,
          stopCode: "EssentialContainerExited",
          timings: expect.objectContaining({ startedAt: expect.any(String), stoppedAt: expect.any(String) }),
        }),
      },
    ]);
  });

  it("returns the same task for the same client token, starting one worker", async () => {
    const first = await run("job-b", 1);
    const again = await run("job-b", 1);
    expect(again.tasks?.[0]?.taskArn).toBe(first.tasks?.[0]?.taskArn);
    const next = await run("job-b", 2);
    expect(next.tasks?.[0]?.taskArn).not.toBe(first.tasks?.[0]?.taskArn);
    await until(() => started.length === 2);
    expect(started).toHaveLength(2);
    for (const s of started) s.finish({ exitCode: 0 });
    await ecs.settled();
  });

  it("answers a client token reused with another placement or size with ConflictException, as ECS does", async () => {
    const spot = { capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }] };
    const sized = (cpu: string, memory: string) => ({
      overrides: { containerOverrides: [{ name: "worker", environment: [] }], cpu, memory },
    });
    const first = await run("job-t", 1, { ...spot, ...sized("1024", "4096") });
    const again = await run("job-t", 1, { ...spot, ...sized("1024", "4096") });
    expect(again.tasks?.[0]?.taskArn).toBe(first.tasks?.[0]?.taskArn);
    const conflict = (extra: Record<string, unknown>) =>
      run("job-t", 1, extra).then(
        () => undefined,
        (e: unknown) => e,
      );
    for (const extra of [
      { launchType: "FARGATE", ...sized("1024", "4096") },
      { capacityProviderStrategy: [{ capacityProvider: "FARGATE", weight: 1 }], ...sized("1024", "4096") },
      { ...spot, ...sized("1024", "8192") },
      { ...spot },
    ]) {
      expect(await conflict(extra), JSON.stringify(extra)).toMatchObject({
        name: "ConflictException",
        message: expect.stringContaining("clientToken is already in use with a different RunTask request"),
        resourceIds: [first.tasks?.[0]?.taskArn],
      });
    }
    await until(() => started.length === 1);
    started[0]?.finish({ exitCode: 0 });
    await ecs.settled();
    expect(started).toHaveLength(1);
  });

  it("stops a task: the worker is signalled and STOPPED says UserInitiated", async () => {
    const taskArn = (await run("job-c", 1)).tasks?.[0]?.taskArn;
    await until(() => started.length === 1);
    await client.send(
      new StopTaskCommand({ cluster: ecs.clusterArn, task: taskArn, reason: "cancelled by jobs CLI" }),
    );
    await ecs.settled();
    expect(started[0]?.stopped).toBe(true);
    expect(events.at(-1)?.detail).toMatchObject({
      stopCode: "UserInitiated",
      stoppedReason: "cancelled by jobs CLI",
      lastStatus: "STOPPED",
    });
  });

  it("reports a worker that could not start as TaskFailedToStart, without an exit code", async () => {
    failNextStart = "spawn node ENOENT";
    await run("job-d", 1);
    await ecs.settled();
    expect(events).toHaveLength(1); // no RUNNING
    const stopped = readTaskEvent(events[0], context);
    if (stopped.kind !== "observation") throw new Error(stopped.reason);
    expect(stopped.observation).toMatchObject({
      lastStatus: "STOPPED",
      stopCode: "TaskFailedToStart",
      stoppedReason: "CannotStartContainerError: spawn node ENOENT",
    });
    expect(stopped.observation.exitCode).toBeUndefined();
  });

  it("describes and lists tasks by startedBy", async () => {
    const taskArn = (await run("job-e", 1)).tasks?.[0]?.taskArn ?? "";
    await until(() => started.length === 1);
    const listed = await client.send(new ListTasksCommand({ cluster: ecs.clusterArn, startedBy: "job-e" }));
    expect(listed.taskArns).toEqual([taskArn]);
    const described = await client.send(
      new DescribeTasksCommand({ cluster: ecs.clusterArn, tasks: [taskArn, "nope"] }),
    );
    expect(described.tasks?.[0]).toMatchObject({ taskArn, lastStatus: "RUNNING", startedBy: "job-e" });
    expect(described.tasks?.[0]?.createdAt).toBeInstanceOf(Date);
    expect(described.failures).toEqual([{ arn: "nope", reason: "MISSING" }]);
    started[0]?.finish({ exitCode: 1 });
    await ecs.settled();
    const stopped = await client.send(
      new ListTasksCommand({ cluster: ecs.clusterArn, startedBy: "job-e", desiredStatus: "STOPPED" }),
    );
    expect(stopped.taskArns).toEqual([taskArn]);
  });

  it("refuses another cluster and a bad startedBy like ECS", async () => {
    await expect(run("job-f", 1, { cluster: "other" })).rejects.toBeInstanceOf(ClusterNotFoundException);
    await expect(run("job f!", 1)).rejects.toThrow(/startedBy must be at most 36/);
  });

  it("answers the sweeper's and cancel's own adapter: described tasks with their attempt, MISSING, lists by startedBy, StopTask of an unknown task", async () => {
    const tasks = new EcsTaskControl(client, context);
    const taskArn = (await run("job-g", 2)).tasks?.[0]?.taskArn ?? "";
    await until(() => started.length === 1);
    const forgotten = `${ecs.clusterArn.replace(":cluster/", ":task/")}/0123456789abcdef0123456789abcdef`;

    const described = await tasks.describe([taskArn, forgotten]);
    expect(described.missing).toEqual([forgotten]);
    expect(described.tasks).toEqual([
      {
        jobId: "job-g",
        observation: expect.objectContaining({
          taskArn,
          attempt: 2,
          lastStatus: "RUNNING",
          ecsVersion: 3,
          timings: expect.objectContaining({ startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }),
        }),
      },
    ]);
    const raw = await client.send(new DescribeTasksCommand({ cluster: ecs.clusterArn, tasks: [taskArn] }));
    expect(raw.tasks?.[0]?.startedAt).toBeInstanceOf(Date);
    expect(raw.tasks?.[0]?.version).toBe(3);
    expect((await tasks.findByJob("job-g")).map((t) => t.observation.taskArn)).toEqual([taskArn]);
    expect(await tasks.findByJob("job-nobody")).toEqual([]);

    // ECS's own refusal for a task it does not know; the adapter reads it as "gone".
    await expect(
      client.send(new StopTaskCommand({ cluster: ecs.clusterArn, task: forgotten })),
    ).rejects.toMatchObject({
      name: "InvalidParameterException",
      message: "The referenced task was not found.",
    });
    expect(await tasks.stop(forgotten, "sweeper")).toBe(false);
    expect(await tasks.stop(taskArn, "sweeper")).toBe(true);
    await ecs.settled();
    expect((await tasks.describe([taskArn])).tasks[0]?.observation).toMatchObject({
      lastStatus: "STOPPED",
      stopCode: "UserInitiated",
      exitCode: 143,
    });
  });

  it("forgets the tasks of an earlier run: a new stand-in says MISSING for them", async () => {
    const taskArn = (await run("job-h", 1)).tasks?.[0]?.taskArn ?? "";
    await until(() => started.length === 1);
    const later = new LocalEcs(ecsOptions);
    const endpoint = await later.start();
    const laterClient = new ECSClient({
      endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
    });
    try {
      const described = await new EcsTaskControl(laterClient, context).describe([taskArn]);
      expect(described).toEqual({ tasks: [], missing: [taskArn] });
    } finally {
      laterClient.destroy();
      await later.stop();
    }
    started[0]?.finish({ exitCode: 0 });
    await ecs.settled();
  });

  it("stopping the stand-in stops its tasks as a host going away: SIGTERM, TerminationNotice, read as an infrastructure stop", async () => {
    const own: TaskEvent[] = [];
    const stopping = new LocalEcs({ ...ecsOptions, onEvent: async (event) => void own.push(event) });
    const endpoint = await stopping.start();
    const ownClient = new ECSClient({
      endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
    });
    try {
      await run("job-i", 1, {}, ownClient);
      await until(() => started.length === 1);
      await stopping.stop();
    } finally {
      ownClient.destroy();
    }
    expect(started[0]?.stopped).toBe(true);
    const last = readTaskEvent(own.at(-1), context);
    if (last.kind !== "observation") throw new Error(last.reason);
    expect(last.observation).toMatchObject({
      lastStatus: "STOPPED",
      stopCode: "TerminationNotice",
      exitCode: 143,
    });
    expect(last.observation.stoppedReason).toMatch(/^local mode stopped/);
    expect(readStop(last.observation, DEFAULT_RETRY_POLICY)).toMatchObject({
      outcome: "failed",
      kind: "infrastructure",
    });
  });

  it("kills every worker at once when local mode is forced to stop, without waiting for anything", async () => {
    await run("job-j", 1);
    await until(() => started.length === 1);
    ecs.kill();
    await ecs.settled();
    expect(started[0]?.stopped).toBe(false); // no SIGTERM first
    expect(events.at(-1)?.detail).toMatchObject({
      lastStatus: "STOPPED",
      containers: [expect.objectContaining({ exitCode: 137 })],
    });
  });

  it("runs a task at the task definition's size and stop timeout, reported as ECS reports it", async () => {
    const response = await run("job-k", 1, { launchType: "FARGATE" });
    expect(response.tasks?.[0]).toMatchObject({ cpu: "1024", memory: "2048", launchType: "FARGATE" });
    expect(response.tasks?.[0]?.capacityProviderName).toBeUndefined();
    await until(() => started.length === 1);
    expect(started[0]?.task).toMatchObject({ memoryMib: 2048, stopTimeoutSeconds: 30 });
    started[0]?.finish({ exitCode: 0 });
    await ecs.settled();
  });

  it("honours a capacity provider strategy and task-level cpu/memory overrides: the worker's limit, the events, DescribeTasks", async () => {
    const response = await run("job-l", 1, {
      capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }],
      overrides: {
        containerOverrides: [{ name: "worker", environment: [{ name: "JOB_ATTEMPT", value: "1" }] }],
        cpu: "2048",
        memory: "8192",
      },
    });
    const taskArn = response.tasks?.[0]?.taskArn ?? "";
    await until(() => started.length === 1);
    expect(started[0]?.task.memoryMib).toBe(8192);
    const described = await client.send(
      new DescribeTasksCommand({ cluster: ecs.clusterArn, tasks: [taskArn] }),
    );
    expect(described.tasks?.[0]).toMatchObject({
      capacityProviderName: "FARGATE_SPOT",
      cpu: "2048",
      memory: "8192",
      overrides: expect.objectContaining({ cpu: "2048", memory: "8192" }),
    });
    started[0]?.finish({ exitCode: 0 });
    await ecs.settled();
    for (const event of events) {
      expect(event.detail).toMatchObject({
        capacityProviderName: "FARGATE_SPOT",
        cpu: "2048",
        memory: "8192",
      });
    }
    const stopped = readTaskEvent(events.at(-1), context);
    if (stopped.kind !== "observation") throw new Error(stopped.reason);
    expect(stopped.observation.resources).toMatchObject({
      cpuUnits: 2048,
      memoryMib: 8192,
      capacityProviderName: "FARGATE_SPOT",
    });
  });

  it("reads a worker killed over its memory as ECS reports it: exit 137, OutOfMemoryError, EssentialContainerExited", async () => {
    await run("job-m", 1);
    await until(() => started.length === 1);
    started[0]?.finish({ exitCode: 137, outOfMemory: true });
    await ecs.settled();
    expect(events.at(-1)?.detail).toMatchObject({
      lastStatus: "STOPPED",
      stopCode: "EssentialContainerExited",
      stoppedReason: "Essential container in task exited",
      containers: [
        expect.objectContaining({
          exitCode: 137,
          reason: "OutOfMemoryError: Container killed due to memory usage",
        }),
      ],
    });
  });

  it("places a task by the strategy's base, else by weight", async () => {
    let draw = 0;
    const weighted = new LocalEcs({ ...ecsOptions, random: () => draw });
    const own = new ECSClient({
      endpoint: await weighted.start(),
      region: "us-east-1",
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
    });
    try {
      const placed = async (jobId: string, strategy: unknown[]) =>
        (await run(jobId, 1, { capacityProviderStrategy: strategy }, own)).tasks?.[0]?.capacityProviderName;
      const split = [
        { capacityProvider: "FARGATE", weight: 1 },
        { capacityProvider: "FARGATE_SPOT", weight: 3 },
      ];
      draw = 0.2; // the first quarter of the weights: FARGATE
      expect(await placed("job-n1", split)).toBe("FARGATE");
      draw = 0.3;
      expect(await placed("job-n2", split)).toBe("FARGATE_SPOT");
      draw = 0.99;
      expect(
        await placed("job-n3", [
          { capacityProvider: "FARGATE", base: 1, weight: 0 },
          { capacityProvider: "FARGATE_SPOT", weight: 1 },
        ]),
      ).toBe("FARGATE");
      await until(() => started.length === 3);
    } finally {
      for (const s of started) s.finish({ exitCode: 0 });
      await weighted.stop();
      own.destroy();
    }
  });

  it("refuses the given share of Spot launches for lack of capacity as ECS does, read by the pipeline's launcher as Spot refusing", async () => {
    let draw = 0;
    const noSpot = new LocalEcs({ ...ecsOptions, spotUnavailable: 0.5, random: () => draw });
    const own = new ECSClient({
      endpoint: await noSpot.start(),
      region: "us-east-1",
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
    });
    const taskLauncher = new EcsTaskLauncher(own, {
      clusterArn: noSpot.clusterArn,
      taskDefinitionArn: noSpot.taskDefinitionArn,
      subnetIds: ["subnet-local"],
      securityGroupIds: ["sg-local"],
      assignPublicIp: "DISABLED",
    });
    const launch = (jobId: string, capacity: "FARGATE" | "FARGATE_SPOT") =>
      taskLauncher.launch({
        jobId,
        attempt: 1,
        clientToken: `${jobId}.1`,
        override: { name: "worker", environment: [{ name: "JOB_ID", value: jobId }] },
        placement: { size: { cpu: 1024, memoryMib: 2048 }, capacity },
      });
    try {
      draw = 0.4; // within the share: refused
      const refused = await launch("job-q1", "FARGATE_SPOT");
      expect(refused).toEqual({
        launched: false,
        failure: { reason: SPOT_CAPACITY_UNAVAILABLE, retryable: true },
      });
      if (refused.launched) throw new Error("launched");
      expect(spotSetback("FARGATE_SPOT", { reason: refused.failure.reason })).toBe("refused");
      expect(await launch("job-q2", "FARGATE")).toMatchObject({ launched: true }); // On-Demand: never
      draw = 0.6; // past the share: Spot launches
      expect(await launch("job-q3", "FARGATE_SPOT")).toMatchObject({ launched: true });
      await until(() => started.length === 2);
      expect(started.map((s) => s.environment.JOB_ID)).toEqual(["job-q2", "job-q3"]);
    } finally {
      for (const s of started) s.finish({ exitCode: 0 });
      await noSpot.stop();
      own.destroy();
    }
  });

  it("holds the container overrides to 8192 characters, not the task-level cpu and memory beside them", async () => {
    // Container overrides of exactly 8192 characters as JSON, as the job model measures them (overridesSize).
    const padded = (length: number) => {
      const environment = [{ name: "JOB_PARAMS", value: "" }];
      const containerOverrides = [{ name: "worker", environment }];
      const value = "x".repeat(length - JSON.stringify({ containerOverrides }).length);
      return [{ name: "worker", environment: [{ name: "JOB_PARAMS", value }] }];
    };
    expect(JSON.stringify({ containerOverrides: padded(8192) }).length).toBe(8192);
    await run("job-p", 1, {
      overrides: { containerOverrides: padded(8192), cpu: "2048", memory: "8192" },
    });
    await until(() => started.length === 1);
    expect(started[0]?.task.memoryMib).toBe(8192);
    started[0]?.finish({ exitCode: 0 });
    await ecs.settled();
    const error = await run("job-p", 2, { overrides: { containerOverrides: padded(8193) } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      name: "InvalidParameterException",
      message: "Container Overrides length must be at most 8192",
    });
    expect(started).toHaveLength(1);
  });

  it("refuses placements and sizes ECS refuses, saying why", async () => {
    const refused = async (extra: Record<string, unknown>) => {
      const error = await run("job-o", 1, extra).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ name: "InvalidParameterException" });
      return (error as Error).message;
    };
    expect(
      await refused({
        launchType: "FARGATE",
        capacityProviderStrategy: [{ capacityProvider: "FARGATE", weight: 1 }],
      }),
    ).toMatch(/^Specifying both a launch type and capacity provider strategy is not supported/);
    expect(await refused({ launchType: "EC2" })).toMatch(/Fargate tasks only/);
    expect(await refused({ capacityProviderStrategy: [{ capacityProvider: "MY_ASG", weight: 1 }] })).toMatch(
      /"MY_ASG" is not associated with the cluster/,
    );
    expect(await refused({ capacityProviderStrategy: [] })).toMatch(/at least one capacity provider/);
    expect(
      await refused({
        capacityProviderStrategy: [
          { capacityProvider: "FARGATE", weight: 0 },
          { capacityProvider: "FARGATE_SPOT", weight: 0 },
        ],
      }),
    ).toMatch(/must have a weight above 0/);
    const withSize = (size: Record<string, string>) => ({
      overrides: { containerOverrides: [{ name: "worker", environment: [] }], ...size },
    });
    expect(await refused(withSize({ cpu: "256", memory: "4096" }))).toBe(
      "No Fargate configuration exists for given values: 256 CPU, 4096 memory (memory 4096 MiB is not valid with cpu 256; use 512, 1024, 2048 MiB)",
    );
    expect(await refused(withSize({ memory: "4GB" }))).toMatch(
      /overrides.memory must be a whole number of MiB/,
    );
    expect(started).toEqual([]);
  });
});
