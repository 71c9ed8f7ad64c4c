// Local mode end to end, issue #14, on a stack with capacity spot-with-fallback: a job that runs out of memory
// on Spot is retried at the next size and succeeds, and a job whose Spot task is interrupted, or whose Spot
// launch is refused for lack of capacity, is relaunched On-Demand and succeeds — the job model's placement
// decisions carried out by the local ECS, with a stand-in worker that needs a given amount of memory
// (tests/support/memory-hog.cjs), killed over the task's memory as ECS kills it.

import { mkdir, mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, it } from "vitest";
import { parsePipelineConfig } from "../../config/parse";
import type { JobEvent } from "../../jobs/model/events";
import { isTerminal } from "../../jobs/model/state";
import type { StoredJob } from "../../jobs/store/store";
import { SPOT_CAPACITY_UNAVAILABLE } from "../../local/aws/spot-interruptions";
import {
  LOCAL_NAMES,
  type LocalPipeline,
  type LocalPipelineOptions,
  startLocalPipeline,
} from "../../local/pipeline";
import { waitFor } from "../support/wait-for";

const REPO = path.join(__dirname, "..", "..");
const HOG = path.join(__dirname, "..", "support", "memory-hog.cjs");
/** Spot tasks are placed and left alone. */
let spot: LocalPipeline;
/** Spot tasks are placed, and each is interrupted 1 s after it starts running (one done sooner escapes). */
let interrupting: LocalPipeline;
/** Spot has no capacity: every FARGATE_SPOT launch is refused. */
let noSpot: LocalPipeline;
const states: string[] = [];

async function startPipeline(
  options: Pick<LocalPipelineOptions, "spotInterruptions" | "spotUnavailable">,
): Promise<LocalPipeline> {
  await mkdir(path.join(REPO, "dist"), { recursive: true });
  const state = await mkdtemp(path.join(REPO, "dist", "local-oom-spot-"));
  states.push(state);
  // A stack's settings as local mode reads them; retries at once, to keep the test short.
  const config = parsePipelineConfig({
    workerCpu: "256",
    workerMemoryMb: "512",
    maxWorkerMemoryMb: "2048",
    capacity: "spot-with-fallback",
    workerParams: "any",
    retryBaseDelaySeconds: "0",
    retryMaxDelaySeconds: "0",
  });
  return startLocalPipeline({ stateDirectory: state, reset: false, workerScript: HOG, config, ...options });
}

beforeAll(async () => {
  // One pipeline each, side by side: a job of one is never interrupted for another's sake.
  [spot, interrupting, noSpot] = await Promise.all([
    startPipeline({}),
    startPipeline({ spotInterruptions: { share: 1, afterSeconds: 1 } }),
    startPipeline({ spotUnavailable: 1 }),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([spot?.stop(), interrupting?.stop(), noSpot?.stop()]);
  for (const state of states) await rm(state, { recursive: true, force: true });
});

function submit(pipeline: LocalPipeline, jobId: string, params: Record<string, number>): void {
  const body = JSON.stringify({ videoUrl: "s3://video-jobs-uploads/uploads/any.mp4", jobId, params });
  pipeline.sqs.sendMessage(LOCAL_NAMES.queue, body);
}

async function finished(pipeline: LocalPipeline, jobId: string): Promise<StoredJob> {
  await waitFor(
    async () => isTerminal((await pipeline.store.get(jobId))?.state.status ?? "SUBMITTED"),
    `job ${jobId} to finish`,
    { timeoutMs: 90_000, everyMs: 100 },
  );
  // Its history is whole once it has finished (its last task's stop comes before JobSucceeded); not waiting
  // for the local ECS to settle, which would wait for the other jobs' tasks too.
  const job = await pipeline.store.get(jobId);
  if (!job) throw new Error(`no job ${jobId}`);
  return job;
}

const launches = (events: readonly JobEvent[]) =>
  events.flatMap((e) => (e.type === "TaskLaunchRequested" ? [{ size: e.size, capacity: e.capacity }] : []));
const stops = (events: readonly JobEvent[]) =>
  events.flatMap((e) =>
    e.type === "TaskStopped"
      ? [{ exitCode: e.exitCode, stopCode: e.stopCode, containerReason: e.containerReason }]
      : [],
  );

// The jobs run side by side: the test takes as long as the longest.
describe.concurrent("local mode: out of memory retried bigger; Spot interrupted or refused, then On-Demand", () => {
  it("retries a job that ran out of memory with the next size, and it succeeds", async ({ expect }) => {
    // 600 MiB for 1.5 s: over 512 MiB long enough to be caught (sampled every 250 ms), within 1024 MiB.
    submit(spot, "e2e-oom", { hogMib: 600, holdMs: 1500 });
    const job = await finished(spot, "e2e-oom");
    expect(job.state.status).toBe("SUCCEEDED");
    expect(launches(job.events)).toEqual([
      { size: { cpu: 256, memoryMib: 512 }, capacity: "FARGATE_SPOT" },
      { size: { cpu: 256, memoryMib: 1024 }, capacity: "FARGATE_SPOT" },
    ]);
    expect(stops(job.events)).toEqual([
      {
        exitCode: 137,
        stopCode: "EssentialContainerExited",
        containerReason: "OutOfMemoryError: Container killed due to memory usage",
      },
      { exitCode: 0, stopCode: "EssentialContainerExited", containerReason: undefined },
    ]);
    // The stop as ECS reports it is read as out of memory: what the job model resizes from.
    expect(job.events.find((e) => e.type === "TaskStopped")).toMatchObject({
      attempt: 1,
      failure: { kind: "out-of-memory" },
    });
  }, 120_000);

  it("relaunches a job whose Spot task was interrupted on On-Demand, and it succeeds", async ({ expect }) => {
    // Holds for 2 s from its own start, after the task's: the Spot task is interrupted at 1 s (SIGTERM: the
    // stand-in exits 143 as the worker does); On-Demand, nothing interrupts it.
    submit(interrupting, "e2e-spot", { hogMib: 10, holdMs: 2000 });
    const job = await finished(interrupting, "e2e-spot");
    expect(job.state.status).toBe("SUCCEEDED");
    expect(launches(job.events).map((l) => l.capacity)).toEqual(["FARGATE_SPOT", "FARGATE"]);
    expect(stops(job.events)).toEqual([
      { exitCode: 143, stopCode: "SpotInterruption", containerReason: undefined },
      { exitCode: 0, stopCode: "EssentialContainerExited", containerReason: undefined },
    ]);
    expect(job.events.find((e) => e.type === "TaskStopped")).toMatchObject({
      stoppedReason: "Your Spot Task was interrupted.",
      failure: { kind: "infrastructure" },
    });
  }, 120_000);

  it("relaunches a job whose Spot launch was refused for lack of capacity on On-Demand, and it succeeds", async ({
    expect,
  }) => {
    submit(noSpot, "e2e-no-spot", { hogMib: 10, holdMs: 200 });
    const job = await finished(noSpot, "e2e-no-spot");
    expect(job.state.status).toBe("SUCCEEDED");
    expect(launches(job.events).map((l) => l.capacity)).toEqual(["FARGATE_SPOT", "FARGATE"]);
    expect(job.events.find((e) => e.type === "TaskLaunchFailed")).toMatchObject({
      reason: SPOT_CAPACITY_UNAVAILABLE,
    });
    expect(job.events.find((e) => e.type === "RetryScheduled")).toMatchObject({ capacity: "FARGATE" });
    expect(stops(job.events)).toEqual([
      { exitCode: 0, stopCode: "EssentialContainerExited", containerReason: undefined },
    ]);
  }, 120_000);
});
