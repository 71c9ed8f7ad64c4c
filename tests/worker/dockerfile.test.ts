// No Docker engine runs where the tests do, so the image is checked by reading worker/Dockerfile: the
// properties the deployment relies on. (The bundle it ships is the one worker.test.ts runs.)

import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const DOCKERFILE = path.join(__dirname, "..", "..", "worker", "Dockerfile");

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/** Instructions with continuation lines joined and comments dropped. */
function instructions(text: string): Instruction[] {
  return text
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const [keyword = "", ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(" ") };
    });
}

describe("worker/Dockerfile", () => {
  const all = instructions(readFileSync(DOCKERFILE, "utf8"));
  const stages = all.reduce<Instruction[][]>((list, instruction) => {
    if (instruction.keyword === "FROM") list.push([]);
    list.at(-1)?.push(instruction);
    return list;
  }, []);
  const final = stages.at(-1) ?? [];

  it("is multi-stage, building on the builder's platform so both architectures build without emulation", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[0]?.[0]?.args).toMatch(/^--platform=\$BUILDPLATFORM node:22-[a-z]+-slim AS build$/);
    expect(all.some((i) => i.keyword === "RUN" && i.args.includes("npx tsx worker/build.ts"))).toBe(true);
  });

  it("ships Node 22 slim with Debian's ffmpeg and only the bundle: no node_modules, no dev dependencies", () => {
    expect(final[0]?.args).toMatch(/^node:22-[a-z]+-slim$/);
    const run = final.filter((i) => i.keyword === "RUN").map((i) => i.args);
    expect(run.some((args) => /apt-get install -y --no-install-recommends ffmpeg/.test(args))).toBe(true);
    const copies = final.filter((i) => i.keyword === "COPY").map((i) => i.args);
    expect(copies).toEqual(["--from=build /out/main.js /app/main.js"]);
  });

  it("runs as a non-root user, as a batch container: exec-form ENTRYPOINT, no HEALTHCHECK", () => {
    const user = final.filter((i) => i.keyword === "USER").at(-1)?.args;
    expect(user).toBeDefined();
    expect(["root", "0"]).not.toContain(user);
    expect(final.filter((i) => i.keyword === "ENTRYPOINT").map((i) => i.args)).toEqual([
      '["node", "/app/main.js"]',
    ]);
    expect(all.some((i) => i.keyword === "HEALTHCHECK")).toBe(false);
    expect(all.some((i) => i.keyword === "EXPOSE")).toBe(false);
  });
});
