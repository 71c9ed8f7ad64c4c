import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
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

  it("stop a worker as the deployed task definition does: 120 s with Spot, whatever workerStopTimeoutSeconds says", () => {
    const root = mkdtempSync(path.join(tmpdir(), "stack-config-"));
    try {
      copyFileSync(path.join(REPO, "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
      const stack = (name: string, capacity: string) =>
        writeFileSync(
          path.join(root, `Pulumi.${name}.yaml`),
          `config:\n  video-jobs:capacity: ${capacity}\n  video-jobs:workerStopTimeoutSeconds: 45\n`,
        );
      stack("spot", "spot");
      stack("fallback", "spot-with-fallback");
      stack("ondemand", "on-demand");
      // local/pipeline.ts gives the local ECS config.worker.stopTimeoutSeconds as the task definition's.
      expect(loadStackConfig(root, "spot").worker.stopTimeoutSeconds).toBe(120);
      expect(loadStackConfig(root, "fallback").worker.stopTimeoutSeconds).toBe(120);
      expect(loadStackConfig(root, "ondemand").worker.stopTimeoutSeconds).toBe(45);
      expect(loadStackConfig(REPO, undefined).worker.stopTimeoutSeconds).toBe(30);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("refuse a stack without a file", () => {
    expect(() => loadStackConfig(REPO, "staging")).toThrow(/--stack staging: no Pulumi.staging.yaml/);
  });
});
