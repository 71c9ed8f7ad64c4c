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
  // jobs-imports-no-entry-point
  "jobs/uses-handler.ts": 'import { h } from "../handlers/plain";\nexport const j = h;\n',
  "handlers/plain.ts": 'import { rule } from "../jobs/pure";\nexport const h = rule;\n',
  "jobs/pure.ts": "export const rule = 1;\n",
  // ... except the worker's published contracts (its *-schema.ts files), which the job model may read
  "jobs/reads-worker-contract.ts":
    'import { s } from "../worker/src/outcome-schema";\nimport { m } from "../worker/src/main";\nexport const j = [s, m];\n',
  "contracts/outcome-schema.ts": 'import { z } from "zod";\nexport const s = z.string();\n',
  // pure-job-rules-import-no-aws-sdk (an adapter in jobs/aws/ may)
  "jobs/uses-sdk.ts":
    'import { DynamoDBClient } from "@aws-sdk/client-dynamodb";\nexport const c = DynamoDBClient;\n',
  "jobs/aws/adapter.ts":
    'import { DynamoDBClient } from "@aws-sdk/client-dynamodb";\nexport const c = DynamoDBClient;\n',
  // handlers-and-worker-load-no-pulumi: through another module, not only directly
  "handlers/indirect.ts": 'import { p } from "../components/loads-pulumi";\nexport const h = p;\n',
  "components/loads-pulumi.ts": 'import * as pulumi from "@pulumi/pulumi";\nexport const p = pulumi;\n',
  // cli-and-local-mode-load-no-pulumi (config/ is how they share settings)
  "cli/uses-component.ts":
    'import { p } from "../components/loads-pulumi";\nimport { c } from "../config/neutral";\nexport const x = [p, c];\n',
  // worker-stands-alone (its own files, npm packages and node: modules are fine)
  "worker/src/main.ts":
    'import { rule } from "../../jobs/pure";\nimport { own } from "./own";\nimport { z } from "zod";\nimport { readFileSync } from "node:fs";\nexport const w = [rule, own, z, readFileSync];\n',
  "worker/src/own.ts": "export const own = 1;\n",
  // config-is-neutral (the pure job rules are allowed)
  "config/neutral.ts": 'import { rule } from "../jobs/pure";\nexport const c = rule;\n',
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
      { rule: "bootstrap-stands-alone", from: "bootstrap/index.ts" },
      { rule: "cli-and-local-mode-load-no-pulumi", from: "cli/uses-component.ts" },
      { rule: "config-is-neutral", from: "config/uses-cli.ts" },
      { rule: "console-loads-no-pulumi", from: "console/server/indirect.ts" },
      { rule: "console-page-is-browser-code", from: "console/page/uses-server.ts" },
      { rule: "console-reads-through-jobs-and-the-cli-helpers", from: "console/server/uses-command.ts" },
      { rule: "handlers-and-worker-load-no-pulumi", from: "handlers/indirect.ts" },
      { rule: "jobs-imports-no-entry-point", from: "jobs/reads-worker-contract.ts" },
      { rule: "jobs-imports-no-entry-point", from: "jobs/uses-handler.ts" },
      { rule: "no-cycles", from: "local/a.ts" },
      { rule: "pure-job-rules-import-no-aws-sdk", from: "jobs/uses-sdk.ts" },
      { rule: "worker-stands-alone", from: "worker/src/main.ts" },
    ]);
  });

  it("hold in this repository", async () => {
    expect(await cruise(REPO, CRUISED)).toEqual([]);
  });
});
