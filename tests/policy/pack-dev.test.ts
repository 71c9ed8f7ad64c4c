// The whole policy pack over every resource the program registers for the dev stack under Pulumi mocks:
// no violation with dev's policy config; only the production rule fires when dev is checked as
// production (its tasks get a public IP on purpose); and each policy catches a regression of this very
// pipeline, which shows the pack looks at the resources the program really registers.

import { beforeAll, describe, expect, it } from "vitest";
import { parsePipelineConfig } from "../../config/parse";
import { POLICIES, PRODUCTION_POLICY } from "../../policy/policies";
import { runPipeline } from "../infra/support/run-pipeline";
import { projectRawConfig } from "../infra/support/stack-config";
import {
  evaluatePack,
  type PackEvaluation,
  type PackResource,
  packResourcesOf,
} from "./support/evaluate-pack";
import { readPolicyConfig } from "./support/stack-policy-config";

const devPolicyConfig = readPolicyConfig("dev");
let resources: PackResource[];

beforeAll(async () => {
  const run = await runPipeline(parsePipelineConfig(projectRawConfig("dev")));
  resources = packResourcesOf(run.resources);
}, 60_000);

/** Each violation as "<policy> <resource name>". */
function violated(result: PackEvaluation): string[] {
  return result.violations.map((violation) => {
    const resource = resources.find((candidate) => candidate.urn === violation.urn);
    return `${violation.policy} ${resource?.name ?? violation.urn}`;
  });
}

describe("the dev stack", () => {
  it("passes every policy of the pack", async () => {
    const result = await evaluatePack(POLICIES, resources, devPolicyConfig);
    expect(result.violations).toEqual([]);
    expect(result.cannotRun).toEqual([]);
    expect(resources.filter((resource) => resource.type.startsWith("aws:")).length).toBeGreaterThan(25);
  });

  // The publisher launches no task: it is not given ASSIGN_PUBLIC_IP (each Lambda gets only what it reads).
  it("fails only the production rule when checked as production, on every launching Lambda (ASSIGN_PUBLIC_IP=ENABLED)", async () => {
    const result = await evaluatePack(POLICIES, resources, { [PRODUCTION_POLICY]: { production: true } });
    expect(violated(result).sort()).toEqual([
      `${PRODUCTION_POLICY} video-jobs-test-dispatcher-handler-function`,
      `${PRODUCTION_POLICY} video-jobs-test-sweeper-handler-function`,
      `${PRODUCTION_POLICY} video-jobs-test-task-state-handler-function`,
    ]);
  });
});

/** A copy of the resources with one resource's inputs (and outputs) changed by `change`. */
function edited(name: string, change: (props: Record<string, unknown>) => Record<string, unknown>) {
  return (list: readonly PackResource[]): PackResource[] => {
    expect(
      list.filter((resource) => resource.name === name),
      name,
    ).toHaveLength(1);
    return list.map((resource) =>
      resource.name === name
        ? {
            ...resource,
            inputs: change(structuredClone(resource.inputs)),
            outputs: change(structuredClone(resource.outputs)),
          }
        : resource,
    );
  };
}

function without(name: string) {
  return (list: readonly PackResource[]): PackResource[] => {
    expect(
      list.filter((resource) => resource.name === name),
      name,
    ).toHaveLength(1);
    return list.filter((resource) => resource.name !== name);
  };
}

/** A role policy's JSON document with one statement changed. */
function statementEdited(sid: string, change: (statement: Record<string, unknown>) => void) {
  return (props: Record<string, unknown>) => {
    const document = JSON.parse(String(props.policy)) as { Statement: Record<string, unknown>[] };
    const statement = document.Statement.find((candidate) => candidate.Sid === sid);
    expect(statement, sid).toBeDefined();
    if (statement !== undefined) change(statement);
    return { ...props, policy: JSON.stringify(document) };
  };
}

const P = "video-jobs-test";
const REGRESSIONS: [string, (list: readonly PackResource[]) => PackResource[], string[]][] = [
  ["s3-bucket-private", without(`${P}-uploads-public-access-block`), [`${P}-uploads-bucket`]],
  ["s3-bucket-encrypted", without(`${P}-uploads-encryption`), [`${P}-uploads-bucket`]],
  ["s3-bucket-tls-only", without(`${P}-uploads-tls-only`), [`${P}-uploads-bucket`]],
  [
    "sqs-queue-encrypted",
    edited(`${P}-jobs-queue`, (props) => ({ ...props, sqsManagedSseEnabled: false })),
    [`${P}-jobs-queue`],
  ],
  [
    "sqs-queue-dead-letter",
    edited(`${P}-jobs-queue`, ({ redrivePolicy: _dropped, ...props }) => props),
    [`${P}-jobs-dlq`, `${P}-jobs-queue`],
  ],
  [
    "sqs-event-source-batch-item-failures",
    edited(`${P}-dispatcher-queue-source`, ({ functionResponseTypes: _dropped, ...props }) => props),
    [`${P}-dispatcher-queue-source`],
  ],
  [
    "iam-no-wildcard-actions",
    edited(
      `${P}-dispatcher-handler-policy`,
      statementEdited("RunWorkerTask", (statement) => {
        statement.Action = ["ecs:*"];
      }),
    ),
    [`${P}-dispatcher-handler-policy`],
  ],
  [
    "iam-passrole-conditioned",
    edited(
      `${P}-dispatcher-handler-policy`,
      statementEdited("PassWorkerRoles", (statement) => {
        delete statement.Condition;
      }),
    ),
    [`${P}-dispatcher-handler-policy`],
  ],
  [
    "dynamodb-point-in-time-recovery",
    edited(`${P}-jobs-table`, (props) => ({ ...props, pointInTimeRecovery: { enabled: false } })),
    [`${P}-jobs-table`],
  ],
  [
    "log-group-retention",
    edited(`${P}-worker-logs`, ({ retentionInDays: _dropped, ...props }) => props),
    [`${P}-worker-logs`],
  ],
];

describe.each(REGRESSIONS)("%s on the dev pipeline", (policy, regress, names) => {
  it(`reports exactly the regressed resources: ${names.join(", ")}`, async () => {
    const result = await evaluatePack(POLICIES, regress(resources), devPolicyConfig);
    expect(violated(result).sort()).toEqual(names.map((name) => `${policy} ${name}`).sort());
    for (const violation of result.violations) {
      const name = names.find((candidate) => violation.message.includes(`"${candidate}"`));
      expect(name, `the message names the resource: ${violation.message}`).toBeDefined();
      expect(violation.message).toMatch(/ Fix: /);
    }
  });
});

it("has a regression case for every policy but the production one (checked above)", () => {
  expect(REGRESSIONS.map(([policy]) => policy).sort()).toEqual(
    POLICIES.map((policy) => policy.name)
      .filter((name) => name !== PRODUCTION_POLICY)
      .sort(),
  );
});
