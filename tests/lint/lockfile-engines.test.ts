// Every package locked in package-lock.json runs on the oldest Node the project supports (package.json
// `engines`): a lock refreshed on a newer Node (an AWS SDK release from January 2027 on, which needs Node 22)
// fails here, naming the package, before CI's Node 20 installs it (docs/runtimes.md).

import { readFileSync } from "node:fs";
import path from "node:path";
import semver from "semver";
import { describe, expect, it } from "vitest";
import { z } from "zod";

const REPO = path.join(__dirname, "..", "..");
const read = (file: string) => JSON.parse(readFileSync(path.join(REPO, file), "utf8")) as unknown;
const manifest = z.object({ engines: z.object({ node: z.string() }) }).parse(read("package.json"));
const lock = z
  .object({
    packages: z.record(
      z.string(),
      z.object({ engines: z.unknown().optional(), optional: z.boolean().optional() }),
    ),
  })
  .parse(read("package-lock.json"));

describe("the locked packages", () => {
  it("each admit the oldest Node of package.json's engines", () => {
    const oldest = semver.minVersion(manifest.engines.node)?.version ?? "";
    expect(oldest).toMatch(/^\d+\.\d+\.\d+$/);
    const refused = Object.entries(lock.packages).flatMap(([name, entry]) => {
      const node = z.object({ node: z.string() }).safeParse(entry.engines);
      return name !== "" && node.success && !semver.satisfies(oldest, node.data.node)
        ? [`${name} needs node ${node.data.node}`]
        : [];
    });
    expect(refused, `locked packages that refuse Node ${oldest}`).toEqual([]);
  });
});
