// The cost of attempts against hand-computed cases (us-east-1 prices of jobs/model/fargate-prices.ts: x86
// $0.04048/vCPU-h, $0.004445/GB-h; ARM $0.03238, $0.00356; Spot 70 % off vCPU and memory; storage
// $0.000111/GB-h above 20 GiB), and through the task-state workflow: the cost lands in the history.

import { describe, expect, it } from "vitest";
import { settingsEnvironment } from "../../config/handler-variables";
import { handlerSettings, parsePipelineConfig } from "../../config/parse";
import { readHandlerConfig } from "../../handlers/environment";
import { MemoryJobStore } from "../../jobs/adapters/memory/memory-store";
import { readTaskEvent } from "../../jobs/boundary/task-events";
import { attemptCost, billedSeconds, jobCost, type TaskResources } from "../../jobs/model/cost";
import { parseFargatePrices } from "../../jobs/model/fargate-prices";
import { evolve, foldEvents } from "../../jobs/model/state";
import { trackTaskEvent } from "../../jobs/workflows/track-task";
import { CLUSTER_ARN, CONTAINER, ecsEvent, submitted, TEST_POLICY } from "../support/factories";
import { handlerEnvironment } from "../support/handler-env";

const EAST = "arn:aws:ecs:us-east-1:111122223333:task/video-jobs/abc";
/** A region the price table has no entry for. */
const UNPRICED = "arn:aws:ecs:me-central-1:111122223333:task/video-jobs/abc";
const PULL = "2026-11-29T10:00:00.000Z";
const plus = (seconds: number) => new Date(Date.parse(PULL) + seconds * 1000).toISOString();
const oneVcpu: TaskResources = { cpuUnits: 1024, memoryMib: 2048 };
const x86 = { architecture: "X86_64" } as const;
const arm = { architecture: "ARM64" } as const;
const timings = (seconds: number) => ({
  createdAt: plus(-30),
  pullStartedAt: PULL,
  stoppedAt: plus(seconds),
});

describe("the billed time", () => {
  it("runs from the image pull to the stop, rounded up to the second, at least one minute", () => {
    expect(billedSeconds(timings(600))).toBe(600);
    expect(billedSeconds(timings(90.2))).toBe(91);
    expect(billedSeconds(timings(20))).toBe(60);
    expect(billedSeconds({ createdAt: plus(-30), startedAt: PULL, stoppedAt: plus(120) })).toBe(120);
  });

  it("is zero for a task that stopped before its image pull began, unknown without a stop time", () => {
    expect(billedSeconds({ createdAt: PULL, stoppedAt: plus(5) })).toBe(0);
    expect(billedSeconds({ pullStartedAt: PULL })).toBeUndefined();
  });
});

