// Reads Pulumi.yaml and Pulumi.<stack>.yaml the way the Pulumi CLI does before it runs the program:
// checks stack values against the project's declared types, applies the declared defaults, and turns
// every value into the string the program receives (arrays and objects as JSON). Used where the Pulumi CLI
// is not: local mode (`--stack dev`) and the tests that load the program per stack. Not by the program.

import { readFileSync } from "node:fs";
import * as path from "node:path";
import { load } from "js-yaml";
import { unknownKeyMessage } from "./unknown-keys";

export const REPO_ROOT = path.resolve(__dirname, "..");

export interface ProjectKeyDeclaration {
  readonly type?: unknown;
  readonly description?: unknown;
  readonly default?: unknown;
  readonly items?: unknown;
}

export interface ProjectFile {
  readonly name: string;
  readonly runtime: { readonly name: string; readonly options?: Record<string, unknown> };
  readonly config: Record<string, ProjectKeyDeclaration>;
}

export function readProjectFile(root = REPO_ROOT): ProjectFile {
  return load(readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as ProjectFile;
}

/** The stack file's `config:` block: fully qualified keys (`video-jobs:workerCpu`, `aws:region`). */
export function readStackFile(stack: string, root = REPO_ROOT): Record<string, unknown> {
  const file = load(readFileSync(path.join(root, `Pulumi.${stack}.yaml`), "utf8")) as { config?: object };
  return { ...(file.config ?? {}) };
}

/** Type problems the CLI reports for a stack's values of declared project keys, or undeclared keys. */
export function stackConfigProblems(stack: string, root = REPO_ROOT): string[] {
  const project = readProjectFile(root);
  const problems: string[] = [];
  for (const [qualified, value] of Object.entries(readStackFile(stack, root))) {
    const [namespace, key] = qualified.split(":") as [string, string];
    if (namespace !== project.name) continue;
    const declaration = project.config[key];
    if (declaration === undefined) {
      problems.push(
        `${qualified} is not declared in Pulumi.yaml: it ${unknownKeyMessage(project.name, key, Object.keys(project.config))}`,
      );
    } else if (!hasType(value, declaration.type)) {
      problems.push(`${qualified} must be of type ${String(declaration.type)}, got ${JSON.stringify(value)}`);
    }
  }
  return problems;
}

export function hasType(value: unknown, type: unknown): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "boolean":
      return typeof value === "boolean";
    case "array":
      return Array.isArray(value);
    default:
      return false;
  }
}

/** Every config value the program sees for `stack`, qualified keys to strings, project defaults applied. */
export function programConfig(stack: string, root = REPO_ROOT): Record<string, string> {
  const project = readProjectFile(root);
  const values: Record<string, unknown> = {};
  for (const [key, declaration] of Object.entries(project.config)) {
    if (declaration.default !== undefined) values[`${project.name}:${key}`] = declaration.default;
  }
  Object.assign(values, readStackFile(stack, root));
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) => [
      key,
      typeof value === "string" ? value : JSON.stringify(value),
    ]),
  );
}

/** The project's own keys (namespace stripped), as `config.ts` reads them. */
export function projectRawConfig(stack: string, root = REPO_ROOT): Record<string, string> {
  const prefix = `${readProjectFile(root).name}:`;
  return Object.fromEntries(
    Object.entries(programConfig(stack, root))
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, value]) => [key.slice(prefix.length), value]),
  );
}

/** The keys of a stack's other namespaces, qualified (`aws:region`), as the program is given them. */
export function otherNamespaceConfig(stack: string, root = REPO_ROOT): Record<string, string> {
  const prefix = `${readProjectFile(root).name}:`;
  return Object.fromEntries(
    Object.entries(programConfig(stack, root)).filter(([key]) => !key.startsWith(prefix)),
  );
}
