// Local ECS with real worker processes: a task is held to its memory as ECS holds a container to it (a
// stand-in worker that allocates more is killed, exit 137 with OutOfMemoryError, and runs to the end under a
// bigger task-level override), and a simulated Spot interruption stops a FARGATE_SPOT task with
// SpotInterruption and the worker's own exit code (143 on SIGTERM; 137 when it outlives the stop timeout).

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { DescribeTasksCommand, ECSClient, RunTaskCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { readTaskEvent } from "../../jobs/boundary/task-events";
import { DEFAULT_RETRY_POLICY, readStop } from "../../jobs/model/retry-policy";
import { LocalEcs, type LocalEcsOptions, type TaskEvent } from "../../local/aws/ecs";
import { processLauncher } from "../../local/workers/worker-launchers";
import { TEST_CLUSTER } from "../support/local-mode";

const HOG = path.join(__dirname, "..", "support", "memory-hog.cjs");
const context = {
  clusterArn: "arn:aws:ecs:us-east-1:000000000000:cluster/video-jobs",
  workerContainerName: "worker",
};

let logDirectory: string;
const events: TaskEvent[] = [];
const opened: Array<{ ecs: LocalEcs; client: ECSClient }> = [];

beforeAll(async () => {
  logDirectory = await mkdtemp(path.join(tmpdir(), "task-limits-"));
});
afterAll(async () => {
  for (const { ecs, client } of opened) {
    client.destroy();
    await ecs.stop();
  }
  await rm(logDirectory, { recursive: true, force: true });
});
beforeEach(() => {
  events.length = 0;
});

/** A local ECS whose task definition is the smallest Fargate size (0.25 vCPU, 512 MiB), running the hog. */
async function localEcs(extra: Partial<LocalEcsOptions> = {}) {
  const ecs = new LocalEcs({
    ...TEST_CLUSTER,
    size: { cpu: 256, memoryMb: 512, ephemeralStorageGib: 21, architecture: "X86_64" },
    launcher: processLauncher(HOG, { baseEnvironment: {}, logDirectory }),
    onEvent: async (event) => void events.push(event),
    ...extra,
  });
  const client = new ECSClient({
    endpoint: await ecs.start(),
    region: "us-east-1",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  });
  opened.push({ ecs, client });
  return { ecs, client };
}

const runTask = (
  client: ECSClient,
  jobId: string,
  hog: Record<string, string>,
  extra: Record<string, unknown> = {},
) =>
  client.send(
    new RunTaskCommand({
      cluster: "video-jobs",
      taskDefinition: "video-jobs-worker",
      startedBy: jobId,
      overrides: {
        containerOverrides: [
          {
            name: "worker",
            environment: [
              { name: "JOB_ID", value: jobId },
              { name: "JOB_ATTEMPT", value: "1" },
              ...Object.entries(hog).map(([name, value]) => ({ name, value })),
            ],
          },
        ],
        ...((extra.overrides as object | undefined) ?? {}),
      },
      ...Object.fromEntries(Object.entries(extra).filter(([key]) => key !== "overrides")),
    }),
  );

function lastObservation() {
  const reading = readTaskEvent(events.at(-1), context);
  if (reading.kind !== "observation") throw new Error(reading.reason);
  return reading.observation;
}

describe("local ECS task memory", () => {
  it("kills a worker whose process tree goes over the task's memory as ECS does: exit 137, OutOfMemoryError", async () => {
    const { ecs, client } = await localEcs();
    // 600 MiB held until killed: over the task definition's 512 MiB.
    await runTask(client, "job-oom", { HOG_MIB: "600" });
    await ecs.settled();
    const stopped = lastObservation();
    expect(stopped).toMatchObject({
      lastStatus: "STOPPED",
      exitCode: 137,
      containerReason: "OutOfMemoryError: Container killed due to memory usage",
      stopCode: "EssentialContainerExited",
      stoppedReason: "Essential container in task exited",
      resources: expect.objectContaining({ cpuUnits: 256, memoryMib: 512 }),
    });
    expect(readStop(stopped, DEFAULT_RETRY_POLICY)).toMatchObject({ kind: "out-of-memory" });
  });

  it("lets the same worker finish under a bigger task-level memory override, and reports the size it ran with", async () => {
    const { ecs, client } = await localEcs();
    const response = await runTask(
      client,
      "job-big",
      { HOG_MIB: "600", HOG_HOLD_MS: "1500" },
      { overrides: { cpu: "256", memory: "1024" } },
    );
    const taskArn = response.tasks?.[0]?.taskArn ?? "";
    expect(response.tasks?.[0]).toMatchObject({ cpu: "256", memory: "1024" });
    await ecs.settled();
    expect(lastObservation()).toMatchObject({
      lastStatus: "STOPPED",
      exitCode: 0,
      stopCode: "EssentialContainerExited",
      resources: expect.objectContaining({ cpuUnits: 256, memoryMib: 1024 }),
    });
    expect(lastObservation().containerReason).toBeUndefined();
    const described = await client.send(
      new DescribeTasksCommand({ cluster: "video-jobs", tasks: [taskArn] }),
    );
    expect(described.tasks?.[0]).toMatchObject({
      cpu: "256",
      memory: "1024",
      overrides: expect.objectContaining({ cpu: "256", memory: "1024" }),
    });
  });
});

describe("local ECS Spot interruptions", () => {
  const spot = { capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }] };

  it("interrupts a FARGATE_SPOT task: SIGTERM, stop code SpotInterruption, the worker's own exit code", async () => {
    const { ecs, client } = await localEcs({ spotInterruptions: { share: 1, afterSeconds: 0.2 } });
    await runTask(client, "job-spot", {}, spot);
    await ecs.settled();
    const stopped = lastObservation();
    expect(stopped).toMatchObject({
      lastStatus: "STOPPED",
      stopCode: "SpotInterruption",
      stoppedReason: "Your Spot Task was interrupted.",
      exitCode: 143,
      resources: expect.objectContaining({ capacityProviderName: "FARGATE_SPOT" }),
    });
    expect(stopped.containerReason).toBeUndefined();
    expect(readStop(stopped, DEFAULT_RETRY_POLICY)).toMatchObject({ kind: "infrastructure" });
  });

  it("kills a worker that outlives the stop timeout after the interruption (exit 137, still SpotInterruption)", async () => {
    // Interrupted 2 s in, once the stand-in has long been ignoring SIGTERM (before its handler is set, a
    // SIGTERM ends Node itself: exit 143).
    const { ecs, client } = await localEcs({
      spotInterruptions: { share: 1, afterSeconds: 2 },
      stopTimeoutSeconds: 1,
    });
    await runTask(client, "job-stubborn", { HOG_IGNORE_SIGTERM: "1" }, spot);
    await ecs.settled();
    const stopped = lastObservation();
    expect(stopped).toMatchObject({ stopCode: "SpotInterruption", exitCode: 137 });
    expect(stopped.containerReason).toBeUndefined();
  });

  it("leaves On-Demand tasks alone, and Spot tasks not drawn", async () => {
    const { ecs, client } = await localEcs({
      spotInterruptions: { share: 0.5, afterSeconds: 0 },
      random: () => 0.7, // above the share: no Spot task is drawn
    });
    await runTask(client, "job-od", { HOG_HOLD_MS: "300" }, { launchType: "FARGATE" });
    await runTask(
      client,
      "job-od2",
      { HOG_HOLD_MS: "300" },
      { capacityProviderStrategy: [{ capacityProvider: "FARGATE", weight: 1 }] },
    );
    await runTask(client, "job-lucky", { HOG_HOLD_MS: "300" }, spot);
    await ecs.settled();
    const stops = events
      .map((event) => readTaskEvent(event, context))
      .flatMap((reading) =>
        reading.kind === "observation" && reading.observation.lastStatus === "STOPPED"
          ? [{ jobId: reading.jobId, ...reading.observation }]
          : [],
      );
    expect(
      stops.map((s) => [s.jobId, s.stopCode, s.exitCode, s.resources?.capacityProviderName]).sort(),
    ).toEqual([
      ["job-lucky", "EssentialContainerExited", 0, "FARGATE_SPOT"],
      ["job-od", "EssentialContainerExited", 0, undefined],
      ["job-od2", "EssentialContainerExited", 0, "FARGATE"],
    ]);
  });
});
