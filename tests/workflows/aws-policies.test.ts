// The IAM documents docs/deploying.md has an administrator create for CI (docs/aws/*.json): valid
// policy documents once their placeholders are filled, scoped to one stack's resources, PassRole
// conditioned (checked by the policy pack's own rule), the trust policy pinned to one repository and
// subject, and the preview role read-only.

import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { pipelineName } from "../../components/lib/naming";
import { passRoleProblems, type Statement, statementsOf } from "../../policy/rules/iam";
import { REPO_ROOT, readProjectFile } from "../infra/support/stack-config";

const PLACEHOLDERS: Record<string, string> = {
  ACCOUNT_ID: "123456789012",
  REGION: "us-east-1",
  STACK: "dev",
  OWNER: "acme",
  REPOSITORY: "video-jobs",
  SUBJECT: "environment:dev",
  STATE_BUCKET: "acme-pulumi-state",
  KMS_KEY_ARN: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
};

function template(file: string): string {
  return readFileSync(path.join(REPO_ROOT, "docs", "aws", file), "utf8");
}

/** The document with every placeholder filled, as the docs' commands fill it. */
function filled(file: string): unknown {
  const text = Object.entries(PLACEHOLDERS).reduce(
    (current, [placeholder, value]) => current.replace(new RegExp(`\\b${placeholder}\\b`, "g"), value),
    template(file),
  );
  expect(text, `${file}: a placeholder is left`).not.toMatch(/\b[A-Z][A-Z_]{3,}\b/);
  return JSON.parse(text);
}

function statements(file: string): Statement[] {
  const parsed = statementsOf(filled(file));
  if (typeof parsed === "string") throw new Error(`${file} ${parsed}`);
  return parsed;
}

const wildcard = (action: string) => action.includes("*");

describe("the deploy role's policy (docs/aws/deploy-policy.json)", () => {
  const deploy = statements("deploy-policy.json");
  const stackPrefix = `${pipelineName(readProjectFile().name, "dev")}-`;

  it("is scoped to one stack: service-wide actions only on ARNs named after the stack's resources", () => {
    expect(template("deploy-policy.json")).toContain("video-jobs-STACK-");
    for (const statement of deploy.filter((s) => s.actions.some(wildcard))) {
      expect(statement.resources.length, statement.label).toBeGreaterThan(0);
      for (const resource of statement.resources) {
        expect(resource, statement.label).toMatch(new RegExp(`[:/]${stackPrefix}\\*`));
      }
    }
  });

  it("lists each action it allows on every resource, within the region or the stack's functions", () => {
    for (const statement of deploy.filter((s) => s.resources.includes("*"))) {
      expect(statement.actions.filter(wildcard), statement.label).toEqual([]);
      expect(
        statement.conditionKeys.some((key) => ["aws:requestedregion", "lambda:functionarn"].includes(key)),
        statement.label,
      ).toBe(true);
    }
  });

  it("manages IAM roles with listed actions only, and passes them only to Lambda and ECS tasks", () => {
    const iamActions = deploy.flatMap((statement) => statement.actions.filter((a) => a.startsWith("iam:")));
    expect(iamActions.filter(wildcard)).toEqual([]);
    expect(iamActions).not.toContain("iam:AttachRolePolicy");
    expect(
      passRoleProblems("aws:iam/rolePolicy:RolePolicy", "deploy", { policy: filled("deploy-policy.json") }),
    ).toEqual([]);
    const passRole = deploy.find((statement) => statement.actions.includes("iam:PassRole"));
    expect(passRole?.resources).toEqual([`arn:aws:iam::123456789012:role/${stackPrefix}*`]);
  });
});

describe("the other CI documents", () => {
  it("trust GitHub's OIDC tokens for one repository and one subject only", () => {
    const [trust, ...others] = statements("trust-policy.json");
    expect(others).toEqual([]);
    expect(trust?.actions).toEqual(["sts:AssumeRoleWithWebIdentity"]);
    expect(trust?.condition).toEqual({
      StringEquals: {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": "repo:acme/video-jobs:environment:dev",
      },
    });
  });

  it("give the preview role nothing that writes", () => {
    for (const statement of statements("preview-policy.json")) {
      for (const action of statement.actions)
        expect(action).toMatch(/^(ec2:Describe\w+|ecr:GetAuthorizationToken)$/);
    }
  });

  it("give the state backend access to Pulumi's prefix of its bucket and to its key only", () => {
    const resources = statements("state-backend-policy.json").flatMap((statement) => statement.resources);
    expect(resources).toEqual([
      "arn:aws:s3:::acme-pulumi-state",
      "arn:aws:s3:::acme-pulumi-state/.pulumi/*",
      PLACEHOLDERS.KMS_KEY_ARN,
    ]);
  });
});
