// The policy pack loaded the way `pulumi preview --policy-pack policy` loads it: Pulumi's policy-pack
// runner type-checks policy/ with ts-node and this project's typescript and serves the analyzer; this
// test plays the engine over gRPC. It shows the pack loads from its directory (its dependencies resolve
// through the npm workspace), declares the policies and config schema the workflows rely on, and that the
// real analyzer agrees with tests/policy/support/evaluate-pack.ts on configuration, unknown values and
// stack-wide references.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POLICIES, PRODUCTION_POLICY } from "../../policy/policies";
import {
  type AnalyzedResource,
  type AnalyzerHost,
  analyze,
  analyzeStack,
  configure,
  getAnalyzerInfo,
  proto,
  startPolicyPack,
  urnOf,
} from "./support/analyzer-host";
import { POLICY_DIR, readPolicyConfig } from "./support/stack-policy-config";

/** The engine's marker for a string it does not know yet (a preview). */
const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

let host: AnalyzerHost;

beforeAll(async () => {
  host = await startPolicyPack(POLICY_DIR);
  console.info(`policy pack served after ${host.startSeconds.toFixed(1)} s`);
}, 90_000);

afterAll(() => host?.stop());

const dispatcher = (assignPublicIp: string): AnalyzedResource => ({
  type: "aws:lambda/function:Function",
  name: "video-jobs-prod-dispatcher-handler-function",
  properties: {
    runtime: "nodejs22.x",
    loggingConfig: { logFormat: "Text", logGroup: "dispatcher-logs" },
    environment: { variables: { ASSIGN_PUBLIC_IP: assignPublicIp } },
  },
});

describe("the policy pack under Pulumi's policy-pack runner", () => {
  it("loads, type-checks and declares every policy, mandatory, with the production marker's schema", async () => {
    const info = await getAnalyzerInfo(host);
    expect(info.getName()).toBe("video-jobs");
    expect(info.getVersion()).toBe("0.1.0");
    const policies = info.getPoliciesList();
    expect(policies.map((policy) => policy.getName())).toEqual(POLICIES.map((policy) => policy.name));
    for (const policy of policies) {
      expect(policy.getEnforcementlevel(), policy.getName()).toBe(proto.EnforcementLevel.MANDATORY);
    }
    const production = policies.find((policy) => policy.getName() === PRODUCTION_POLICY);
    expect(production?.getConfigschema()?.getProperties()?.toJavaScript()).toEqual({
      production: {
        type: "boolean",
        default: false,
        description: "The stack is production: its Fargate tasks must run without a public IP.",
      },
    });
  });

  it("applies the production rule only with a stack's production config", async () => {
    await configure(host, readPolicyConfig("dev"));
    expect(await analyze(host, dispatcher("ENABLED"))).toEqual([]);

    await configure(host, readPolicyConfig("prod"));
    expect(await analyze(host, dispatcher("DISABLED"))).toEqual([]);
    const [violation, ...others] = await analyze(host, dispatcher("ENABLED"));
    expect(others).toEqual([]);
    expect(violation?.getPolicyname()).toBe(PRODUCTION_POLICY);
    expect(violation?.getEnforcementlevel()).toBe(proto.EnforcementLevel.MANDATORY);
    // The analyzer reports the policy's description, then the message.
    const description = POLICIES.find((policy) => policy.name === PRODUCTION_POLICY)?.description;
    expect(violation?.getMessage()).toMatch(
      new RegExp(
        `^${escapeRegExp(description ?? "")}\nLambda function "video-jobs-prod-dispatcher-handler-function" starts Fargate tasks with a public IP`,
      ),
    );
  });

  it("counts a value unknown in a preview as set where only presence matters, and says when it cannot run", async () => {
    const queue: AnalyzedResource = {
      type: "aws:sqs/queue:Queue",
      name: "jobs",
      properties: { sqsManagedSseEnabled: false, kmsMasterKeyId: UNKNOWN_STRING },
    };
    expect(await analyze(host, queue)).toEqual([]);

    const [diagnostic, ...others] = await analyze(host, {
      type: "aws:iam/rolePolicy:RolePolicy",
      name: "dispatcher-policy",
      properties: { role: "r", policy: UNKNOWN_STRING },
    });
    expect(others.map((other) => other.getPolicyname())).toEqual(["iam-passrole-conditioned"]);
    expect(diagnostic?.getPolicyname()).toBe("iam-no-wildcard-actions");
    expect(diagnostic?.getEnforcementlevel()).toBe(proto.EnforcementLevel.ADVISORY);
    expect(diagnostic?.getMessage()).toMatch(/can't run policy 'iam-no-wildcard-actions'.*during preview/);
  });

  it("relates resources across the stack through the engine's property dependencies", async () => {
    const uploads: AnalyzedResource = {
      type: "aws:s3/bucket:Bucket",
      name: "uploads",
      properties: { bucket: UNKNOWN_STRING },
    };
    const other: AnalyzedResource = {
      type: "aws:s3/bucket:Bucket",
      name: "other",
      properties: { bucket: UNKNOWN_STRING },
    };
    const block: AnalyzedResource = {
      type: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
      name: "uploads-public-access-block",
      properties: {
        bucket: UNKNOWN_STRING,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      propertyDependencies: { bucket: [urnOf(uploads)] },
    };
    const diagnostics = await analyzeStack(host, [uploads, other, block]);
    const privateBuckets = diagnostics.filter(
      (diagnostic) => diagnostic.getPolicyname() === "s3-bucket-private",
    );
    expect(
      privateBuckets.map((diagnostic) => [diagnostic.getUrn(), diagnostic.getEnforcementlevel()]),
    ).toEqual([[urnOf(other), proto.EnforcementLevel.MANDATORY]]);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
