// `--spot-interruptions SHARE[@SECONDS]` and `--spot-unavailable SHARE`: read with clear errors, drawn per
// task as the share says, and refused by `npm run local` before anything starts. (The local ECS refusing Spot
// launches: tests/local/ecs.test.ts.)

import { describe, expect, it } from "vitest";
import {
  interruptionDelayMs,
  parseSpotInterruptions,
  parseSpotUnavailable,
  RANDOM_INTERRUPTION_WITHIN_SECONDS,
} from "../../local/spot-interruptions";
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

  it("accepts good values (help shows the flags)", async () => {
    const result = await runLocal("--spot-interruptions", "0.1@5", "--spot-unavailable", "0.2", "--help");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("--spot-interruptions SHARE[@SECONDS]");
    expect(result.stdout).toContain("--spot-unavailable SHARE");
  });
});
