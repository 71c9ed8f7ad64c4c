// Local mode end to end with a stand-in worker that needs a given amount of memory (tests/support/
// memory-hog.cjs, as the pipeline's worker script): a job whose worker goes over the stack's workerMemoryMb is
// killed by the local ECS as ECS kills it, and its history records the stop as ECS reports it (exit 137,
// OutOfMemoryError) and reads it as out of memory — what the job model resizes from; a job within it succeeds.

import { mkdir, mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JobEvent } from "../../jobs/events";
import { isTerminal } from "../../jobs/state";
import { LOCAL_NAMES, type LocalPipeline, startLocalPipeline } from "../../local/pipeline";
import { loadStackConfig } from "../../local/stack-config";
import { waitFor } from "../support/wait-for";

const REPO = path.join(__dirname, "..", "..");
const HOG = path.join(__dirname, "..", "support", "memory-hog.cjs");
let pipeline: LocalPipeline;
let state: string;

beforeAll(async () => {
  await mkdir(path.join(REPO, "dist"), { recursive: true });
  state = await mkdtemp(path.join(REPO, "dist", "local-limits-"));
  const defaults = loadStackConfig(REPO, undefined);
  pipeline = await startLocalPipeline({
    stateDirectory: state,
    reset: false,
    workerScript: HOG,
    config: {
      ...defaults,
      // The smallest Fargate size; the stand-in takes its memory from the job's params.
      worker: { ...defaults.worker, cpu: 256, memoryMb: 512, params: "any" },
      jobs: { ...defaults.jobs, retryBaseDelaySeconds: 1, retryMaxDelaySeconds: 1 },
    },
  });
}, 120_000);

afterAll(async () => {
  await pipeline?.stop();
  if (state) await rm(state, { recursive: true, force: true });
});

function submit(jobId: string, params: Record<string, number>): void {
  const body = JSON.stringify({ videoUrl: "s3://video-jobs-uploads/uploads/any.mp4", jobId, params });
  pipeline.sqs.sendMessage(LOCAL_NAMES.queue, body);
}

async function eventsOf(jobId: string): Promise<readonly JobEvent[]> {
  return (await pipeline.store.get(jobId))?.events ?? [];
}

describe("local mode holds workers to the task's memory", () => {
  it("records a worker over the stack's workerMemoryMb as ECS reports an out-of-memory kill", async () => {
    submit("local-oom", { hogMib: 600 });
    let stops: JobEvent[] = [];
    await waitFor(
      async () => {
        stops = (await eventsOf("local-oom")).filter((e) => e.type === "TaskStopped");
        return stops.length > 0;
      },
      "the first attempt's TaskStopped",
      { timeoutMs: 60_000, everyMs: 100 },
    );
    expect(stops[0]).toMatchObject({
      attempt: 1,
      exitCode: 137,
      containerReason: "OutOfMemoryError: Container killed due to memory usage",
      stopCode: "EssentialContainerExited",
      failure: { kind: "out-of-memory" },
    });
  }, 90_000);

  it("lets a worker within it run to the end", async () => {
    submit("local-fits", { hogMib: 100, holdMs: 500 });
    await waitFor(
      async () => isTerminal((await pipeline.store.get("local-fits"))?.state.status ?? "SUBMITTED"),
      "the job to finish",
      { timeoutMs: 60_000, everyMs: 100 },
    );
    const job = await pipeline.store.get("local-fits");
    expect(job?.state).toMatchObject({ status: "SUCCEEDED", exitCode: 0 });
    expect(job?.events.filter((e) => e.type === "TaskStopped")).toHaveLength(1);
  }, 90_000);
});
