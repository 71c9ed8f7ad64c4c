// The reference worker end to end, as ECS runs it: the bundled worker in a child process, the contract's
// environment, a real local S3 (s3rver) and real ffmpeg (the system's, and the npm-packaged build).

import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type WorkerOutcome, WorkerOutcomeSchema } from "../../contracts/outcome-schema";
import { STEP_STARTED_MESSAGE, WORKER_STEPS } from "../../contracts/progress-schema";
import { EXIT } from "../../worker/src/exit-codes";
import { discoverTools } from "../../worker/src/ffmpeg";
import { type Result, ResultSchema } from "../../worker/src/result";
import { type LocalS3, startLocalS3 } from "../support/s3";
import {
  type GeneratedVideo,
  generateVideo,
  loopVideo,
  SCENE_TEST_VIDEO,
  withIndexAtEnd,
} from "../support/video";
import { waitFor } from "../support/wait-for";
import {
  type Bundle,
  buildBundle,
  contractEnv,
  exitLine,
  pathFor,
  runWorker,
  startWorker,
} from "./run-worker";

const execFileAsync = promisify(execFile);
const REPO = path.join(__dirname, "..", "..");

let s3: LocalS3;
let bundle: Bundle;
let scratch: string;
let sceneVideo: GeneratedVideo;
let jobCounter = 0;
const FRAME = 1 / SCENE_TEST_VIDEO.fps;

const newJobId = (label: string): string => `${label}-${process.pid}-${++jobCounter}`;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), "worker-test-"));
  [s3, bundle, sceneVideo] = await Promise.all([
    startLocalS3({ buckets: ["videos", "results"] }),
    buildBundle(),
    generateVideo(path.join(scratch, "scenes.mp4"), SCENE_TEST_VIDEO),
  ]);
  await putFile("clips/scenes.mp4", sceneVideo.path);
});

