// The benchmark runner's command line: an unknown benchmark name is a usage error listing the benchmarks,
// refused before any benchmark is loaded (so this test runs none).

import { execFile } from "node:child_process";
import { join } from "node:path";
import { expect, it } from "vitest";
import { PROJECT_ROOT } from "../../config/local-endpoints";

it("refuses an unknown benchmark (exit 2), naming the ones there are", async () => {
  const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [join(PROJECT_ROOT, "node_modules", "tsx", "dist", "cli.mjs"), "bench/run.ts", "lifecycle", "nosuch"],
      { cwd: PROJECT_ROOT, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }),
    );
  });
  expect(result.code).toBe(2);
  expect(result.stdout).toBe("");
  expect(result.stderr).toContain(
    'error: unknown benchmark "nosuch"; the benchmarks are: lifecycle, worker, sweep, burst, capacity, console-page (',
  );
});
