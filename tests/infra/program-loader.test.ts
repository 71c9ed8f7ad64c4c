// The program loaded the way `pulumi preview` and `pulumi up` load it: Pulumi's own cmd/run, which
// registers its vendored ts-node with this project's typescript and tsconfig.json and type-checks every
// file as it is required, once per Pulumi.<stack>.yaml with that stack's config. Only the engine is
// mocked. A change that breaks `pulumi up` at load or type-check time fails here, not only in AWS; the
// small control programs show the harness does report such failures.

import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disposePulumiHost, type ProgramRun, runLikePulumi } from "./support/pulumi-host";
import { programConfig, REPO_ROOT, readProjectFile, readStackFile, STACKS } from "./support/stack-config";

const project = readProjectFile().name;
const runs = new Map<string, ProgramRun>();
let controls: string;

/** A one-file-library program in a scratch project that uses this repository's node_modules. */
function controlProject(
  name: string,
  files: Record<string, string>,
  tsconfig?: (options: object) => object,
): string {
  const dir = path.join(controls, name);
  mkdirSync(path.join(dir, "lib"), { recursive: true });
  symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, main: "index.ts" }));
  cpSync(path.join(REPO_ROOT, "tsconfig.json"), path.join(dir, "tsconfig.json"));
  if (tsconfig !== undefined) {
    const original = JSON.parse(JSON.stringify(require(path.join(REPO_ROOT, "tsconfig.json"))));
    writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify(tsconfig(original)));
  }
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
  return dir;
}

const CONTROLS = {
  "type error in an imported module": {
    files: {
      "index.ts": 'import { workerCpu } from "./lib/sizes";\nexport const cpu = workerCpu;\n',
      "lib/sizes.ts": 'export const workerCpu: number = "1024";\n',
    },
    expected: /error TS2322: Type 'string' is not assignable to type 'number'/,
  },
  "moduleResolution node (TS 6 deprecation)": {
    files: { "index.ts": "export const cpu = 1024;\n" },
    tsconfig: (options: object) => ({
      ...options,
      compilerOptions: {
        ...(options as { compilerOptions: object }).compilerOptions,
        module: "commonjs",
        moduleResolution: "node",
      },
    }),
    expected: /error TS5107/,
  },
  "a .js specifier for a .ts module": {
    files: {
      "index.ts": 'import { workerCpu } from "./lib/sizes.js";\nexport const cpu = workerCpu;\n',
      "lib/sizes.ts": "export const workerCpu = 1024;\n",
    },
    expected: /Cannot find module '\.\/lib\/sizes\.js'/,
  },
} as const;

beforeAll(async () => {
  controls = mkdtempSync(path.join(tmpdir(), "loader-controls-"));
  // The first stack type-checks every file from an empty ts-node cache, as on a fresh machine; the
  // next reuses that cache, which holds only files (by content and compiler options) that passed, so
  // it skips no check the code has not passed: it runs the same sources with its own config.
  const typeChecked = path.join(controls, "ts-node-cache");
  const stackRuns = (async () => {
    for (const stack of STACKS) {
      const run = await runLikePulumi({
        projectDir: REPO_ROOT,
        project,
        stack,
        // Preview for dev (what pull requests run), update for the others.
        preview: stack === "dev",
        config: programConfig(stack),
        tsNodeCacheDir: typeChecked,
      });
      runs.set(stack, run);
    }
  })();
  const controlRuns = Object.entries(CONTROLS).map(async ([name, control]) => {
    const projectDir = controlProject(
      name.replace(/\W+/g, "-"),
      control.files,
      "tsconfig" in control ? control.tsconfig : undefined,
    );
    runs.set(
      name,
      await runLikePulumi({ projectDir, project: "control", stack: "dev", preview: true, config: {} }),
    );
  });
  await Promise.all([stackRuns, ...controlRuns]);
  console.info(
    `loader runs (s): ${[...runs].map(([name, run]) => `${name} ${run.seconds.toFixed(1)}`).join(", ")}`,
  );
}, 240_000);

afterAll(() => {
  rmSync(controls, { recursive: true, force: true });
  disposePulumiHost();
});

const runOf = (name: string): ProgramRun => {
  const run = runs.get(name);
  if (run === undefined) throw new Error(`no run ${name}`);
  return run;
};

const EXPECTED_OUTPUTS = [
  "alarmTopicArn",
  "bucketName",
  "clusterName",
  "dashboardName",
  "deadLetterQueueUrl",
  "dispatcherFunctionName",
  "eventBusName",
  "outcomesDeadLetterQueueUrl",
  "queueUrl",
  "region",
  "tableName",
  "taskDefinitionArn",
  "taskDefinitionFamily",
  "taskStateDeadLetterQueueUrl",
  "taskStateFunctionName",
  "workerImageUri",
  "workerLogGroupName",
];

