// How local mode runs a worker task: the worker bundle (the same file the container image ships) under
// this machine's Node as a child process, or — with --docker — the worker image under `docker run`. Each
// task's output lines go to .local/logs/<taskId>.log, the local counterpart of its CloudWatch log stream.
// Each worker runs in a process group of its own, as a container is apart from whoever started it: a
// terminal's Ctrl-C reaches local mode, which stops the workers with SIGTERM as ECS does (not SIGINT behind
// its back). Their pids are noted in the state folder (worker-pids.ts) for the next start to clean up.
// Each runs within its task's memory, as a container does: a child process is watched (memory-limit.ts) and
// killed over it; `docker run` gets the limit as --memory. A stop is SIGTERM, then SIGKILL after the task
// definition's stop timeout, as ECS does.

import { spawn, spawnSync } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { constants } from "node:os";
import path from "node:path";
import type { WorkerLauncher, WorkerRun, WorkerTask } from "../aws/ecs";
import { killWorkerGroup } from "./kill-processes";
import { watchMemory } from "./memory-limit";
import type { WorkerPids } from "./worker-pids";

export interface LauncherOptions {
  /** Environment every task gets besides the contract's (S3 endpoint, credentials, region). */
  readonly baseEnvironment: Record<string, string>;
  readonly logDirectory: string;
  /** Where each running worker's pid is noted (local mode's state folder). */
  readonly pids?: WorkerPids;
  /**
   * `--memory-need MiB`: every worker is taken to need this much memory, so a task given less runs out of
   * it shortly after it starts, killed and reported as a real one is (exit 137, OutOfMemoryError); a task
   * given enough runs as usual. Shows the job model's resize without a video that needs that much.
   */
  readonly simulatedMemoryNeedMib?: number;
}

/** How long a worker that "needs" more memory than its task has runs before it is killed over it. */
export const SIMULATED_OUT_OF_MEMORY_AFTER_MS = 250;

/** Runs the bundled worker (`node <bundle>`), with nothing of this process's environment but PATH. */
export function processLauncher(bundle: string, options: LauncherOptions): WorkerLauncher {
  return {
    start: (task) =>
      runChild(
        process.execPath,
        [bundle],
        task,
        { PATH: process.env.PATH ?? "", ...options.baseEnvironment, ...task.environment },
        options,
        "watched",
      ),
  };
}

/** Runs the worker image with `docker run`, on the host network so the loopback endpoints are reachable. */
export function dockerLauncher(image: string, options: LauncherOptions): WorkerLauncher {
  return {
    start: (task) => {
      const variables = { ...options.baseEnvironment, ...task.environment };
      const args = ["run", "--rm", "--name", `video-jobs-${task.taskId}`, "--network", "host"];
      // The task's memory, without swap (Fargate has none): Docker's out-of-memory killer enforces it.
      const memory = `${task.memoryMib}m`;
      args.push("--memory", memory, "--memory-swap", memory);
      for (const name of Object.keys(variables)) args.push("--env", name);
      args.push(image);
      return runChild(
        "docker",
        args,
        task,
        { PATH: process.env.PATH ?? "", ...variables },
        options,
        "unwatched",
      );
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

/**
 * Runs one worker. "watched": its process tree is held to the task's memory here; "unwatched": something
 * else holds it there (Docker), and an exit 137 cannot be told from any other SIGKILL.
 */
function runChild(
  command: string,
  args: readonly string[],
  task: WorkerTask,
  env: Record<string, string>,
  options: LauncherOptions,
  memory: "watched" | "unwatched",
): WorkerRun {
  const { taskId } = task;
  // Detached: its own process group, so a Ctrl-C meant for local mode does not reach it directly.
  const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const logReady = mkdir(options.logDirectory, { recursive: true }).then(() =>
    createWriteStream(path.join(options.logDirectory, `${taskId}.log`), { flags: "a" }),
  );
  for (const stream of [child.stdout, child.stderr]) {
    stream.on("data", (chunk: Buffer) => void logReady.then((log) => log.write(chunk)));
  }
  let outOfMemory = false;
  let memoryWatch: { stop(): void } | undefined;
  const started = new Promise<void>((resolve, reject) => {
    child.once("spawn", () => {
      if (child.pid !== undefined) {
        options.pids?.record(taskId, child.pid);
        const need = options.simulatedMemoryNeedMib;
        if (memory === "watched" && need !== undefined && need > task.memoryMib) {
          const pid = child.pid;
          const timer = setTimeout(() => {
            outOfMemory = true;
            killWorkerGroup(pid);
          }, SIMULATED_OUT_OF_MEMORY_AFTER_MS);
          memoryWatch = { stop: () => clearTimeout(timer) };
        } else if (memory === "watched") {
          memoryWatch = watchMemory({
            pid: child.pid,
            limitMib: task.memoryMib,
            onExceeded: () => {
              outOfMemory = true;
            },
          });
        }
      }
      resolve();
    });
    child.once("error", reject);
  });
  const exited = new Promise<{ exitCode: number; outOfMemory: boolean }>((resolve) => {
    child.once("close", (code, signal) => {
      memoryWatch?.stop();
      options.pids?.forget(taskId);
      void logReady.then((log) => log.end());
      // A process killed by a signal exits 128 + its number, as a container's exit code says.
      resolve({ exitCode: code ?? 128 + (signal ? constants.signals[signal] : 0), outOfMemory });
    });
  });
  // Forced: the whole group (the worker's ffmpeg too), at once.
  const kill = () => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    killWorkerGroup(child.pid);
  };
  // As ECS does: SIGTERM, then SIGKILL if the worker is still there after the stop timeout.
  const stop = () => {
    child.kill("SIGTERM");
    setTimeout(kill, task.stopTimeoutSeconds * 1000).unref();
  };
  return { started, exited, stop, kill };
}
