// The worker processes local mode has running, one pid file each in the state folder (`worker-pids/`).
// Workers run in their own process group (so a terminal's Ctrl-C reaches local mode only, which then stops
// them as ECS would); the price is that they outlive a local mode killed outright (SIGKILL). The next start
// reads these files and kills every worker of the earlier run that still runs — after checking, from its
// command line, that the pid is still our worker bundle — so the local ECS's "tasks of an earlier run are
// gone" is true of the processes too, and the sweeper's recovery never races an orphan of the last run.

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { killWorkerGroup } from "./kill-processes";

export interface WorkerPids {
  /** Notes the pid of the worker started for `taskId`. */
  record(taskId: string, pid: number): void;
  forget(taskId: string): void;
}

export interface LeftoverWorker {
  readonly taskId: string;
  readonly pid: number;
}

export function workerPidDirectory(stateDirectory: string): string {
  return path.join(stateDirectory, "worker-pids");
}

export function workerPidFiles(directory: string): WorkerPids {
  return {
    record(taskId, pid) {
      mkdirSync(directory, { recursive: true });
      writeFileSync(path.join(directory, `${taskId}.pid`), String(pid));
    },
    forget(taskId) {
      rmSync(path.join(directory, `${taskId}.pid`), { force: true });
    },
  };
}

/**
 * Kills (SIGKILL, with their process group: ffmpeg too) the workers an earlier run left, and clears the
 * folder. `marker` must appear in a pid's command line for it to be killed: a pid reused by another
 * program since is left alone. Returns the workers killed.
 */
export function killLeftoverWorkers(directory: string, marker: string): LeftoverWorker[] {
  if (!existsSync(directory)) return [];
  const killed: LeftoverWorker[] = [];
  for (const file of readdirSync(directory)) {
    if (!file.endsWith(".pid")) continue;
    const pid = Number(readFileSync(path.join(directory, file), "utf8").trim());
    if (Number.isInteger(pid) && pid > 1 && commandLine(pid)?.includes(marker)) {
      killWorkerGroup(pid);
      killed.push({ taskId: file.slice(0, -".pid".length), pid });
    }
    rmSync(path.join(directory, file), { force: true });
  }
  return killed;
}

/** The process's command line, or undefined when it is gone (Linux: /proc; elsewhere: ps). */
export function commandLine(pid: number): string | undefined {
  if (existsSync("/proc/self/cmdline")) {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim() || undefined;
    } catch {
      return undefined;
    }
  }
  const ps = spawnSync("ps", ["-o", "command=", "-p", String(pid)], { encoding: "utf8" });
  return ps.status === 0 ? ps.stdout.trim() || undefined : undefined;
}
