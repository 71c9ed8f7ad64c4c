// One local mode per state folder: its DynamoDB files cannot be shared between processes (LevelDB locks
// them, and dynalite reports that only as "Database is closed" on the first request). A lock file holding
// the owner's pid makes a second start fail at once, with what to do; a lock left by a dead process (or one
// killed and not yet reaped) is taken.

import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

export class StateLockedError extends Error {
  override readonly name = "StateLockedError";
}

export function acquireStateLock(stateDirectory: string): () => void {
  try {
    mkdirSync(stateDirectory, { recursive: true });
  } catch (error) {
    throw new StateLockedError(
      `cannot use ${stateDirectory} for local mode's state: ${(error as NodeJS.ErrnoException).code === "EEXIST" ? "it is a file, not a folder" : (error as Error).message}`,
    );
  }
  const file = path.join(stateDirectory, "local-mode.pid");
  try {
    writeFileSync(file, String(process.pid), { flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const owner = Number(readFileSync(file, "utf8").trim());
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
      throw new StateLockedError(
        `local mode is already running from ${stateDirectory} (pid ${owner}): use that one ` +
          `(npm run jobs -- --local ...), or stop it (kill ${owner}) first`,
      );
    }
    writeFileSync(file, String(process.pid));
  }
  return () => rmSync(file, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  return !isZombie(pid);
}

/**
 * A process killed (kill -9) but not yet reaped by its parent still answers signal 0: it is a zombie, and
 * holds nothing. Where /proc exists, its state says so; elsewhere the answer to signal 0 stands.
 */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // "pid (command) S ...": the state is the first field after the command, which may hold spaces.
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return false;
  }
}
