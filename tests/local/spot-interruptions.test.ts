// `--spot-interruptions SHARE[@SECONDS]` and `--spot-unavailable SHARE`: read with clear errors, drawn per
// task as the share says, and refused by `npm run local` before anything starts. (The local ECS refusing Spot
// launches: tests/local/ecs.test.ts.)

import { describe, expect, it } from "vitest";
import {
  interruptionDelayMs,
  MAX_INTERRUPTION_SECONDS,
  parseSpotInterruptions,
  parseSpotUnavailable,
  RANDOM_INTERRUPTION_WITHIN_SECONDS,
  spotInterruptionsProblem,
} from "../../local/aws/spot-interruptions";
import { runLocal } from "../support/run-local";

describe("--spot-interruptions values", () => {
  it("reads a share, and a share with a fixed moment", () => {
    expect(parseSpotInterruptions("0.05")).toEqual({ share: 0.05 });
    expect(parseSpotInterruptions("1")).toEqual({ share: 1 });
    expect(parseSpotInterruptions("0")).toEqual({ share: 0 });
    expect(parseSpotInterruptions(".5@2")).toEqual({ share: 0.5, afterSeconds: 2 });
    expect(parseSpotInterruptions("1@0.25")).toEqual({ share: 1, afterSeconds: 0.25 });
  });

  it("refuses anything else, naming the flag and what it takes", () => {
    for (const bad of ["", "abc", "5%", "-0.1", "0.5@", "0.5@-1", "0.5@2s", "1@2@3", "NaN"]) {
      expect(() => parseSpotInterruptions(bad)).toThrow(
        `--spot-interruptions takes SHARE or SHARE@SECONDS (the share of FARGATE_SPOT tasks interrupted, 0-1, and optionally when: seconds after each starts running; e.g. 0.05 or 1@2), got "${bad}"`,
      );
    }
    expect(() => parseSpotInterruptions("1.5")).toThrow(
      '--spot-interruptions: the share must be between 0 and 1 (e.g. 0.05 for 5%), got "1.5"',
    );
  });

  it("refuses a moment beyond what a timer can wait (2^31-1 ms): it would fire at once", () => {
    expect(MAX_INTERRUPTION_SECONDS).toBe(2_147_483);
    expect(parseSpotInterruptions(`1@${MAX_INTERRUPTION_SECONDS}`)).toEqual({
      share: 1,
      afterSeconds: MAX_INTERRUPTION_SECONDS,
    });
    expect(
      interruptionDelayMs({ share: 1, afterSeconds: MAX_INTERRUPTION_SECONDS }, () => 0),
    ).toBeLessThanOrEqual(2 ** 31 - 1);
    expect(() => parseSpotInterruptions("1@2147483.5")).toThrow(
      '--spot-interruptions: SECONDS must be at most 2147483 (about 24 days, the longest a timer waits), got "1@2147483.5"',
    );
  });

  it("draws a task for an interruption below the share, at the fixed moment or a random one in the window", () => {
    const draws = (...values: number[]) => {
      const queue = [...values];
      return () => queue.shift() ?? Number.NaN;
    };
    expect(interruptionDelayMs({ share: 0.05 }, draws(0.05))).toBeUndefined();
    expect(interruptionDelayMs({ share: 0 }, draws(0))).toBeUndefined();
    expect(interruptionDelayMs({ share: 0.05, afterSeconds: 3 }, draws(0.04))).toBe(3000);
    expect(interruptionDelayMs({ share: 0.05 }, draws(0.04, 0.5))).toBe(
      RANDOM_INTERRUPTION_WITHIN_SECONDS * 500,
    );
    expect(interruptionDelayMs({ share: 1 }, draws(0.999, 0))).toBe(0);
  });
});

describe("--spot-interruptions and the stack's capacity", () => {
  it("is refused on a stack whose tasks all run On-Demand, naming its capacity and how to get Spot", () => {
    expect(spotInterruptionsProblem("on-demand", undefined)).toBe(
      "--spot-interruptions: Pulumi.yaml's defaults have capacity on-demand, so no task runs on FARGATE_SPOT and none could be interrupted; run a stack whose capacity is spot or spot-with-fallback (e.g. --stack dev), or set video-jobs:capacity in a Pulumi.NAME.yaml and pass --stack NAME",
    );
    expect(spotInterruptionsProblem("on-demand", "prod")).toBe(
      "--spot-interruptions: stack prod (Pulumi.prod.yaml) has capacity on-demand, so no task runs on FARGATE_SPOT and none could be interrupted; set video-jobs:capacity to spot or spot-with-fallback in Pulumi.prod.yaml, or use a stack that has it (e.g. --stack dev)",
    );
    expect(spotInterruptionsProblem("on-demand", "dev")).toMatch(/in Pulumi\.dev\.yaml$/);
    expect(spotInterruptionsProblem("on-demand", undefined, "--spot-unavailable")).toMatch(
      /^--spot-unavailable: .* no task runs on FARGATE_SPOT and none could be refused; /,
    );
  });

  it("is accepted where tasks run on Spot", () => {
    expect(spotInterruptionsProblem("spot", undefined)).toBeUndefined();
    expect(spotInterruptionsProblem("spot-with-fallback", "dev")).toBeUndefined();
  });
});

describe("--spot-unavailable values", () => {
  it("reads a share", () => {
    expect(parseSpotUnavailable("0.2")).toBe(0.2);
    expect(parseSpotUnavailable("1")).toBe(1);
    expect(parseSpotUnavailable(".5")).toBe(0.5);
  });

  it("refuses anything else, naming the flag and what it takes", () => {
    for (const bad of ["", "abc", "20%", "-0.1", "0.5@2"]) {
      expect(() => parseSpotUnavailable(bad)).toThrow(
        `--spot-unavailable takes SHARE (the share of FARGATE_SPOT launches refused for lack of capacity, 0-1; e.g. 0.2), got "${bad}"`,
      );
    }
    expect(() => parseSpotUnavailable("2")).toThrow(
      '--spot-unavailable: the share must be between 0 and 1 (e.g. 0.05 for 5%), got "2"',
    );
  });
});

describe("npm run local --spot-interruptions, --spot-unavailable", () => {
  it("refuses a bad value before starting anything (exit 2), saying what it takes", async () => {
    const result = await runLocal("--spot-interruptions", "2");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      '--spot-interruptions: the share must be between 0 and 1 (e.g. 0.05 for 5%), got "2"',
    );
    expect(result.stderr).toContain("Usage: npm run local");
  });

  it("refuses a bad --spot-unavailable the same way", async () => {
    const result = await runLocal("--spot-unavailable", "half");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--spot-unavailable takes SHARE (the share of FARGATE_SPOT launches");
    expect(result.stderr).toContain("Usage: npm run local");
  });

  it("refuses either flag on Pulumi.yaml's defaults (capacity on-demand) before starting anything (exit 2)", async () => {
    const result = await runLocal("--spot-interruptions", "1@0.1");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--spot-interruptions: Pulumi.yaml's defaults have capacity on-demand");
    expect(result.stdout).toBe("");
    const refusals = await runLocal("--spot-unavailable", "0.5");
    expect(refusals.code).toBe(2);
    expect(refusals.stderr).toContain("--spot-unavailable: Pulumi.yaml's defaults have capacity on-demand");
  });

  it("accepts good values (help shows the flags)", async () => {
    const result = await runLocal("--spot-interruptions", "0.1@5", "--spot-unavailable", "0.2", "--help");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("--spot-interruptions SHARE[@SECONDS]");
    expect(result.stdout).toContain("--spot-unavailable SHARE");
  });
});
