// The whole policy pack over every resource the program registers for the prod stack under Pulumi
// mocks, with prod's policy config (marked production): no violation, and the production rule applied.
// Also, for every stack file: the policy config its previews pass exists and marks it as it should.

import { beforeAll, describe, expect, it } from "vitest";
import { parsePipelineConfig } from "../../config/parse";
import { markedProduction, POLICIES, PRODUCTION_POLICY } from "../../policy/policies";
import { TASK_LAUNCHER_TYPES } from "../../policy/rules/fargate";
import { runPipeline } from "../infra/support/run-pipeline";
import { projectRawConfig, STACKS } from "../infra/support/stack-config";
import { evaluatePack, type PackResource, packResourcesOf } from "./support/evaluate-pack";
import { hasPolicyConfig, readPolicyConfig } from "./support/stack-policy-config";

let resources: PackResource[];

beforeAll(async () => {
  const run = await runPipeline(parsePipelineConfig(projectRawConfig("prod")), { preview: true });
  resources = packResourcesOf(run.resources);
}, 60_000);

describe("the prod stack", () => {
  it("passes every policy of the pack, the production rule included", async () => {
    const result = await evaluatePack(POLICIES, resources, readPolicyConfig("prod"));
    expect(result.violations).toEqual([]);
    expect(result.cannotRun).toEqual([]);
    expect(result.notApplicable).toEqual([]);
    const launchers = resources.filter((resource) => TASK_LAUNCHER_TYPES.includes(resource.type));
    expect(launchers.map((resource) => resource.name)).toContain(
      "video-jobs-test-dispatcher-handler-function",
    );
  });
});

describe.each(STACKS)("Pulumi.%s.yaml", (stack) => {
  it("has the policy config its previews and updates pass (policy/config/<stack>.json)", () => {
    expect(hasPolicyConfig(stack)).toBe(true);
    const config = readPolicyConfig(stack);
    const names = POLICIES.map((policy) => policy.name);
    for (const key of Object.keys(config)) expect(names, `${stack}: ${key}`).toContain(key);
  });

  it("is marked production exactly when it is prod, and a production stack keeps tasks off public IPs", () => {
    const production = markedProduction(readPolicyConfig(stack)[PRODUCTION_POLICY]);
    expect(production).toBe(stack === "prod");
    // default-vpc is the one network mode whose tasks get a public IP (components/network/worker-network.ts).
    if (production) expect(projectRawConfig(stack).network).not.toBe("default-vpc");
  });
});
