// Local mode's worker processes: each in a process group of its own (a terminal's Ctrl-C does not reach it),
// its pid noted in the state folder while it runs, stopped with SIGTERM or killed with its group; and the
// workers an earlier run left are killed at the next start — only when their command line is our bundle.

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { processLauncher } from "../../local/workers/worker-launchers";
import { commandLine, killLeftoverWorkers, workerPidFiles } from "../../local/workers/worker-pids";
import { alive } from "../support/local-mode";

let directory: string;
let bundle: string;
const strays: ChildProcess[] = [];

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), "worker-processes-"));
  bundle = path.join(directory, "worker", "main.js");
  await mkdir(path.dirname(bundle), { recursive: true });
  // A stand-in worker: runs until signalled, says so on SIGTERM.
  await writeFile(
    bundle,
    'process.on("SIGTERM", () => { console.log("got SIGTERM"); process.exit(143); }); setInterval(() => {}, 1000); console.log("up");',
  );
});

afterAll(async () => {
  for (const child of strays) child.kill("SIGKILL");
  await rm(directory, { recursive: true, force: true });
});

const pidDirectory = () => path.join(directory, "worker-pids");
const processGroup = (pid: number) =>
  Number(spawnSync("ps", ["-o", "pgid=", "-p", String(pid)], { encoding: "utf8" }).stdout.trim());

function launch(taskId: string) {
  const launcher = processLauncher(bundle, {
    baseEnvironment: {},
    logDirectory: path.join(directory, "logs"),
    pids: workerPidFiles(pidDirectory()),
  });
  return launcher.start({ taskId, environment: {}, memoryMib: 2048, stopTimeoutSeconds: 30 });
}

async function pidOf(taskId: string): Promise<number> {
  return Number(await readFile(path.join(pidDirectory(), `${taskId}.pid`), "utf8"));
}

describe("local worker processes", () => {
  it("runs each worker in its own process group, its pid noted while it runs; stop() sends SIGTERM", async () => {
    const run = launch("task-a");
    await run.started;
    const pid = await pidOf("task-a");
    expect(processGroup(pid)).toBe(pid);
    expect(processGroup(pid)).not.toBe(processGroup(process.pid));
    run.stop();
    expect(await run.exited).toEqual({ exitCode: 143, outOfMemory: false });
    expect(existsSync(path.join(pidDirectory(), "task-a.pid"))).toBe(false);
  });

  it("kill() ends the worker at once with SIGKILL (exit 137)", async () => {
    const run = launch("task-b");
    await run.started;
    run.kill();
    expect(await run.exited).toEqual({ exitCode: 137, outOfMemory: false });
  });

  it("at start, kills the workers an earlier run left, and leaves a pid that is no longer our worker alone", async () => {
    const ours = spawn(process.execPath, [bundle], { detached: true, stdio: "ignore" });
    const other = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], {
      detached: true,
      stdio: "ignore",
    });
    strays.push(ours, other);
    await Promise.all([ours, other].map((c) => new Promise((resolve) => c.once("spawn", resolve))));
    const files = workerPidFiles(pidDirectory());
    files.record("left-1", ours.pid ?? 0);
    files.record("reused-pid", other.pid ?? 0);
    files.record("gone", 999_999_999);
    expect(commandLine(ours.pid ?? 0)).toContain(bundle);

    const exited = new Promise((resolve) => ours.once("exit", (_code, signal) => resolve(signal)));
    expect(killLeftoverWorkers(pidDirectory(), bundle)).toEqual([{ taskId: "left-1", pid: ours.pid }]);
    expect(await exited).toBe("SIGKILL");
    expect(alive(other.pid ?? 0)).toBe(true);
    expect(await readdir(pidDirectory())).toEqual([]);
  });
});
