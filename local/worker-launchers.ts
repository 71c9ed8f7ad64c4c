// How local mode runs a worker task: the worker bundle (the same file the container image ships) under
// this machine's Node as a child process, or — with --docker — the worker image under `docker run`. Each
// task's output lines go to .local/logs/<taskId>.log, the local counterpart of its CloudWatch log stream.
// Each worker runs in a process group of its own, as a container is apart from whoever started it: a
// terminal's Ctrl-C reaches local mode, which stops the workers with SIGTERM as ECS does (not SIGINT behind
// its back). Their pids are noted in the state folder (worker-pids.ts) for the next start to clean up.

import { spawn, spawnSync } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { constants } from "node:os";
import path from "node:path";
import type { WorkerLauncher, WorkerRun } from "./ecs";
import type { WorkerPids } from "./worker-pids";

/** How long a stopped worker gets between SIGTERM and SIGKILL (ECS's default stop timeout). */
const STOP_TIMEOUT_MS = 30_000;

export interface LauncherOptions {
  /** Environment every task gets besides the contract's (S3 endpoint, credentials, region). */
  readonly baseEnvironment: Record<string, string>;
  readonly logDirectory: string;
  /** Where each running worker's pid is noted (local mode's state folder). */
  readonly pids?: WorkerPids;
}

/** Runs the bundled worker (`node <bundle>`), with nothing of this process's environment but PATH. */
export function processLauncher(bundle: string, options: LauncherOptions): WorkerLauncher {
  return {
    start: ({ taskId, environment }) =>
      runChild(
        process.execPath,
        [bundle],
        taskId,
        { PATH: process.env.PATH ?? "", ...options.baseEnvironment, ...environment },
        options,
      ),
  };
}

/** Runs the worker image with `docker run`, on the host network so the loopback endpoints are reachable. */
export function dockerLauncher(image: string, options: LauncherOptions): WorkerLauncher {
  return {
    start: ({ taskId, environment }) => {
      const variables = { ...options.baseEnvironment, ...environment };
      const args = ["run", "--rm", "--name", `video-jobs-${taskId}`, "--network", "host"];
      for (const name of Object.keys(variables)) args.push("--env", name);
      args.push(image);
      return runChild("docker", args, taskId, { PATH: process.env.PATH ?? "", ...variables }, options);
    },
  };
}

/** Fails with what to do when no Docker engine answers (the docker CLI alone is not enough). */
export function requireDockerEngine(): void {
  const info = spawnSync("docker", ["info", "--format", "{{.ServerVersion}}"], { encoding: "utf8" });
  if (info.error || info.status !== 0) {
    throw new Error(
      `--docker needs a running Docker engine, and none answered (${(info.error?.message ?? info.stderr).trim()}). ` +
        "Start Docker, or run without --docker to use the worker as a child process.",
    );
  }
}

/** Builds the worker image from worker/Dockerfile (what the Pulumi program pushes to ECR). */
export function buildWorkerImage(root: string, tag: string): void {
  requireDockerEngine();
  const build = spawnSync("docker", ["build", "--file", "worker/Dockerfile", "--tag", tag, "."], {
    cwd: root,
    stdio: "inherit",
  });
  if (build.status !== 0) throw new Error(`docker build of the worker image failed (exit ${build.status})`);
}

function runChild(
  command: string,
  args: readonly string[],
  taskId: string,
  env: Record<string, string>,
  options: LauncherOptions,
): WorkerRun {
  // Detached: its own process group, so a Ctrl-C meant for local mode does not reach it directly.
  const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const logReady = mkdir(options.logDirectory, { recursive: true }).then(() =>
    createWriteStream(path.join(options.logDirectory, `${taskId}.log`), { flags: "a" }),
  );
  for (const stream of [child.stdout, child.stderr]) {
    stream.on("data", (chunk: Buffer) => void logReady.then((log) => log.write(chunk)));
  }
  const started = new Promise<void>((resolve, reject) => {
    child.once("spawn", () => {
      if (child.pid !== undefined) options.pids?.record(taskId, child.pid);
      resolve();
    });
    child.once("error", reject);
  });
  const exited = new Promise<{ exitCode: number }>((resolve) => {
    child.once("close", (code, signal) => {
      options.pids?.forget(taskId);
      void logReady.then((log) => log.end());
      // A process killed by a signal exits 128 + its number, as a container's exit code says.
      resolve({ exitCode: code ?? 128 + (signal ? constants.signals[signal] : 0) });
    });
  });
  // Forced: the whole group (the worker's ffmpeg too), at once.
  const kill = () => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      child.kill("SIGKILL");
    }
  };
  // As ECS does: SIGTERM, then SIGKILL if the worker is still there after the stop timeout.
  const stop = () => {
    child.kill("SIGTERM");
    setTimeout(kill, STOP_TIMEOUT_MS).unref();
  };
  return { started, exited, stop, kill };
}
