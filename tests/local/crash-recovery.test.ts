// Local mode killed while a job runs, and started again, as a user would do it: `npm run local` in a process
// group of its own, the whole group sent SIGKILL (a crash, a closed laptop) or SIGINT (what a terminal's
// Ctrl-C sends), then `npm run local` again on the same state folder. Nobody touches the job: it must end
// SUCCEEDED. And `jobs --local cancel` of a job whose task died with the killed run cancels it. Waits on the
// events local mode prints, never on fixed sleeps; each recovery prints the time from the kill to SUCCEEDED.
// The restarted runs sweep every second with a 3 s quiet period (--sweep-every, --sweep-quiet): the same
// recovery as with local mode's defaults (15 s, 60 s), in seconds rather than minutes.

import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_CREDENTIALS, readLocalEndpoints } from "../../config/local-endpoints";
import { DynamoDbJobStore } from "../../jobs/adapters/aws/dynamodb-store";
import type { StoredJob } from "../../jobs/store/store";
import { commandLine } from "../../local/workers/worker-pids";
import { LocalMode } from "../support/local-mode-process";
import { generateVideo } from "../support/video";

const REPO = path.join(__dirname, "..", "..");
let root: string;
let video: string;
const started: LocalMode[] = [];

beforeAll(async () => {
  await mkdir(path.join(REPO, "dist"), { recursive: true });
  // Inside the repository, so the worker bundle resolves the npm-packaged ffmpeg when the system has none.
  root = await mkdtemp(path.join(REPO, "dist", "crash-test-"));
  video = path.join(root, "long.mp4");
  // Two minutes of 640x360: the worker runs a few seconds, long enough to be killed mid-run.
  await generateVideo(video, {
    width: 640,
    height: 360,
    fps: 25,
    preset: "ultrafast",
    segments: [
      { source: "testsrc2", seconds: 60 },
      { source: "testsrc", seconds: 60 },
    ],
  });
}, 120_000);

