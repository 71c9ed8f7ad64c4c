// The layer rules of .dependency-cruiser.cjs (run by `npm run lint`) can fail: a tiny tree with one
// deliberate violation of each rule, cruised with the project's own configuration, reports exactly those
// violations, and the allowed imports beside them pass. And the repository itself has none.

import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";

const REPO = path.resolve(__dirname, "..", "..");
const DEPCRUISE = path.join(REPO, "node_modules", "dependency-cruiser", "bin", "dependency-cruise.mjs");
const CONFIG = path.join(REPO, ".dependency-cruiser.cjs");
const CRUISED = [
  "jobs",
  "contracts",
  "handlers",
  "cli",
  "console",
  "local",
  "components",
  "config",
  "worker",
  "bootstrap",
  "index.ts",
  "config.ts",
];

const report = z.object({
  summary: z.object({
    violations: z.array(z.object({ from: z.string(), to: z.string(), rule: z.object({ name: z.string() }) })),
  }),
});

async function cruise(cwd: string, paths: readonly string[]) {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [DEPCRUISE, "--config", CONFIG, "--output-type", "json", ...paths],
    { cwd, maxBuffer: 64 * 1024 * 1024 },
  ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? "" })); // exits non-zero on violations
  return report
    .parse(JSON.parse(stdout))
    .summary.violations.map((v) => ({ rule: v.rule.name, from: v.from }));
}

