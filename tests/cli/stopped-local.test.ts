// `--local` with local mode stopped: the state folder's histories are read all the same (a dynalite of the
// command's own over its DynamoDB files, the state lock held meanwhile), and a command that needs a service
// local mode runs says it cannot reach it.

import { mkdir, mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parsePipelineConfig } from "../../config/parse";
import { isTerminal } from "../../jobs/model/state";
import { LOCAL_NAMES, startLocalPipeline } from "../../local/pipeline";
import { waitFor } from "../support/wait-for";
import { jobs } from "./support/run";

const REPO = path.join(__dirname, "..", "..");
const HOG = path.join(__dirname, "..", "support", "memory-hog.cjs");
let state: string;
let jobId: string;

beforeAll(async () => {
  await mkdir(path.join(REPO, "dist"), { recursive: true });
  state = await mkdtemp(path.join(REPO, "dist", "stopped-local-"));
  const config = parsePipelineConfig({ workerCpu: "256", workerMemoryMb: "512", workerParams: "any" });
  const pipeline = await startLocalPipeline({
    stateDirectory: state,
    reset: false,
    workerScript: HOG,
    config,
  });
  jobId = "stopped-1";
  const body = JSON.stringify({
    videoUrl: "s3://video-jobs-uploads/uploads/any.mp4",
    jobId,
    params: { holdMs: 200 },
  });
  pipeline.sqs.sendMessage(LOCAL_NAMES.queue, body);
  await waitFor(
    async () => isTerminal((await pipeline.store.get(jobId))?.state.status ?? "SUBMITTED"),
    `job ${jobId} to finish`,
    { timeoutMs: 60_000, everyMs: 100 },
  );
  await pipeline.stop();
}, 120_000);

afterAll(async () => {
  if (state) await rm(state, { recursive: true, force: true });
});

describe("--local with local mode stopped", () => {
  const env = () => ({ JOBS_LOCAL_ENDPOINTS: path.join(state, "endpoints.json") });

  it("shows and lists the state folder's jobs, saying where it reads", async () => {
    const shown = await jobs(["--local", "show", jobId], { env: env(), now: () => new Date() });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^Job stopped-1 {2}SUCCEEDED/);
    expect(shown.stderr).toContain(`local mode is not running: reading its state folder ${state}`);
    const listed = await jobs(["--local", "list"], { env: env(), now: () => new Date() });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain("stopped-1");
  });

  it("still says local mode is not running where there is no state folder to read", async () => {
    const missing = await jobs(["--local", "list"], {
      env: { JOBS_LOCAL_ENDPOINTS: path.join(state, "nowhere", "endpoints.json") },
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("local mode is not running");
  });
});
