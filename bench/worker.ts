// Benchmark: the reference worker's wall time on a generated 1080p, 60 s video against the physical floor
// measured in the same run, one bare decode of the same file with the same ffmpeg (`ffmpeg -i in -f null -`).
// Target: worker <= 1.3 x floor. Runs alternate (floor, worker, floor, worker, ...) so that machine noise
// hits both alike; the medians and the minima are reported. The worker is the esbuild bundle the image
// ships, run as a developer would (local input and output, no S3), timed from spawn to exit.
//   npm run bench -- worker          (BENCH_ROUNDS=5 for more rounds; --small: a 4 s 320x240 video, one round,
//                                     for its test: the worker must run, the ratio is not judged at that size)

import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import path from "node:path";
import { generateVideo, type VideoSpec } from "../tests/support/video";
import { bundleWorker } from "../worker/build";
import { discoverTools } from "../worker/src/ffmpeg";
import type { BenchSize } from "./bench-size";

export const name = "worker";

const ROOT = path.join(__dirname, "..");
const WORK = path.join(ROOT, ".bench", "worker");
const TARGET_RATIO = 1.3;

/** 1080p30, 60 s, eight 7.5 s scenes, camera-like temporal noise at 8 Mbit/s, stereo-free AAC tone. */
const BENCH_VIDEO: VideoSpec = {
  width: 1920,
  height: 1080,
  fps: 30,
  segments: [
    { source: "testsrc2", seconds: 7.5 },
    { source: "smptebars", seconds: 7.5 },
    { source: "testsrc", seconds: 7.5 },
    { source: "rgbtestsrc", seconds: 7.5 },
    { source: "testsrc2", seconds: 7.5 },
    { source: "black", seconds: 7.5 },
    { source: "smptebars", seconds: 7.5 },
    { source: "testsrc", seconds: 7.5 },
  ],
  toneSeconds: 45,
  noise: 8,
  bitRate: "8M",
  preset: "veryfast",
};

/** The small size's video: the same scenes' kinds, short and small, so the test takes seconds. */
const SMALL_VIDEO: VideoSpec = {
  ...BENCH_VIDEO,
  width: 320,
  height: 240,
  segments: [
    { source: "testsrc2", seconds: 2 },
    { source: "smptebars", seconds: 2 },
  ],
  toneSeconds: 3,
  bitRate: "1M",
};

export async function run(size: BenchSize = "full"): Promise<void> {
  const rounds = size === "small" ? 1 : Number(process.env.BENCH_ROUNDS ?? "3");
  await mkdir(WORK, { recursive: true });
  const spec = size === "small" ? SMALL_VIDEO : BENCH_VIDEO;
  const video = await benchVideo(spec);
  const bundle = await bundleWorker(path.join(WORK, "bundle", "main.js"));
  const { ffmpeg } = await discoverTools(process.env, new AbortController().signal);
  const videoSeconds = spec.segments.reduce((sum, segment) => sum + segment.seconds, 0);
  console.log(
    `video: ${path.relative(ROOT, video)} (${spec.width}x${spec.height}, ${spec.fps} fps, ${videoSeconds} s, h264 ${spec.bitRate}bit/s + aac)`,
  );
  console.log(`ffmpeg: ${ffmpeg.path} ${ffmpeg.version} (${ffmpeg.source}); ${rounds} rounds, alternating`);
  // Other work on the machine skews both times (and not always alike): say how busy it was.
  console.log(`machine: ${cpus().length} cores, load average ${loadText()} at start`);

  const floorArgs = ["-hide_banner", "-nostdin", "-loglevel", "error", "-i", video, "-f", "null", "-"];
  await timeCommand(ffmpeg.path, floorArgs); // warm the page cache and the binary

  const floor: number[] = [];
  const worker: number[] = [];
  const analyse: number[] = [];
  const floorCpu: number[] = [];
  const workerCpu: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    let cpu = childrenCpuSeconds();
    floor.push(await timeCommand(ffmpeg.path, floorArgs));
    floorCpu.push(childrenCpuSeconds() - cpu);
    const out = path.join(WORK, "out");
    await rm(out, { recursive: true, force: true });
    cpu = childrenCpuSeconds();
    const started = performance.now();
    const stdout = await capture(process.execPath, [bundle, "--input", video, "--output", out]);
    worker.push(performance.now() - started);
    workerCpu.push(childrenCpuSeconds() - cpu);
    analyse.push(stepDuration(stdout, "analyse"));
    console.log(
      `round ${round}: floor ${seconds(floor.at(-1))} (cpu ${floorCpu.at(-1)?.toFixed(2)} s)  ` +
        `worker ${seconds(worker.at(-1))} (cpu ${workerCpu.at(-1)?.toFixed(2)} s, analyse step ${seconds(analyse.at(-1))})`,
    );
  }

  const ratio = median(worker) / median(floor);
  console.log("");
  console.log(`bare decode (floor)  median ${seconds(median(floor))}  min ${seconds(Math.min(...floor))}`);
  console.log(`worker               median ${seconds(median(worker))}  min ${seconds(Math.min(...worker))}`);
  console.log(`  of which analyse   median ${seconds(median(analyse))}`);
  console.log(
    `ratio worker/floor   median ${ratio.toFixed(2)}x  min/min ${(Math.min(...worker) / Math.min(...floor)).toFixed(2)}x`,
  );
  // CPU time (user + system, the worker's whole process tree) hardly depends on what else runs here.
  if (!Number.isNaN(median(floorCpu))) {
    console.log(
      `cpu time             floor ${median(floorCpu).toFixed(2)} s  worker ${median(workerCpu).toFixed(2)} s  ` +
        `ratio ${(median(workerCpu) / median(floorCpu)).toFixed(2)}x`,
    );
  }
  console.log(`target <= ${TARGET_RATIO}x: ${ratio <= TARGET_RATIO ? "met" : "NOT met"}`);
  console.log(`load average ${loadText()} at the end`);
}

async function benchVideo(spec: VideoSpec): Promise<string> {
  const hash = createHash("sha256").update(JSON.stringify(spec)).digest("hex").slice(0, 12);
  const file = path.join(WORK, `${spec.height}p-${hash}.mp4`);
  if (!existsSync(file)) {
    console.log(`generating the ${spec.height}p video (once; cached in .bench/)...`);
    const started = performance.now();
    await generateVideo(file, spec);
    console.log(`generated in ${seconds(performance.now() - started)}`);
  }
  return file;
}

async function timeCommand(file: string, args: readonly string[]): Promise<number> {
  const started = performance.now();
  await capture(file, args);
  return performance.now() - started;
}

function capture(file: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.once("error", reject);
    child.once("close", (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`${file} exited ${code}`)),
    );
  });
}

function stepDuration(logs: string, step: string): number {
  for (const line of logs.split("\n")) {
    if (!line.includes(`"step":"${step}"`)) continue;
    const parsed: unknown = JSON.parse(line);
    if (
      typeof parsed === "object" &&
      parsed !== null &&
      "durationMs" in parsed &&
      typeof parsed.durationMs === "number"
    ) {
      return parsed.durationMs;
    }
  }
  return Number.NaN;
}

/**
 * CPU seconds of this process's finished children and their own children (Linux: /proc/self/stat
 * cutime + cstime, in clock ticks of 1/100 s); NaN elsewhere.
 */
function childrenCpuSeconds(): number {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return Number.NaN;
  }
}

function loadText(): string {
  return loadavg()
    .map((load) => load.toFixed(1))
    .join(" / ");
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function seconds(ms: number | undefined): string {
  return `${((ms ?? Number.NaN) / 1000).toFixed(2)} s`;
}