/** One file per violation, and beside each an import the same rule allows. */
const TREE: Record<string, string> = {
  "tsconfig.json": JSON.stringify({ compilerOptions: { module: "nodenext", moduleResolution: "nodenext" } }),
  // jobs-imports-no-entry-point: no handler, and no worker file (even a schema: those are in contracts/)
  "jobs/workflows/uses-handler.ts": 'import { h } from "../../handlers/plain";\nexport const j = h;\n',
  "jobs/boundary/reads-worker-schema.ts":
    'import { s } from "../../worker/src/own";\nimport { c } from "../../contracts/outcome-schema";\nexport const j = [s, c];\n',
  "handlers/plain.ts": 'import { rule } from "../jobs/model";\nexport const h = rule;\n',
  "jobs/model/index.ts": 'export * from "./pure";\n',
  "jobs/model/pure.ts": "export const rule = 1;\n",
  "contracts/outcome-schema.ts": 'import { z } from "zod";\nexport const s = z.string();\n',
  // model-does-no-io: another room by value is I/O's way in; a type from a port is fine
  "jobs/model/calls-store.ts":
    'import { save } from "../store/store";\nimport type { Port } from "../store/ports";\nexport const m = (p: Port) => [save, p];\n',
  "jobs/store/store.ts": "export const save = () => 1;\n",
  "jobs/store/ports.ts": "export interface Port {\n  call(): void;\n}\n",
  "jobs/store/index.ts": 'export * from "./store";\nexport * from "./ports";\n',
  // only-aws-adapters-use-the-aws-sdk (an adapter in jobs/adapters/aws/ may)
  "jobs/store/uses-sdk.ts":
    'import { DynamoDBClient } from "@aws-sdk/client-dynamodb";\nexport const c = DynamoDBClient;\n',
  "jobs/adapters/aws/adapter.ts":
    'import { DynamoDBClient } from "@aws-sdk/client-dynamodb";\nimport type { Port } from "../../store/ports";\nexport const c = (p: Port) => [DynamoDBClient, p];\n',
  // adapters-depend-on-ports: a workflow may not reach for an adapter, even a memory one, even for a type
  "jobs/workflows/uses-adapter.ts":
    'import type { M } from "../adapters/memory/memory";\nexport const w = (m: M) => m;\n',
  "jobs/adapters/memory/memory.ts": "export interface M {\n  m: number;\n}\n",
  // rooms-point-down: the store calling a workflow (a workflow's type is fine)
  "jobs/store/calls-workflow.ts":
    'import { run } from "../workflows/run";\nimport type { Run } from "../workflows/run";\nexport const s = (r: Run) => [run, r];\n',
  "jobs/workflows/run.ts": "export type Run = () => void;\nexport const run: Run = () => {};\n",
  "jobs/workflows/index.ts": 'export * from "./run";\n',
  // enter-jobs-through-front-doors: a room's file from outside jobs/ (its index.ts, or an adapter's file, is fine)
  "cli/past-the-door.ts":
    'import { save } from "../jobs/store/store";\nimport { run } from "../jobs/workflows";\nimport { c } from "../jobs/adapters/aws/adapter";\nexport const x = [save, run, c];\n',
  // handlers-and-worker-load-no-pulumi: through another module, not only directly
  "handlers/indirect.ts": 'import { p } from "../components/loads-pulumi";\nexport const h = p;\n',
  "components/loads-pulumi.ts": 'import * as pulumi from "@pulumi/pulumi";\nexport const p = pulumi;\n',
  // cli-and-local-mode-load-no-pulumi (config/ is how they share settings)
  "cli/uses-component.ts":
    'import { p } from "../components/loads-pulumi";\nimport { c } from "../config/neutral";\nexport const x = [p, c];\n',
  // worker-stands-alone (its own files, contracts/, npm packages and node: modules are fine)
  "worker/src/main.ts":
    'import { rule } from "../../jobs/model";\nimport { own } from "./own";\nimport { s } from "../../contracts/outcome-schema";\nimport { z } from "zod";\nimport { readFileSync } from "node:fs";\nexport const w = [rule, own, s, z, readFileSync];\n',
  "worker/src/own.ts": "export const own = 1;\n",
  // contracts-stand-alone: a contract is read by both sides, so it imports neither
  "contracts/uses-model.ts": 'import { rule } from "../jobs/model";\nexport const c = rule;\n',
  // config-is-neutral (the job rules are allowed, an adapter is not)
  "config/neutral.ts": 'import { rule } from "../jobs/model";\nexport const c = rule;\n',
  "config/uses-cli.ts": 'import { x } from "../cli/uses-component";\nexport const c = x;\n',
  // bootstrap-stands-alone (its own files, npm packages and node: modules are fine)
  "bootstrap/index.ts":
    'import { c } from "../config/neutral";\nimport { own } from "./policies";\nimport * as pulumi from "@pulumi/pulumi";\nimport { readFileSync } from "node:fs";\nexport const b = [c, own, pulumi, readFileSync];\n',
  "bootstrap/policies.ts": "export const own = 1;\n",
  // console-loads-no-pulumi: through a CLI helper, which the console may import
  "console/server/indirect.ts": 'import { x } from "../../cli/uses-component";\nexport const s = x;\n',
  // console-reads-through-jobs-and-the-cli-helpers (the job model and config/ are allowed)
  "console/server/uses-command.ts":
    'import { l } from "../../cli/commands/list";\nimport { rule } from "../../jobs/pure";\nimport { c } from "../../config/neutral";\nexport const s = [l, rule, c];\n',
  "cli/commands/list.ts": "export const l = 1;\n",
  // console-page-is-browser-code (the server's types, and its own modules, are allowed)
  "console/page/uses-server.ts":
    'import type { T } from "../server/plain";\nimport { s } from "../server/plain";\nimport { own } from "./own";\nexport const p: T = s + own;\n',
  "console/page/own.ts": "export const own = 1;\n",
  "console/server/plain.ts": "export const s = 1;\nexport type T = number;\n",
  "config/uses-adapter.ts": 'import { c } from "../jobs/adapters/aws/adapter";\nexport const a = c;\n',
  // no-cycles
  "local/a.ts": 'import { b } from "./b";\nexport const a = () => b;\n',
  "local/b.ts": 'import { a } from "./a";\nexport const b = () => a;\n',
};

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "layers-"));
  for (const [file, text] of Object.entries(TREE)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"), "dir");
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("layer rules", () => {
  it("each fails on its deliberate violation, and only there", async () => {
    const violations = await cruise(dir, [
      "jobs",
      "contracts",
      "handlers",
      "cli",
      "console",
      "local",
      "components",
      "config",
      "worker",
      "bootstrap",
    ]);
    expect(violations.sort((a, b) => `${a.rule}${a.from}`.localeCompare(`${b.rule}${b.from}`))).toEqual([
      { rule: "adapters-depend-on-ports", from: "jobs/workflows/uses-adapter.ts" },
      { rule: "bootstrap-stands-alone", from: "bootstrap/index.ts" },
      { rule: "cli-and-local-mode-load-no-pulumi", from: "cli/uses-component.ts" },
      { rule: "config-is-neutral", from: "config/uses-adapter.ts" },
      { rule: "config-is-neutral", from: "config/uses-cli.ts" },
      { rule: "console-loads-no-pulumi", from: "console/server/indirect.ts" },
      { rule: "console-page-is-browser-code", from: "console/page/uses-server.ts" },
      { rule: "console-reads-through-jobs-and-the-cli-helpers", from: "console/server/uses-command.ts" },
      { rule: "contracts-stand-alone", from: "contracts/uses-model.ts" },
      { rule: "enter-jobs-through-front-doors", from: "cli/past-the-door.ts" },
      { rule: "handlers-and-worker-load-no-pulumi", from: "handlers/indirect.ts" },
      { rule: "jobs-imports-no-entry-point", from: "jobs/boundary/reads-worker-schema.ts" },
      { rule: "jobs-imports-no-entry-point", from: "jobs/workflows/uses-handler.ts" },
      { rule: "model-does-no-io", from: "jobs/model/calls-store.ts" },
      { rule: "no-cycles", from: "local/a.ts" },
      { rule: "only-aws-adapters-use-the-aws-sdk", from: "jobs/store/uses-sdk.ts" },
      { rule: "rooms-point-down", from: "jobs/store/calls-workflow.ts" },
      { rule: "worker-stands-alone", from: "worker/src/main.ts" },
    ]);
  });

  it("hold in this repository", async () => {
    expect(await cruise(REPO, CRUISED)).toEqual([]);
  });
});
