// Why this is tested: as first written, when local mode's handlers' process dies (a crash, an OOM kill), local mode keeps saying it is
// up, but every later dispatcher, task-state and sweeper invocation fails with "the handlers' process ended"
// forever: a job submitted afterwards never runs. Lambda starts a new execution environment after one dies;
// local mode should too (or stop with a clear error instead of staying up and failing every job).

import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, expect, it } from "vitest";
import { LOCAL_CREDENTIALS } from "../../config/local-endpoints";
import { isTerminal } from "../../jobs/model/state";
import { LOCAL_NAMES, type LocalPipeline, startLocalPipeline } from "../../local/pipeline";
import { loadStackConfig } from "../../local/stack-config";
import { generateVideo, SCENE_TEST_VIDEO } from "../support/video";

const REPO = path.join(__dirname, "..", "..");
let pipeline: LocalPipeline;
let state: string;
let s3: S3Client;

beforeAll(async () => {
  await mkdir(path.join(REPO, "dist"), { recursive: true });
  state = await mkdtemp(path.join(REPO, "dist", "review2-crash-"));
  pipeline = await startLocalPipeline({
    stateDirectory: state,
    reset: false,
    config: loadStackConfig(REPO, undefined),
  });
  s3 = new S3Client({
    endpoint: pipeline.endpoints.endpoints.s3,
    region: pipeline.endpoints.region,
    forcePathStyle: true,
    credentials: LOCAL_CREDENTIALS,
  });
}, 120_000);

afterAll(async () => {
  s3?.destroy();
  await pipeline?.stop();
  if (state) await rm(state, { recursive: true, force: true });
});

/** The handlers' process: this process's child running local/handlers/handler-host.ts. */
function handlerHostPid(): number {
  const lines = execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(process.pid)], { encoding: "utf8" });
  const line = lines.split("\n").find((l) => l.includes("handler-host"));
  if (line === undefined) throw new Error(`no handler-host child of ${process.pid}:\n${lines}`);
  return Number(line.trim().split(/\s+/)[0]);
}

it("runs a job submitted after the handlers' process was killed", async () => {
  const pid = handlerHostPid();
  process.kill(pid, "SIGKILL");
  while (
    execFileSync("ps", ["-o", "pid=", "--ppid", String(process.pid)], { encoding: "utf8" }).includes(
      String(pid),
    )
  )
    await new Promise((resolve) => setTimeout(resolve, 50));
  await new Promise((resolve) => setTimeout(resolve, 200)); // the parent has seen the exit

  const file = path.join(state, "clip.mp4");
  await generateVideo(file, SCENE_TEST_VIDEO);
  const key = "uploads/after-crash.mp4";
  const jobId = pipeline.jobIdOfUpload(key);
  await s3.send(new PutObjectCommand({ Bucket: LOCAL_NAMES.bucket, Key: key, Body: await readFile(file) }));

  const deadline = Date.now() + 60_000;
  for (;;) {
    // The job id comes from the S3 notification, before the dispatcher runs; the job record needs the dispatcher.
    const id = await Promise.race([
      jobId,
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 100)),
    ]);
    const stored = id === undefined ? undefined : await pipeline.store.get(id);
    if (stored && isTerminal(stored.state.status)) {
      expect(stored.state.status).toBe("SUCCEEDED");
      return;
    }
    if (Date.now() > deadline)
      throw new Error(
        `job ${id} not run 60 s after the handlers' process died: ${JSON.stringify(stored?.state)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}, 120_000);
