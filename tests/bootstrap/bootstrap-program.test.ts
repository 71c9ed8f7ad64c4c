// The bootstrap program (bootstrap/index.ts) under Pulumi mocks: GitHub's OIDC provider, the preview role
// trusted from pull requests and one deploy role per stack trusted from that stack's environment, each
// with the generator's document for this account and region; and the CiRoles component's options (an
// existing provider, a self-managed state backend). Its configuration errors name the key and the fix.

import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as mocks from "@pulumi/pulumi/runtime/mocks";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { beforeAll, describe, expect, it } from "vitest";
import { CiRoles } from "../../bootstrap/ci-roles";
import { parseBootstrapConfig } from "../../bootstrap/config";
import { deployPolicy, previewPolicy, stateBackendPolicy, trustPolicy } from "../../bootstrap/policies";
import {
  ACCOUNT_ID,
  installRecordingMocks,
  REGION,
  type RecordedResource,
  type RecordedRun,
} from "../infra/support/pulumi-mocks";
import { REPO_ROOT } from "../infra/support/stack-config";

const PROJECT = "video-jobs-bootstrap";
let run: RecordedRun;

async function waitForRegistrations(): Promise<void> {
  const { waitForRPCs } = settings as unknown as { waitForRPCs: () => Promise<void> };
  await waitForRPCs();
}

beforeAll(async () => {
  run = installRecordingMocks({ pulumi, mocks, rpc }, { project: PROJECT, stack: "ci", preview: false });
  pulumi.runtime.setConfig(`${PROJECT}:githubRepository`, "acme/video-jobs");
  pulumi.runtime.setConfig("aws:region", REGION);
  // Imported once the mocks and config are in place (a static import would run the program first).
  const entryPoint = path.join(REPO_ROOT, "bootstrap", "index.ts");
  await import(entryPoint);
  await waitForRegistrations();
}, 60_000);

const ofType = (type: string) => run.resources.filter((resource) => resource.type === type);
const roleNamed = (name: string): RecordedResource => {
  const role = ofType("aws:iam/role:Role").find((resource) => resource.inputs.name === name);
  if (role === undefined) throw new Error(`no role ${name}`);
  return role;
};
const policiesOf = (role: RecordedResource) =>
  ofType("aws:iam/rolePolicy:RolePolicy")
    .filter((policy) => policy.inputs.role === role.inputs.name)
    .map((policy) => ({ name: policy.inputs.name, document: JSON.parse(String(policy.inputs.policy)) }));

describe("bootstrap/index.ts with the default stacks", () => {
  it("creates GitHub's OIDC provider for the STS audience", () => {
    expect(
      ofType("aws:iam/openIdConnectProvider:OpenIdConnectProvider").map((provider) => provider.inputs),
    ).toEqual([{ url: "https://token.actions.githubusercontent.com", clientIdLists: ["sts.amazonaws.com"] }]);
  });

  it("creates the preview role, trusted from the repository's pull requests, with the preview document", () => {
    const role = roleNamed("video-jobs-ci-preview");
    expect(JSON.parse(String(role.inputs.assumeRolePolicy))).toEqual(
      trustPolicy({ accountId: ACCOUNT_ID, repository: "acme/video-jobs", subject: "pull_request" }),
    );
    expect(policiesOf(role)).toEqual([
      {
        name: "preview",
        document: previewPolicy({ accountId: ACCOUNT_ID, region: REGION, project: "video-jobs" }),
      },
    ]);
  });

  it.each(["dev", "prod"])(
    "creates the %s deploy role, trusted from that environment, with its stack's document",
    (stack) => {
      const role = roleNamed(`video-jobs-ci-deploy-${stack}`);
      expect(JSON.parse(String(role.inputs.assumeRolePolicy))).toEqual(
        trustPolicy({
          accountId: ACCOUNT_ID,
          repository: "acme/video-jobs",
          subject: `environment:${stack}`,
        }),
      );
      expect(policiesOf(role)).toEqual([
        {
          name: "deploy",
          document: deployPolicy({ accountId: ACCOUNT_ID, region: REGION, project: "video-jobs", stack }),
        },
      ]);
    },
  );

  it("lets a session last four hours, longer than an update waiting on a replaced security group", () => {
    for (const role of ofType("aws:iam/role:Role"))
      expect(role.inputs.maxSessionDuration, role.name).toBe(14_400);
  });

  it("creates the roles after the provider their trust names", () => {
    const provider = ofType("aws:iam/openIdConnectProvider:OpenIdConnectProvider")[0];
    for (const role of ofType("aws:iam/role:Role"))
      expect(role.dependencies, role.name).toContain(provider?.urn);
  });

  it("keeps each inline policy within IAM's 10,240 characters for a role's inline policies", () => {
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
    const longest = deployPolicy({
      accountId: ACCOUNT_ID,
      region: "ap-southeast-2",
      project: "video-jobs",
      stack: "staging-eu-west-1",
    });
    expect(JSON.stringify(longest).length).toBeLessThan(10_240);
  });
});