describe.each(STACKS)("index.ts under Pulumi's loader with Pulumi.%s.yaml", (stack) => {
  it("loads, type-checks and runs to completion", () => {
    const run = runOf(stack);
    expect(run.stderr, run.stderr).toBe("");
    expect(run.exitCode).toBe(0);
    expect(run.record).toBeDefined();
  });

  it("registers the full pipeline under the stack", () => {
    const resources = runOf(stack).record?.resources ?? [];
    const count = (type: string) => resources.filter((resource) => resource.type === type).length;
    expect(count("pulumi:pulumi:Stack")).toBe(1);
    expect(count("video-jobs:index:VideoPipeline")).toBe(1);
    for (const type of [
      "aws:s3/bucket:Bucket",
      "aws:s3/bucketNotification:BucketNotification",
      "aws:ecs/cluster:Cluster",
      "aws:ecs/taskDefinition:TaskDefinition",
      "awsx:ecr:Image",
      "aws:cloudwatch/eventBus:EventBus",
    ]) {
      expect(count(type), type).toBe(1);
    }
    expect(count("aws:dynamodb/table:Table")).toBe(2); // the jobs, and the capacity (slots, launch rate)
    // The task-state tracker's event pattern and the sweeper's schedule.
    expect(count("aws:cloudwatch/eventRule:EventRule")).toBe(2);
    expect(count("aws:cloudwatch/eventTarget:EventTarget")).toBe(2);
    expect(count("aws:sqs/queue:Queue")).toBe(4);
    // dispatcher, task-state, sweeper, outcome publisher
    expect(count("aws:lambda/function:Function")).toBe(4);
    expect(count("aws:lambda/eventSourceMapping:EventSourceMapping")).toBe(2); // jobs queue, table stream
    expect(count("awsx:ec2:Vpc")).toBe(stack === "prod" ? 1 : 0);
    const urns = new Set(resources.map((resource) => resource.urn));
    for (const resource of resources.filter((r) => r.type !== "pulumi:pulumi:Stack")) {
      expect(urns.has(resource.parent), `${resource.name} has a registered parent`).toBe(true);
    }
  });

  it("applies the stack's configuration", () => {
    const resources = runOf(stack).record?.resources ?? [];
    const stackFile = readStackFile(stack);
    const task = resources.find((resource) => resource.type === "aws:ecs/taskDefinition:TaskDefinition");
    expect(task?.inputs.cpu).toBe(String(stackFile[`${project}:workerCpu`]));
    const table = resources.find(
      (resource) => resource.type === "aws:dynamodb/table:Table" && resource.name.endsWith("-jobs-table"),
    );
    expect(table?.protect).toBe(stackFile[`${project}:deletionProtection`]);
    for (const logGroup of resources.filter(
      (resource) => resource.type === "aws:cloudwatch/logGroup:LogGroup",
    )) {
      expect(logGroup.inputs.retentionInDays).toBe(stackFile[`${project}:logRetentionDays`]);
    }
  });

  it("exports the stack outputs", () => {
    const outputs = runOf(stack).record?.stackOutputs ?? {};
    expect(Object.keys(outputs).sort()).toEqual(EXPECTED_OUTPUTS);
    for (const [name, value] of Object.entries(outputs)) {
      expect(typeof value === "string" && value.length > 0, name).toBe(true);
    }
    expect(outputs.region).toBe(readStackFile(stack)["aws:region"]);
    expect(outputs.taskDefinitionFamily).toBe(`${project}-${stack}-worker`);
  });
});

describe.each(STACKS)("the URNs of the %s stack", (stack) => {
  // A URN is made of the stack, the type tokens of the resource and its parents, and the names: never the
  // file a component lives in. Moving files (the rooms of jobs/, components/, local/) must change none;
  // the committed list is the stack as it was before such a move. A new or renamed resource changes it on
  // purpose: review the difference, then rewrite the list with `npx vitest run -u` on this file.
  it("are the committed list", async () => {
    const urns = (runOf(stack).record?.resources ?? []).map((resource) => resource.urn).sort();
    expect(urns.length).toBeGreaterThan(0);
    await expect(`${urns.join("\n")}\n`).toMatchFileSnapshot(`./urns/${stack}.txt`);
  });
});

describe.each(Object.entries(CONTROLS))("a program with a %s", (name, control) => {
  it("fails to load under the same harness", () => {
    const run = runOf(name);
    expect(run.exitCode).not.toBe(0);
    expect(run.stdout + run.stderr).toMatch(control.expected);
  });
});