describe("the cost of an attempt", () => {
  it("x86 On-Demand, 1 vCPU 2 GB, 10 minutes: (0.04048 + 2 x 0.004445) / 6", () => {
    const cost = attemptCost({ taskArn: EAST, timings: timings(600), resources: oneVcpu }, x86);
    expect(cost?.usd).toBe(0.008228333);
    expect(cost).toMatchObject({
      billedSeconds: 600,
      vcpu: 1,
      memoryGb: 2,
      extraStorageGib: 0,
      architecture: "X86_64",
      capacityProvider: "FARGATE",
      prices: { region: "us-east-1", asOf: "2026-11-29", vcpuHour: 0.04048, gbHour: 0.004445 },
    });
  });

  it("ARM is cheaper: (0.03238 + 2 x 0.00356) / 6; the event's architecture wins over the stack's", () => {
    const resources = { ...oneVcpu, architecture: "ARM64" } as const;
    expect(attemptCost({ taskArn: EAST, timings: timings(600), resources: oneVcpu }, arm)?.usd).toBe(
      0.006583333,
    );
    expect(attemptCost({ taskArn: EAST, timings: timings(600), resources }, x86)?.architecture).toBe("ARM64");
  });

  it("Spot takes 70 % off vCPU and memory: (0.012144 + 2 x 0.0013335) / 6", () => {
    const resources = { ...oneVcpu, capacityProviderName: "FARGATE_SPOT" };
    const cost = attemptCost({ taskArn: EAST, timings: timings(600), resources }, x86);
    expect(cost?.usd).toBe(0.0024685);
    expect(cost).toMatchObject({
      capacityProvider: "FARGATE_SPOT",
      prices: { vcpuHour: 0.012144, gbHour: 0.0013335 },
    });
  });

  it("storage above the free 20 GiB: one hour with 50 GiB adds 30 x 0.000111", () => {
    const resources = { ...oneVcpu, ephemeralStorageGib: 50 };
    const cost = attemptCost({ taskArn: EAST, timings: timings(3600), resources }, x86);
    expect(cost?.usd).toBe(0.0527); // 0.04937 + 0.00333
    expect(cost?.extraStorageGib).toBe(30);
    const free = attemptCost(
      { taskArn: EAST, timings: timings(3600), resources: { ...oneVcpu, ephemeralStorageGib: 20 } },
      x86,
    );
    expect(free?.usd).toBe(0.04937);
  });

  it("a 20-second task pays the one-minute minimum: 0.25 vCPU 0.5 GB x86 = 0.0123425 / 60", () => {
    const cost = attemptCost(
      { taskArn: EAST, timings: timings(20), resources: { cpuUnits: 256, memoryMib: 512 } },
      x86,
    );
    expect(cost).toMatchObject({ billedSeconds: 60, usd: 0.000205708 });
  });

  it("records no cost in a region without prices, unless the stack gives its own", () => {
    expect(
      attemptCost({ taskArn: UNPRICED, timings: timings(600), resources: oneVcpu }, x86),
    ).toBeUndefined();
    const prices = parseFargatePrices(
      JSON.stringify({
        asOf: "2026-11-01",
        source: "our negotiated rates",
        x86: { vcpuHour: 0.05, gbHour: 0.005 },
        arm: { vcpuHour: 0.04, gbHour: 0.004 },
        spotDiscount: 0.5,
        storageGbHour: 0.0001,
      }),
    );
    const cost = attemptCost(
      { taskArn: UNPRICED, timings: timings(3600), resources: oneVcpu },
      { ...x86, prices },
    );
    expect(cost).toMatchObject({
      usd: 0.06,
      prices: { region: "me-central-1", source: "our negotiated rates" },
    });
  });

  it("refuses a malformed price override with the field named", () => {
    expect(() => parseFargatePrices("{")).toThrow(/JSON object/);
    expect(() => parseFargatePrices(JSON.stringify({ asOf: "2026-11-01" }))).toThrow(/source/);
  });
});

