// Why this is tested: as first written, `--spot-interruptions` only reaches tasks placed on
// FARGATE_SPOT, and local mode without `--stack` runs Pulumi.yaml's defaults, capacity on-demand: no task is
// ever on Spot. `npm run local -- --once samples/clip.mp4 --spot-interruptions 1@0.1` (every Spot task, 0.1 s
// in) then runs the job to success with no interruption and no word that the flag could do nothing — a flag
// silently ignored, where the house rule is that bad input gets a clear error.
// Expected: given the default stack (capacity on-demand), when local mode is started with
// --spot-interruptions, then it either refuses the flag or warns, naming the stack's capacity.

import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, expect, it } from "vitest";

const REPO = path.join(__dirname, "..", "..");
let state: string | undefined;

afterAll(async () => {
  if (state) await rm(state, { recursive: true, force: true });
});

it("--spot-interruptions on a stack that runs no Spot task says so", async () => {
  await mkdir(path.join(REPO, "dist"), { recursive: true });
  state = await mkdtemp(path.join(REPO, "dist", "local-spot-flag-"));
  const run = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "local/main.ts",
      "--once",
      "samples/clip.mp4",
      "--spot-interruptions",
      "1@0.1",
      "--state",
      state,
    ],
    { cwd: REPO, encoding: "utf8", timeout: 150_000 },
  );
  const output = `${run.stdout}\n${run.stderr}`;
  // On current code: exit 0, the job SUCCEEDED On-Demand, and neither "capacity" nor an interruption anywhere.
  expect(output).toMatch(/capacity|SpotInterruption/i);
}, 180_000);
