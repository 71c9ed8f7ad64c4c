// Runs `npm run local` (local/main.ts under tsx) with the given arguments and resolves with how it ended, for
// tests of its flags: what it refuses before starting anything, and its help.

import { execFile } from "node:child_process";
import { join } from "node:path";
import { PROJECT_ROOT } from "../../config/local-endpoints";

export interface LocalRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runLocal(...args: string[]): Promise<LocalRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", join(PROJECT_ROOT, "local", "main.ts"), ...args],
      { cwd: PROJECT_ROOT, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }),
    );
  });
}