describe("from the STOPPED event to the history", () => {
  const context = { clusterArn: CLUSTER_ARN, workerContainerName: CONTAINER, cost: x86 };
  /** A STOPPED event of the documented shape, in us-east-1, with the fields Fargate adds for pricing. */
  const stoppedEvent = (jobId: string, attempt: number, extra: Record<string, unknown>) => {
    const event = ecsEvent({ jobId, attempt, lastStatus: "STOPPED", version: 5 + attempt, exitCode: 1 });
    const detail = event.detail as Record<string, unknown>;
    detail.taskArn = `arn:aws:ecs:us-east-1:111122223333:task/FargateCluster/${jobId}-${attempt}`;
    Object.assign(detail, extra);
    return event;
  };

  it("reads the task's size, capacity provider, storage and architecture from the event", () => {
    const reading = readTaskEvent(
      stoppedEvent("job-1", 1, {
        cpu: "2048",
        memory: "4096",
        capacityProviderName: "FARGATE_SPOT",
        ephemeralStorage: { sizeInGiB: 30 },
        attributes: [{ name: "ecs.cpu-architecture", value: "arm64" }],
      }),
      context,
    );
    expect(reading.kind === "observation" && reading.observation.resources).toEqual({
      cpuUnits: 2048,
      memoryMib: 4096,
      capacityProviderName: "FARGATE_SPOT",
      ephemeralStorageGib: 30,
      architecture: "ARM64",
    });
    // The documented sample: pull 17:57:52.103, stopped 17:58:45 -> 53 s, billed 60.
    expect(reading.kind === "observation" && reading.observation.cost?.billedSeconds).toBe(60);
  });

  it("records each attempt's cost on its TaskStopped; the job's cost is their sum", async () => {
    const store = new MemoryJobStore();
    const events = submitted("job-2");
    await store.append("job-2", 0, events, foldEvents("job-2", events));
    const deps = {
      store,
      retryQueue: { sendRetry: async () => {} },
      policy: TEST_POLICY,
      context,
      clock: () => "2026-11-29T12:00:00.000Z",
      log: { info: () => {}, warn: () => {} },
    };
    await trackTaskEvent(deps, stoppedEvent("job-2", 1, { cpu: "1024", memory: "2048" }));
    // The retry launches attempt 2 (as the dispatcher would), which stops on Spot.
    const retry = await stored(store, "job-2");
    const next = [
      { type: "TaskLaunchRequested", at: "2026-11-29T12:01:00.000Z", attempt: 2, clientToken: "job-2.2" },
    ] as const;
    await store.append("job-2", retry.version, next, next.reduce(evolve, retry.state));
    await trackTaskEvent(
      deps,
      stoppedEvent("job-2", 2, { cpu: "1024", memory: "2048", capacityProviderName: "FARGATE_SPOT" }),
    );

    const history = (await stored(store, "job-2")).events;
    const cost = jobCost(history);
    // Both attempts: 53 s -> 60 s billed. x86 On-Demand 0.04937/60, Spot 0.014811/60.
    expect(cost.attempts.map((a) => [a.attempt, a.cost.usd])).toEqual([
      [1, 0.000822833],
      [2, 0.00024685],
    ]);
    expect(cost.totalUsd).toBe(0.001069683);
    expect(cost.unpriced).toBe(0);
  });
});

async function stored(store: MemoryJobStore, jobId: string) {
  const job = await store.get(jobId);
  if (job === undefined) throw new Error(`no job ${jobId}`);
  return job;
}

describe("the stack's price override", () => {
  const prices = {
    asOf: "2026-11-01",
    source: "our rates",
    x86: { vcpuHour: 0.05, gbHour: 0.005 },
    arm: { vcpuHour: 0.04, gbHour: 0.004 },
    spotDiscount: 0.5,
    storageGbHour: 0.0001,
  };

  it("is read from stack config, and refused by key when malformed", () => {
    expect(parsePipelineConfig({}).fargatePrices).toBeUndefined();
    expect(parsePipelineConfig({ fargatePrices: JSON.stringify(prices) }).fargatePrices).toEqual(prices);
    expect(() => parsePipelineConfig({ fargatePrices: '{"asOf":"soon"}' })).toThrow(
      /video-jobs:fargatePrices: must be empty or a price table: asOf/,
    );
  });

  it("reaches the task-state handler through FARGATE_PRICES, with the stack's architecture", () => {
    const config = parsePipelineConfig({
      fargatePrices: JSON.stringify(prices),
      workerArchitecture: "X86_64",
    });
    const env = {
      ...handlerEnvironment("http://127.0.0.1:1", "t"),
      ...settingsEnvironment("task-state", handlerSettings(config)),
    };
    expect(readHandlerConfig(env).cost).toEqual({ architecture: "X86_64", prices });
    expect(() => readHandlerConfig({ ...env, FARGATE_PRICES: "[]" })).toThrow(/FARGATE_PRICES: value/);
  });
});