afterAll(async () => {
  await s3?.stop();
  await bundle?.remove();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe.each(["system", "package"] as const)("with the %s ffmpeg", (variant) => {
  it("analyses a video with known cuts: metadata, scene times within a frame, decodable thumbnails", async (ctx) => {
    const tools = await discoverTools({ PATH: pathFor(variant) }, new AbortController().signal);
    if (tools.ffmpeg.source !== (variant === "system" ? "path" : "package")) ctx.skip();

    const jobId = newJobId(`scenes-${variant}`);
    const run = await runWorker(bundle, {
      env: { PATH: pathFor(variant), ...s3.env, ...contractEnv(jobId, "clips/scenes.mp4") },
    });
    expect(run.code, run.stderr + JSON.stringify(exitLine(run))).toBe(EXIT.success);

    const result = await readResult(jobId);
    expect(result.tools.ffmpeg.source).toBe(tools.ffmpeg.source);
    expect(result.tools.ffmpeg.version).toBe(tools.ffmpeg.version);
    expect(result.job).toMatchObject({ id: jobId, attempt: 1 });
    expect(result.media.container.durationSeconds).toBeCloseTo(sceneVideo.durationSeconds, 1);
    expect(result.media.video).toMatchObject({ codec: "h264", width: 320, height: 240, frameRate: 25 });
    expect(result.media.audio).toHaveLength(1);
    expect(result.media.audio[0]?.codec).toBe("aac");

    const starts = result.scenes.map((scene) => scene.startSeconds);
    expect(starts).toHaveLength(sceneVideo.cuts.length + 1);
    expect(starts[0]).toBeLessThanOrEqual(FRAME);
    sceneVideo.cuts.forEach((cut, i) => {
      expect(Math.abs((starts[i + 1] ?? Number.NaN) - cut)).toBeLessThanOrEqual(FRAME);
    });

    // smptebars 1.6-4.0 s is a still picture, black 4.0-5.2 s, the tone stops at 4 s.
    expect(result.quality.black).toHaveLength(1);
    expect(result.quality.black[0]?.startSeconds).toBeCloseTo(4.0, 1);
    expect(result.quality.black[0]?.endSeconds).toBeCloseTo(5.2, 1);
    expect(
      result.quality.frozen.some((s) => Math.abs(s.startSeconds - 1.6) <= FRAME && s.endSeconds >= 3.9),
    ).toBe(true);
    expect(result.quality.silence?.[0]?.startSeconds).toBeCloseTo(4.0, 1);

    expect(result.artifacts.thumbnails).toHaveLength(result.scenes.length);
    const keys = await listKeys(`jobs/${jobId}/`);
    for (const file of [...result.artifacts.thumbnails, "contact-sheet.jpg"]) {
      expect(keys).toContain(`jobs/${jobId}/${file}`);
      const local = path.join(scratch, `${jobId}-${path.basename(file)}`);
      await writeFile(local, await getObject(`jobs/${jobId}/${file}`));
      const decoded = await decodeImage(local);
      expect(decoded.codec).toBe("mjpeg");
      if (file !== "contact-sheet.jpg") expect(decoded).toMatchObject({ width: 320, height: 240 });
    }

    // The worker's own word on the attempt, and what it cost (ffmpeg included: more than Node alone).
    const outcome = await readOutcome(jobId);
    expect(outcome).toMatchObject({ jobId, attempt: 1, code: "succeeded", exitCode: 0 });
    expect(outcome.message).toMatch(/^analysed 7\.0 s of 320x240 h264: 4 scenes$/);
    expect(outcome.peakMemoryMb).toBeGreaterThan(30);
    expect(outcome.cpuSeconds).toBeGreaterThan(0);
    expect(result.resources?.peakMemoryMb).toBeGreaterThan(30);
    expect(result.resources?.cpuSeconds).toBeLessThanOrEqual(outcome.cpuSeconds ?? 0);

    // One JSON line per step, each carrying the job id and attempt.
    const steps = run.logs.filter((line) => line.msg === "step");
    expect(steps.map((line) => line.step)).toEqual(["tools", "fetch", "probe", "analyse", "upload"]);
    for (const line of run.logs) expect(line).toMatchObject({ jobId, attempt: 1 });
    for (const line of steps) expect(line.durationMs).toEqual(expect.any(Number));
    // And one when each starts, with its place among the published steps (what `jobs show` reads).
    const stepStarts = run.logs.filter((line) => line.msg === STEP_STARTED_MESSAGE);
    expect(stepStarts.map((line) => [line.step, line.stepNumber, line.steps])).toEqual(
      WORKER_STEPS.map((step, index) => [step, index + 1, WORKER_STEPS.length]),
    );
  });
});

it("a retry of the same job overwrites its output cleanly", async () => {
  const jobId = newJobId("retry");
  const first = await runWorker(bundle, {
    env: { PATH: pathFor("system"), ...s3.env, ...contractEnv(jobId, "clips/scenes.mp4") },
  });
  expect(first.code).toBe(EXIT.success);
  const keysAfterFirst = await listKeys(`jobs/${jobId}/`);

  const second = await runWorker(bundle, {
    env: { PATH: pathFor("system"), ...s3.env, ...contractEnv(jobId, "clips/scenes.mp4", 2) },
  });
  expect(second.code).toBe(EXIT.success);
  // The same artifacts, overwritten; the outcome is per attempt, so the first attempt's is kept.
  expect(await listKeys(`jobs/${jobId}/`)).toEqual(
    [...keysAfterFirst, `jobs/${jobId}/outcome-2.json`].sort(),
  );
  expect((await readResult(jobId)).job.attempt).toBe(2);
  expect((await readOutcome(jobId, 1)).attempt).toBe(1);
  expect((await readOutcome(jobId, 2)).attempt).toBe(2);
});

describe("failures map to the contract's exit codes, and the worker says why", () => {
  it.each([
    ["an empty file", () => Buffer.alloc(0), "empty-input", /^the file is empty \(0 bytes\)$/],
    [
      "a text file renamed .mp4",
      () => Buffer.from("this is not a video\n".repeat(100)),
      "not-a-video",
      /^not a readable media file: Invalid data found when processing input$/,
    ],
    ["random bytes", () => randomBytes(64 * 1024), "not-a-video", /^not a readable media file: /],
    [
      "an MP4 cut off before its index",
      async () => {
        const indexLast = path.join(scratch, "index-last.mp4");
        await withIndexAtEnd(sceneVideo.path, indexLast);
        const whole = await readFile(indexLast);
        return whole.subarray(0, Math.floor(whole.length / 2));
      },
      "truncated",
      /^truncated: the moov atom is missing/,
    ],
    [
      "an MP4 cut off after its first frames",
      async () => (await readFile(sceneVideo.path)).subarray(0, 20_000),
      "partly-undecodable",
      /^only \d+ of 175 video frames decode: the file is truncated or corrupt$/,
    ],
  ])("%s exits 65, writes no result, and its outcome says %s", async (_label, content, code, message) => {
    const jobId = newJobId("corrupt");
    await s3.client.send(
      new PutObjectCommand({ Bucket: "videos", Key: `bad/${jobId}.mp4`, Body: await content() }),
    );
    const run = await runWorker(bundle, {
      env: { PATH: pathFor("system"), ...s3.env, ...contractEnv(jobId, `bad/${jobId}.mp4`) },
    });
    expect(run.code, JSON.stringify(exitLine(run))).toBe(EXIT.invalidVideo);
    expect(exitLine(run)).toMatchObject({ outcome: "invalid-video", code, outcomeWritten: true });
    expect(await listKeys(`jobs/${jobId}/`)).toEqual([`jobs/${jobId}/outcome-1.json`]);
    const outcome = await readOutcome(jobId);
    expect(outcome).toMatchObject({ jobId, attempt: 1, code, exitCode: 65 });
    expect(outcome.message).toMatch(message);
    expect(outcome.hint).toEqual(expect.any(String));
    expect(outcome.peakMemoryMb).toBeGreaterThan(0);
  });

  it("a missing input object exits 66", async () => {
    const jobId = newJobId("missing");
    const run = await runWorker(bundle, {
      env: { PATH: pathFor("system"), ...s3.env, ...contractEnv(jobId, "no/such/video.mp4") },
    });
    expect(run.code).toBe(EXIT.inputNotFound);
    expect(exitLine(run)).toMatchObject({ outcome: "input-not-found", reason: "s3-NoSuchKey" });
    expect(await listKeys(`jobs/${jobId}/`)).toEqual([`jobs/${jobId}/outcome-1.json`]);
    const outcome = await readOutcome(jobId);
    expect(outcome).toMatchObject({ code: "input-not-found", exitCode: 66, reason: "s3-NoSuchKey" });
    expect(outcome.message).toContain("s3://videos/no/such/video.mp4");
  });

  it("an unreachable S3 endpoint exits with the retryable code", async () => {
    const jobId = newJobId("unreachable");
    const run = await runWorker(bundle, {
      env: {
        PATH: pathFor("system"),
        ...s3.env,
        AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${await closedPort()}`,
        AWS_MAX_ATTEMPTS: "2",
        ...contractEnv(jobId, "clips/scenes.mp4"),
      },
    });
    expect(run.code).toBe(EXIT.retryable);
    expect(exitLine(run)).toMatchObject({ outcome: "retryable", reason: "network", code: "transient" });
    // The job model retries any non-zero code outside sysexits' 64-78.
    expect(run.code).not.toBe(0);
    expect((run.code ?? 0) >= 64 && (run.code ?? 0) <= 78).toBe(false);
  });

  it.each([
    ["JOB_ID", { JOB_ID: undefined }, "is not set"],
    ["JOB_ATTEMPT", { JOB_ATTEMPT: "first" }, "positive integer"],
    ["INPUT_URL", { INPUT_URL: "ftp://example.com/video.mp4" }, "s3://"],
    ["OUTPUT_URL", { OUTPUT_URL: "s3://results/no-trailing-slash" }, 'ending in "/"'],
  ])("a bad %s exits 70 with an error naming it", async (variable, override, words) => {
    const env: Record<string, string> = {
      PATH: pathFor("system"),
      ...s3.env,
      ...contractEnv(newJobId("env"), "clips/scenes.mp4"),
    };
    for (const [name, value] of Object.entries(override)) {
      if (value === undefined) delete env[name];
      else env[name] = value;
    }
    const run = await runWorker(bundle, { env });
    expect(run.code).toBe(EXIT.internal);
    expect(run.stderr).toContain(variable);
    expect(run.stderr).toContain(words);
    expect(exitLine(run)).toMatchObject({ reason: "bad-environment", error: { name: "ContractError" } });
  });

  it("a bad environment still leaves an outcome when the output and attempt are known", async () => {
    const jobId = newJobId("env");
    const env: Record<string, string> = {
      PATH: pathFor("system"),
      ...s3.env,
      ...contractEnv(jobId, "clips/scenes.mp4"),
      INPUT_URL: "ftp://example.com/video.mp4",
    };
    const run = await runWorker(bundle, { env });
    expect(run.code).toBe(EXIT.internal);
    expect(await readOutcome(jobId)).toMatchObject({
      code: "bad-environment",
      exitCode: 70,
      message: expect.stringContaining("INPUT_URL: must be s3://"),
    });
  });

  it.each([
    ["an unknown key", '{"preset":"720p"}', "JOB_PARAMS.preset", 'unknown parameter "preset"'],
    ["a value out of range", '{"maxThumbnails":9999}', "JOB_PARAMS.maxThumbnails", "Too big"],
    ["not JSON", "{not json", "JOB_PARAMS", "is not valid JSON"],
  ])(
    "JOB_PARAMS with %s exits 64 (bad input, not retried), naming the key",
    async (_l, params, key, words) => {
      const jobId = newJobId("params");
      const run = await runWorker(bundle, {
        env: {
          PATH: pathFor("system"),
          ...s3.env,
          ...contractEnv(jobId, "clips/scenes.mp4"),
          JOB_PARAMS: params,
        },
      });
      expect(run.code).toBe(EXIT.usage);
      expect(run.stderr).toContain(`worker: ${key}: ${words}`);
      expect(run.stderr).toContain("accepted params: sceneThreshold");
      const outcome = await readOutcome(jobId);
      expect(outcome).toMatchObject({ code: "bad-params", exitCode: 64 });
      expect(outcome.message).toContain(`${key}: ${words}`);
      expect(outcome.hint).toContain("maxThumbnails");
      // Nothing was fetched or analysed: the params are checked before anything runs.
      expect(run.logs.filter((line) => line.msg === "step")).toEqual([]);
    },
  );
});

it("SIGTERM during the analysis stops ffmpeg and exits 143 within seconds, writing nothing", async () => {
  // A 1080p clip looped: about 30 s of video, seconds of decoding, quick to make.
  const clip = path.join(scratch, "hd-clip.mp4");
  await generateVideo(clip, {
    width: 1920,
    height: 1080,
    fps: 30,
    segments: [{ source: "testsrc2", seconds: 2 }],
    preset: "ultrafast",
  });
  const long = path.join(scratch, "hd-long.mp4");
  await loopVideo(clip, long, 15);
  await putFile("clips/hd-long.mp4", long);

  const jobId = newJobId("sigterm");
  const worker = startWorker(bundle, {
    env: { PATH: pathFor("system"), ...s3.env, ...contractEnv(jobId, "clips/hd-long.mp4") },
  });
  await worker.waitForLog((line) => line.msg === "step" && line.step === "probe");
  await waitFor(() => ffmpegProcessesOf(jobId).length > 0, "ffmpeg to start decoding the job's input");

  const signalled = performance.now();
  worker.child.kill("SIGTERM");
  const run = await worker.exited;
  const stopMs = performance.now() - signalled;

  expect(run.code).toBe(143);
  expect(stopMs).toBeLessThan(3000);
  expect(exitLine(run)).toMatchObject({ outcome: "terminated", code: "interrupted", outcomeWritten: true });
  expect(run.logs.find((line) => line.msg === "step" && line.step === "analyse")).toMatchObject({
    status: "failed",
  });
  expect(ffmpegProcessesOf(jobId)).toEqual([]);
  expect(await listKeys(`jobs/${jobId}/`)).toEqual([`jobs/${jobId}/outcome-1.json`]);
  const outcome = await readOutcome(jobId);
  expect(outcome).toMatchObject({ code: "interrupted", exitCode: 143, message: "stopped by SIGTERM" });
  // ffmpeg was decoding 1080p when stopped: its memory is in the figure, far above Node's own.
  expect(outcome.peakMemoryMb).toBeGreaterThan(100);
});

describe("on a developer's machine", () => {
  it("runs the example of docs/reference-worker.md as written (npm run worker -- ...)", async () => {
    const readme = readFileSync(path.join(REPO, "docs", "reference-worker.md"), "utf8");
    const example = /^npm run worker -- (--input \S+ --output \S+)\s/m.exec(readme)?.[1];
    expect(example, "the local worker example of docs/reference-worker.md").toBeDefined();
    const args = (example ?? "").split(" ");
    // In a scratch directory holding the repository's samples, so ./out/ lands there.
    const cwd = await mkdtemp(path.join(scratch, "readme-"));
    await symlink(path.join(REPO, "samples"), path.join(cwd, "samples"));
    const run = await runWorker(bundle, { env: { PATH: pathFor("system") }, args, cwd });
    expect(run.code, run.stderr).toBe(EXIT.success);
    const out = path.resolve(cwd, args[args.indexOf("--output") + 1] ?? "");
    expect(
      ResultSchema.parse(JSON.parse(await readFile(path.join(out, "result.json"), "utf8"))).scenes.length,
    ).toBeGreaterThan(1);
    expect(JSON.parse(await readFile(path.join(out, "outcome-1.json"), "utf8"))).toMatchObject({
      code: "succeeded",
    });
  });

  it.each([
    ["no arguments at all", [], "none given: pass --input and --output"],
    [
      "an unknown argument",
      ["--input", "a.mp4", "--output", "out/", "--verbose"],
      "Unknown option '--verbose'",
    ],
    ["a missing argument", ["--input", "a.mp4"], "--output: is required"],
  ])("%s prints the usage and exits 64", async (_label, args, words) => {
    const run = await runWorker(bundle, { env: { PATH: pathFor("system") }, args, cwd: scratch });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain(words);
    expect(run.stderr).toContain("usage: worker --input");
  });

  it("--help lists the params and exits 0", async () => {
    const { stdout } = await execFileAsync(process.execPath, [bundle.file, "--help"], { env: {} });
    expect(stdout).toContain("usage: worker --input");
    expect(stdout).toContain("maxThumbnails (integer >= 0, <= 500; default 50)");
    expect(stdout).toContain("silenceNoiseDb");
  });

  it("takes local paths: npm run worker -- --input ./clip.mp4 --output ./out/", async () => {
    const out = path.join(scratch, "local-out");
    const run = await runWorker(bundle, {
      env: { PATH: pathFor("system") },
      args: ["--input", sceneVideo.path, "--output", `${out}/`],
    });
    expect(run.code, run.stderr).toBe(EXIT.success);
    const result = ResultSchema.parse(JSON.parse(await readFile(path.join(out, "result.json"), "utf8")));
    expect(result.job.id).toBe("local");
    expect((await readdir(path.join(out, "thumbnails"))).sort()).toEqual(
      result.artifacts.thumbnails.map((file) => path.basename(file)).sort(),
    );
  });

  it("reads an HTTP(S) URL, and a 404 there exits 66", async () => {
    const server = await serveFile(sceneVideo.path);
    try {
      const { port } = server.address() as AddressInfo;
      const ok = await runWorker(bundle, {
        env: { PATH: pathFor("system") },
        args: [
          "--input",
          `http://127.0.0.1:${port}/clip.mp4?X-Amz-Signature=secret`,
          "--output",
          path.join(scratch, "http-out"),
        ],
      });
      expect(ok.code, ok.stderr).toBe(EXIT.success);
      const result = JSON.parse(
        await readFile(path.join(scratch, "http-out", "result.json"), "utf8"),
      ) as Result;
      expect(result.input.url).toBe(`http://127.0.0.1:${port}/clip.mp4`); // no presigned secrets kept
      const missing = await runWorker(bundle, {
        env: { PATH: pathFor("system") },
        args: [
          "--input",
          `http://127.0.0.1:${port}/missing.mp4`,
          "--output",
          path.join(scratch, "http-missing"),
        ],
      });
      expect(missing.code).toBe(EXIT.inputNotFound);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

async function putFile(key: string, file: string): Promise<void> {
  await s3.client.send(new PutObjectCommand({ Bucket: "videos", Key: key, Body: await readFile(file) }));
}

async function getObject(key: string): Promise<Buffer> {
  const response = await s3.client.send(new GetObjectCommand({ Bucket: "results", Key: key }));
  return Buffer.from(await (response.Body?.transformToByteArray() ?? Promise.resolve(new Uint8Array())));
}

async function readOutcome(jobId: string, attempt = 1): Promise<WorkerOutcome> {
  const body = await getObject(`jobs/${jobId}/outcome-${attempt}.json`);
  return WorkerOutcomeSchema.parse(JSON.parse(body.toString("utf8")));
}

async function readResult(jobId: string): Promise<Result> {
  return ResultSchema.parse(JSON.parse((await getObject(`jobs/${jobId}/result.json`)).toString("utf8")));
}

async function listKeys(prefix: string): Promise<string[]> {
  const response = await s3.client.send(new ListObjectsV2Command({ Bucket: "results", Prefix: prefix }));
  return (response.Contents ?? []).map((object) => object.Key ?? "").sort();
}

async function decodeImage(file: string): Promise<{ codec: string; width: number; height: number }> {
  const { ffprobe, ffmpeg } = await discoverTools(process.env, new AbortController().signal);
  await execFileAsync(ffmpeg.path, ["-v", "error", "-xerror", "-i", file, "-f", "null", "-"]);
  const { stdout } = await execFileAsync(ffprobe.path, [
    ...["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_name,width,height"],
    ...["-of", "json", file],
  ]);
  const stream = (
    JSON.parse(stdout) as { streams: Array<{ codec_name: string; width: number; height: number }> }
  ).streams[0];
  return { codec: stream?.codec_name ?? "", width: stream?.width ?? 0, height: stream?.height ?? 0 };
}

/** ffmpeg processes whose command line mentions this job (its working directory is named after it). */
function ffmpegProcessesOf(jobId: string): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
        return cmdline.includes("ffmpeg") && cmdline.includes(jobId);
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function serveFile(file: string): Promise<Server> {
  const body = await readFile(file);
  const server = createServer((request, response) => {
    if (request.url?.startsWith("/clip.mp4")) {
      response.writeHead(200, { "content-type": "video/mp4", "content-length": body.length });
      response.end(body);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}
