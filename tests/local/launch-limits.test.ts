// Fargate's launch limits in local mode: the token bucket itself (time passed in), the local ECS refusing
// RunTask beyond it as ECS does — read by the pipeline's real launcher as a throttled launch — and the
// `--launch-limits` flag of `npm run local`, refused with a clear error on a bad value.

import { ECSClient } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EcsTaskLauncher } from "../../jobs/adapters/aws/ecs-task-launcher";
import type { LaunchRequest } from "../../jobs/store/ports";
import { LocalEcs, type WorkerLauncher } from "../../local/aws/ecs";
import { FARGATE_LAUNCH_LIMITS, LaunchBucket, parseLaunchLimits } from "../../local/aws/launch-limits";
import { TEST_CLUSTER } from "../support/local-mode";
import { runLocal } from "../support/run-local";
import { waitFor } from "../support/wait-for";

describe("the launch bucket", () => {
  it("allows Fargate's burst of 100 at once, then 20 per second", () => {
    const bucket = new LaunchBucket(FARGATE_LAUNCH_LIMITS);
    const t0 = 1_000_000;
    const granted = Array.from({ length: 101 }, () => bucket.take(t0));
    expect(granted.filter(Boolean)).toHaveLength(100);
    expect(granted[100]).toBe(false);
    expect(bucket.nextLaunchAt(t0)).toBe(t0 + 50);
    expect(bucket.take(t0 + 49)).toBe(false);
    expect(bucket.take(t0 + 50)).toBe(true);
    // One second refills 20, not more.
    expect(bucket.available(t0 + 1050)).toBe(20);
  });

  it("refills no further than the burst, and never runs backwards", () => {
    const bucket = new LaunchBucket({ ratePerSecond: 2, burst: 3 });
    for (let i = 0; i < 3; i++) expect(bucket.take(0)).toBe(true);
    expect(bucket.available(3_600_000)).toBe(3);
    for (let i = 0; i < 3; i++) expect(bucket.take(3_600_000)).toBe(true);
    // A clock read a moment earlier by another caller refills nothing and takes nothing it should not.
    expect(bucket.take(3_599_000)).toBe(false);
    expect(bucket.take(3_600_500)).toBe(true);
  });
});

describe("--launch-limits values", () => {
  it("reads RATE/BURST, and no value as Fargate's own limits", () => {
    expect(parseLaunchLimits("")).toEqual({ ratePerSecond: 20, burst: 100 });
    expect(parseLaunchLimits("5/10")).toEqual({ ratePerSecond: 5, burst: 10 });
    expect(parseLaunchLimits("0.5/1")).toEqual({ ratePerSecond: 0.5, burst: 1 });
  });

  it.each([
    ["20", /takes RATE\/BURST .* got "20"/],
    ["20/100/3", /takes RATE\/BURST/],
    ["fast/100", /takes RATE\/BURST/],
    ["0/100", /launch rate must be .* above 0, got "0\/100"/],
    ["20/0", /launch burst must be a whole number .* at least 1, got "20\/0"/],
  ])("refuses %s, saying what it takes", (text, message) => {
    expect(() => parseLaunchLimits(text)).toThrow(message);
  });
});

describe("the local ECS with launch limits", () => {
  let nowMs = 0;
  let workers = 0;
  // Workers that run until local ECS stops them.
  const launcher: WorkerLauncher = {
    start() {
      workers++;
      let exit: (outcome: { exitCode: number }) => void = () => {};
      const exited = new Promise<{ exitCode: number }>((resolve) => {
        exit = resolve;
      });
      return { started: Promise.resolve(), exited, stop: () => exit({ exitCode: 143 }), kill() {} };
    },
  };
  const ecs = new LocalEcs({
    ...TEST_CLUSTER,
    launcher,
    onEvent: async () => {},
    launchLimits: { ratePerSecond: 2, burst: 3 },
    nowMs: () => nowMs,
  });
  let client: ECSClient;
  let taskLauncher: EcsTaskLauncher;

  beforeAll(async () => {
    const endpoint = await ecs.start();
    // One attempt: the SDK's own throttling retries would otherwise hide the refusal being tested.
    client = new ECSClient({
      endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
      maxAttempts: 1,
    });
    taskLauncher = new EcsTaskLauncher(client, {
      clusterArn: ecs.clusterArn,
      taskDefinitionArn: ecs.taskDefinitionArn,
      subnetIds: ["subnet-local"],
      securityGroupIds: ["sg-local"],
      assignPublicIp: "DISABLED",
    });
  });
  afterAll(async () => {
    client.destroy();
    await ecs.stop();
  });

  const request = (n: number): LaunchRequest => ({
    jobId: `job-${n}`,
    attempt: 1,
    clientToken: `job-${n}.1`,
    override: { name: "worker", environment: [{ name: "JOB_ID", value: `job-${n}` }] },
  });

  it("launches the burst, throttles the next launch as ECS does, and launches again once refilled", async () => {
    const results = [];
    for (let n = 1; n <= 4; n++) results.push(await taskLauncher.launch(request(n)));
    expect(results.slice(0, 3).map((r) => r.launched)).toEqual([true, true, true]);
    expect(results[3]).toEqual({
      launched: false,
      failure: { reason: "ThrottlingException: Rate exceeded", retryable: true, throttled: true },
    });
    // Half a second refills one launch at 2 per second: the refused job now launches, and only it.
    nowMs += 500;
    expect(await taskLauncher.launch(request(4))).toMatchObject({ launched: true });
    expect((await taskLauncher.launch(request(5))).launched).toBe(false);
    await waitFor(() => workers === 4, "the four launched tasks' workers to start");
    expect(workers).toBe(4);
  });
});

describe("npm run local --launch-limits", () => {
  it("refuses a bad value before starting anything (exit 2), saying what it takes", async () => {
    const result = await runLocal("--launch-limits", "20/0");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      '--launch-limits: the launch burst must be a whole number of launches, at least 1, got "20/0"',
    );
    expect(result.stderr).toContain("Usage: npm run local");
  });

  it("accepts the flag alone or with a value (help shows it)", async () => {
    for (const args of [
      ["--launch-limits", "--help"],
      ["--launch-limits", "10/50", "--help"],
    ]) {
      const result = await runLocal(...args);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("--launch-limits [RATE/BURST]");
    }
  });
});
