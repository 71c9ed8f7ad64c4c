// Regression found in review (issue 14, local mode): a stack that uses Spot gives its worker a stop timeout of
// 120 s whatever workerStopTimeoutSeconds says (components/worker.ts, workerStopTimeoutSeconds; README: "With
// Spot the worker's stop timeout is 120 s, Fargate Spot's two-minute warning"). Local mode's ECS stand-in is
// given the configured workerStopTimeoutSeconds as it is (local/pipeline.ts), so under `--spot-interruptions`
// a worker that takes longer than that to stop cleanly after SIGTERM is SIGKILLed locally while on AWS it
// would have had the whole two minutes: local mode is not the stack it stands in for.
// Expected: given a stack with capacity spot and workerStopTimeoutSeconds 2, and a worker that keeps running
// after SIGTERM, when Spot interrupts its task, then it is not SIGKILLed after 2 s (it has 120 s).

import { mkdir, mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import type { JobEvent, TaskStopped } from "../../jobs/events";
import { LOCAL_NAMES, type LocalPipeline, startLocalPipeline } from "../../local/pipeline";
import { loadStackConfig } from "../../local/stack-config";
import { waitFor } from "../support/wait-for";

const REPO = path.join(__dirname, "..", "..");
const HOG = path.join(__dirname, "..", "support", "memory-hog.cjs");
let pipeline: LocalPipeline | undefined;
let state: string | undefined;

afterAll(async () => {
  pipeline?.kill();
  await pipeline?.stop();
  if (state) await rm(state, { recursive: true, force: true });
});

it("a Spot-interrupted local worker gets the stack's 120 s stop timeout, not workerStopTimeoutSeconds", async () => {
  await mkdir(path.join(REPO, "dist"), { recursive: true });
  state = await mkdtemp(path.join(REPO, "dist", "local-spot-stop-"));
  const defaults = loadStackConfig(REPO, undefined);
  pipeline = await startLocalPipeline({
    stateDirectory: state,
    reset: false,
    workerScript: HOG,
    spotInterruptions: { share: 1, afterSeconds: 0.2 },
    config: {
      ...defaults,
      worker: { ...defaults.worker, capacity: "spot", stopTimeoutSeconds: 2, params: "any" },
    },
  });
  const body = JSON.stringify({
    videoUrl: "s3://video-jobs-uploads/uploads/any.mp4",
    jobId: "spot-slow-stop",
    params: { hogMib: 0, ignoreSigterm: 1 },
  });
  pipeline.sqs.sendMessage(LOCAL_NAMES.queue, body);
  const store = pipeline.store;
  const events = async (): Promise<readonly JobEvent[]> => (await store.get("spot-slow-stop"))?.events ?? [];
  await waitFor(async () => (await events()).some((e) => e.type === "TaskRunning"), "the task RUNNING", {
    timeoutMs: 60_000,
    everyMs: 100,
  });
  // The interruption comes 0.2 s in; a 2 s stop timeout SIGKILLs the worker about 2.2 s in. Give it 6 s.
  await new Promise((resolve) => setTimeout(resolve, 6_000));
  const stop = (await events()).find((e): e is TaskStopped => e.type === "TaskStopped");
  // On current code: { exitCode: 137, stopCode: "SpotInterruption" }, SIGKILLed 2 s after the SIGTERM.
  expect(stop && { exitCode: stop.exitCode, stopCode: stop.stopCode }).toBeUndefined();
}, 90_000);
