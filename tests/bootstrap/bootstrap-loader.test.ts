// The bootstrap project loaded the way `pulumi up` in bootstrap/ loads it: Pulumi's own cmd/run with its
// vendored ts-node (the repository's typescript and tsconfig.json), Pulumi.yaml's declared defaults
// handed over as the CLI does, only the engine mocked. Without githubRepository it stops with the fix.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { load } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { disposePulumiHost, type ProgramRun, runLikePulumi } from "../infra/support/pulumi-host";
import { REPO_ROOT } from "../infra/support/stack-config";

const DIR = path.join(REPO_ROOT, "bootstrap");
const projectFile = z
  .object({ name: z.string(), config: z.record(z.string(), z.object({ default: z.unknown().optional() })) })
  .parse(load(readFileSync(path.join(DIR, "Pulumi.yaml"), "utf8")));

/** The declared defaults, as the CLI passes config values: strings, arrays as JSON. */
const defaults = Object.fromEntries(
  Object.entries(projectFile.config)
    .filter(([, declaration]) => declaration.default !== undefined)
    .map(([key, declaration]) => [
      `${projectFile.name}:${key}`,
      typeof declaration.default === "string" ? declaration.default : JSON.stringify(declaration.default),
    ]),
);

let configured: ProgramRun;
let unconfigured: ProgramRun;

let scratch: string;

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), "bootstrap-loader-"));
  // The first run type-checks every file from an empty ts-node cache, as on a fresh machine; the second
  // runs the same sources (the cache holds only files that passed) with other config.
  const common = {
    projectDir: DIR,
    project: projectFile.name,
    stack: "ci",
    preview: false,
    tsNodeCacheDir: path.join(scratch, "ts-node"),
    timeoutMs: 400_000,
  } as const;
  configured = await runLikePulumi({
    ...common,
    config: {
      ...defaults,
      [`${projectFile.name}:githubRepository`]: "acme/video-jobs",
      "aws:region": "us-east-1",
    },
  });
  unconfigured = await runLikePulumi({ ...common, config: { ...defaults, "aws:region": "us-east-1" } });
  console.info(
    `bootstrap loader runs (s): ${configured.seconds.toFixed(1)}, ${unconfigured.seconds.toFixed(1)}`,
  );
}, 600_000);

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  disposePulumiHost();
});

describe("bootstrap/ under Pulumi's loader", () => {
  it("loads, type-checks and runs to completion", () => {
    expect(configured.stderr, configured.stderr).toBe("");
    expect(configured.exitCode).toBe(0);
  });

  it("creates the provider, the preview role and a deploy role per default stack", () => {
    const resources = configured.record?.resources ?? [];
    expect(
      resources
        .map((resource) => resource.type)
        .filter((type) => type.startsWith("aws:"))
        .sort(),
    ).toEqual([
      "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
      "aws:iam/role:Role",
      "aws:iam/role:Role",
      "aws:iam/role:Role",
      "aws:iam/rolePolicy:RolePolicy",
      "aws:iam/rolePolicy:RolePolicy",
      "aws:iam/rolePolicy:RolePolicy",
    ]);
  });

  it("exports the ARNs the GitHub settings take", () => {
    expect(configured.record?.stackOutputs).toMatchObject({
      previewRoleArn: "arn:aws:iam::123456789012:role/video-jobs-ci-preview",
      deployRoleArns: {
        dev: "arn:aws:iam::123456789012:role/video-jobs-ci-deploy-dev",
        prod: "arn:aws:iam::123456789012:role/video-jobs-ci-deploy-prod",
      },
    });
  });

  it("stops without githubRepository, saying how to set it", () => {
    expect(unconfigured.exitCode).not.toBe(0);
    expect(unconfigured.stdout + unconfigured.stderr).toMatch(
      /githubRepository is required: pulumi config set githubRepository <owner>\/<name>/,
    );
  });
});
