// `npm run local -- --memory-need MiB`: refused before anything starts when it is not a number of MiB, or
// with --docker (whose memory Docker holds, not local mode); documented in --help. What it does to a job —
// the first attempt at 2 GiB runs out of memory, the retry at 4 GiB runs — is shown end to end by the
// console's browser tests (tests/console/console.test.ts), which run local mode with it.

import { describe, expect, it } from "vitest";
import { runLocal } from "../support/run-local";

describe("--memory-need", () => {
  it("is refused unless it is a whole number of MiB", async () => {
    const run = await runLocal("--memory-need", "4G");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--memory-need must be a whole number of MiB (e.g. 4096), got "4G"');
  });

  it("is refused with --docker", async () => {
    const run = await runLocal("--memory-need", "4096", "--docker");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("not with --docker");
  });

  it("is in the help", async () => {
    const run = await runLocal("--help");
    expect(run.stdout).toContain("--memory-need MiB");
  });
});
