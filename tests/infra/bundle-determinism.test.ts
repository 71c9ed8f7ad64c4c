// Two checkouts of the repository in different folders bundle the Lambda handlers to identical bytes,
// so `pulumi preview` of unchanged code shows no diff wherever it runs (CI, a laptop, another runner).

import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleHandler, type HandlerBundle } from "../../components/lib/bundle";
import { HANDLER_ENTRY_POINTS } from "../../components/lib/handler-entry-points";
import { REPO_ROOT } from "./support/stack-config";

let scratch: string;
let checkouts: string[];

/** Copies the repository's files (tracked and untracked, not ignored) and links its node_modules. */
function checkOut(destination: string): string {
  const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  })
    .split("\0")
    .filter((file) => file !== "");
  for (const file of files) {
    mkdirSync(path.dirname(path.join(destination, file)), { recursive: true });
    cpSync(path.join(REPO_ROOT, file), path.join(destination, file));
  }
  // Hard links: a real node_modules inside the checkout (a symlink would resolve back to this repository).
  try {
    execFileSync("cp", ["-al", path.join(REPO_ROOT, "node_modules"), path.join(destination, "node_modules")]);
  } catch {
    cpSync(path.join(REPO_ROOT, "node_modules"), path.join(destination, "node_modules"), { recursive: true });
  }
  return destination;
}

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), "bundle-determinism-"));
  checkouts = [
    checkOut(path.join(scratch, "a", "video-jobs")),
    checkOut(path.join(scratch, "a-much-longer-folder-name", "nested", "checkout-2")),
  ];
}, 120_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.each(Object.entries(HANDLER_ENTRY_POINTS))("the %s bundle", (_, entryPoint) => {
  it("is byte-identical when built in two checkouts", async () => {
    const [first, second] = checkouts as [string, string];
    const [a, b]: [HandlerBundle, HandlerBundle] = await Promise.all([
      bundleHandler(first, entryPoint),
      bundleHandler(second, entryPoint),
    ]);
    expect(Buffer.from(b.code).equals(Buffer.from(a.code))).toBe(true);
    expect(b.sha256).toBe(a.sha256);
    expect(b.inputs).toEqual(a.inputs);
    for (const folder of [scratch, REPO_ROOT]) expect(a.code.includes(folder)).toBe(false);
    // The AWS SDK is bundled in, not left to the runtime's copy.
    expect(a.inputs.some((input) => input.startsWith("node_modules/@aws-sdk/client-"))).toBe(true);
  }, 60_000);
});
