// SIGKILL for local mode's workers, which run detached in a process group of their own (their ffmpeg with
// them): the one way the launcher's forced stop, the memory limit and the clean-up of an earlier run's
// leftovers kill them.

/** SIGKILL to each target (a negative one is a process group), passing over those already gone. */
export function sigkill(...targets: number[]): void {
  for (const target of targets) {
    try {
      process.kill(target, "SIGKILL");
    } catch {
      // Already gone, or (a group) its leader was not one: another target covers it.
    }
  }
}

/** Kills a worker with its process group, and the worker itself should it not lead one. */
export function killWorkerGroup(pid: number): void {
  sigkill(-pid, pid);
}