afterEach(async () => {
  for (const mode of started.splice(0)) await mode.kill("SIGKILL");
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

async function jobHistory(state: string, jobId: string): Promise<StoredJob | undefined> {
  const endpoints = readLocalEndpoints(path.join(state, "endpoints.json"));
  const client = new DynamoDBClient({
    endpoint: endpoints.endpoints.dynamodb,
    region: endpoints.region,
    credentials: LOCAL_CREDENTIALS,
  });
  try {
    return await new DynamoDbJobStore(client, { tableName: endpoints.tableName, retentionDays: 0 }).get(
      jobId,
    );
  } finally {
    client.destroy();
  }
}

async function workerPids(state: string): Promise<number[]> {
  const directory = path.join(state, "worker-pids");
  const files = await readdir(directory).catch(() => []);
  return Promise.all(files.map(async (f) => Number(await readFile(path.join(directory, f), "utf8"))));
}

/** Starts a job with --once and returns its id once its worker runs. */
async function jobRunningIn(state: string): Promise<{ first: LocalMode; jobId: string }> {
  const first = new LocalMode(["--state", state, "--once", video], started);
  const [, jobId] = await first.waitFor(/ {2}(s3-[0-9a-f]+) {2}#\d+ TaskRunning /, 90_000);
  if (jobId === undefined) throw new Error("no job id");
  // RUNNING comes when the worker process starts; wait until the worker itself has logged (it handles
  // SIGTERM from then on), so the crash lands mid-job and not while node loads the worker.
  const logs = path.join(state, "logs");
  const deadline = Date.now() + 60_000;
  for (;;) {
    const [log] = await readdir(logs).catch(() => [] as string[]);
    const text = log === undefined ? "" : await readFile(path.join(logs, log), "utf8").catch(() => "");
    if (text.includes("\n")) break;
    if (Date.now() > deadline) throw new Error("the worker never logged a line");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { first, jobId };
}

/** The restart's sweeper timings: a lost task is found within seconds of the restart. */
const FAST_SWEEP = ["--sweep-every", "1", "--sweep-quiet", "3"];

const secondsSince = (start: number) => ((Date.now() - start) / 1000).toFixed(1);

describe("local mode recovers every job after a crash", () => {
  it("SIGKILL to its process group mid-job: after a restart the sweeper finds the task lost and the job succeeds", async () => {
    const state = path.join(root, "sigkill");
    const { first, jobId } = await jobRunningIn(state);
    const [workerPid] = await workerPids(state);
    const killedAt = Date.now();
    await first.kill("SIGKILL");

    const second = new LocalMode(["--state", state, ...FAST_SWEEP], started);
    await second.waitFor(/local mode is up/, 60_000);
    // The worker of the killed run is gone too (it died with its output pipe, or the start killed it).
    expect(workerPid).toBeGreaterThan(0);
    expect(commandLine(workerPid ?? 0) ?? "").not.toContain(path.join(state, "worker", "main.js"));

    await second.waitFor(new RegExp(`${jobId} {2}-> SUCCEEDED`), 170_000);
    console.log(`SIGKILL: job recovered ${secondsSince(killedAt)} s after the kill`);
    const job = await jobHistory(state, jobId);
    expect(job?.state.status).toBe("SUCCEEDED");
    const types = job?.events.map((e) => e.type) ?? [];
    const lost = types.indexOf("TaskLost");
    expect(lost).toBeGreaterThan(types.indexOf("TaskRunning"));
    expect(job?.events[lost]).toMatchObject({
      reason: expect.stringMatching(/ECS no longer knows the task/),
    });
    expect(types.slice(lost)).toEqual([
      "TaskLost",
      "RetryScheduled",
      "TaskLaunchRequested",
      "TaskLaunched",
      "TaskRunning",
      "TaskStopped",
      "JobSucceeded",
    ]);

    const stop = await second.kill("SIGINT");
    expect(second.text).not.toMatch(/forced/);
    expect(stop.signal === "SIGINT" || stop.code === 0).toBe(true);
  }, 240_000);

  it("SIGINT to its process group (Ctrl-C) mid-job: the worker gets SIGTERM, the stop is recorded, and a restart finishes the job", async () => {
    const state = path.join(root, "sigint");
    const { first, jobId } = await jobRunningIn(state);
    const interruptedAt = Date.now();
    await first.kill("SIGINT");
    // npm passes the terminal's Ctrl-C on as well: still one press, not the second that forces.
    expect(first.text).toMatch(/stopping: running workers get SIGTERM/);
    expect(first.text).not.toMatch(/forced/);
    expect(first.text).toMatch(
      new RegExp(`${jobId} {2}#\\d+ TaskStopped +\\S+ +exit 143; TerminationNotice; local mode stopped`),
    );
    expect(first.text).toMatch(new RegExp(`${jobId} {2}#\\d+ RetryScheduled .*does not use an attempt`));
    const logs = path.join(state, "logs");
    const [firstLog] = await readdir(logs);
    expect(await readFile(path.join(logs, firstLog ?? ""), "utf8")).toMatch(/"signal":"SIGTERM"/);
    expect(await workerPids(state)).toEqual([]);

    const second = new LocalMode(["--state", state, ...FAST_SWEEP], started);
    await second.waitFor(new RegExp(`${jobId} {2}-> SUCCEEDED`), 120_000);
    console.log(`SIGINT: job recovered ${secondsSince(interruptedAt)} s after Ctrl-C`);
    const job = await jobHistory(state, jobId);
    expect(job?.state).toMatchObject({ status: "SUCCEEDED", attemptsUsed: 0 });
    const stopped = job?.events.find((e) => e.type === "TaskStopped");
    expect(stopped).toMatchObject({ stopCode: "TerminationNotice", exitCode: 143 });
    expect(job?.events.map((e) => e.type).filter((t) => t === "TaskRunning")).toHaveLength(2);
    await second.kill("SIGINT");
  }, 180_000);

  it("cancel of a job whose task died with the killed run: the job is CANCELLED, the task noted as gone", async () => {
    const state = path.join(root, "cancel");
    const { first, jobId } = await jobRunningIn(state);
    await first.kill("SIGKILL");
    const second = new LocalMode(["--state", state], started);
    // The default timings: the sweeper leaves the job alone for its first minute, so it is still RUNNING.
    await second.waitFor(/local mode is up/, 60_000);

    // As the user types it: npm run jobs -- --local cancel <id>, pointed at this state folder.
    const cancel = spawnSync("npm", ["run", "--silent", "jobs", "--", "--local", "cancel", jobId], {
      cwd: REPO,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1", JOBS_LOCAL_ENDPOINTS: path.join(state, "endpoints.json") },
    });
    expect(cancel.status, cancel.stderr).toBe(0);
    expect(cancel.stdout).toMatch(
      new RegExp(`cancelled job ${jobId} \\(was RUNNING\\); no task was running`),
    );
    expect(cancel.stderr).toMatch(/is already gone \(ECS no longer knows it\)/);
    expect((await jobHistory(state, jobId))?.state.status).toBe("CANCELLED");
    await second.kill("SIGINT");
  }, 150_000);
});
