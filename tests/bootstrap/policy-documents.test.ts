// docs/aws/*.json are the generator's output (bootstrap/policies.ts with the docs' placeholders), so a
// change to the roles lands in both or fails here. Regenerate with `npm run generate:ci-policies`.

import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { committedDocuments, deployPolicy, previewPolicy, trustPolicy } from "../../bootstrap/policies";
import { REPO_ROOT, readProjectFile } from "../infra/support/stack-config";

const DOCS = path.join(REPO_ROOT, "docs", "aws");
const generated = committedDocuments(readProjectFile().name);

describe("docs/aws", () => {
  it("holds exactly the generated documents", () => {
    expect(readdirSync(DOCS).sort()).toEqual(Object.keys(generated).sort());
  });

  it.each(Object.keys(generated))(
    "%s equals the generator's output (npm run generate:ci-policies)",
    (file) => {
      expect(JSON.parse(readFileSync(path.join(DOCS, file), "utf8"))).toEqual(generated[file]);
    },
  );
});

describe("the generator", () => {
  it("fills a stack's names, region and account into the deploy policy, and nothing else's", () => {
    const text = JSON.stringify(
      deployPolicy({
        accountId: "210987654321",
        region: "eu-west-1",
        project: "video-jobs",
        stack: "staging",
      }),
    );
    expect(text).toContain("arn:aws:sqs:eu-west-1:210987654321:video-jobs-staging-*");
    expect(text).toContain('"aws:RequestedRegion":"eu-west-1"');
    expect(text).not.toMatch(/ACCOUNT_ID|REGION|STACK|video-jobs-dev/);
  });

  it("pins a trust to one repository and subject", () => {
    const [statement] = trustPolicy({
      accountId: "1",
      repository: "acme/video-jobs",
      subject: "pull_request",
    }).Statement;
    expect(statement?.Condition?.StringEquals?.["token.actions.githubusercontent.com:sub"]).toBe(
      "repo:acme/video-jobs:pull_request",
    );
  });

  it("gives the preview role of a project that project's image repositories only", () => {
    const resources = previewPolicy({
      accountId: "1",
      region: "us-east-1",
      project: "clips",
    }).Statement.flatMap((statement) => statement.Resource ?? []);
    expect(resources.filter((resource) => resource !== "*")).toEqual([
      "arn:aws:ecr:us-east-1:1:repository/clips-*",
    ]);
  });
});