describe("the CiRoles component's options", () => {
  let options: RecordedResource[];
  beforeAll(async () => {
    const before = run.resources.length;
    new CiRoles("other", {
      repository: "acme/clips",
      pipelineProject: "clips",
      stacks: ["staging"],
      accountId: ACCOUNT_ID,
      region: REGION,
      existingOidcProviderArn: `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/token.actions.githubusercontent.com`,
      stateBackend: {
        stateBucket: "acme-pulumi-state",
        kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/k",
      },
    });
    await waitForRegistrations();
    options = run.resources.slice(before);
  });

  it("reuses an existing OIDC provider instead of creating a second one", () => {
    expect(options.filter((resource) => resource.type.includes("openIdConnectProvider"))).toEqual([]);
  });

  it("gives every role the state backend's document too", () => {
    const state = stateBackendPolicy({
      stateBucket: "acme-pulumi-state",
      kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/k",
    });
    const policies = options.filter((resource) => resource.type === "aws:iam/rolePolicy:RolePolicy");
    expect(policies.map((policy) => `${policy.inputs.role} ${policy.inputs.name}`).sort()).toEqual([
      "clips-ci-deploy-staging deploy",
      "clips-ci-deploy-staging state-backend",
      "clips-ci-preview preview",
      "clips-ci-preview state-backend",
    ]);
    for (const policy of policies.filter((p) => p.inputs.name === "state-backend")) {
      expect(JSON.parse(String(policy.inputs.policy))).toEqual(state);
    }
  });
});

describe("the bootstrap configuration", () => {
  const valid = {
    githubRepository: "acme/video-jobs",
    stacks: undefined,
    pipelineProject: undefined,
    existingOidcProviderArn: undefined,
    stateBucket: undefined,
    stateKmsKeyArn: undefined,
  };

  it("defaults to the dev and prod stacks of video-jobs", () => {
    expect(parseBootstrapConfig(valid)).toEqual({
      repository: "acme/video-jobs",
      stacks: ["dev", "prod"],
      pipelineProject: "video-jobs",
    });
  });

  it.each([
    [{ githubRepository: undefined }, /githubRepository is required: pulumi config set githubRepository/],
    [{ githubRepository: "video-jobs" }, /githubRepository must be <owner>\/<name>/],
    [{ stacks: ["Prod"] }, /each of stacks must be a stack name/],
    [
      { existingOidcProviderArn: "arn:aws:iam::1:oidc-provider/x" },
      /existingOidcProviderArn must be the ARN of GitHub's provider/,
    ],
    [{ stateBucket: "acme-pulumi-state" }, /set stateBucket and stateKmsKeyArn together/],
  ])("rejects %j with the key and the fix", (change, message) => {
    expect(() => parseBootstrapConfig({ ...valid, ...change })).toThrow(message);
  });
});
