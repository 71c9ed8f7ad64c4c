import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadStackConfig } from "../../local/stack-config";

const REPO = path.join(__dirname, "..", "..");

describe("local mode's settings", () => {
  it("are Pulumi.yaml's defaults without --stack", () => {
    expect(loadStackConfig(REPO, undefined)).toMatchObject({
      jobs: { maxAttempts: 3 },
      dispatcher: { maxConcurrency: 5 },
    });
  });

  it("are the stack's with --stack, as the deployed stack has them", () => {
    expect(loadStackConfig(REPO, "dev")).toMatchObject({
      dispatcher: { maxConcurrency: 2 },
      jobs: { jobRetentionDays: 14 },
    });
  });

  it("refuse a stack without a file", () => {
    expect(() => loadStackConfig(REPO, "staging")).toThrow(/--stack staging: no Pulumi.staging.yaml/);
  });
});
