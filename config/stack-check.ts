// Checks a stack file a user wrote (Pulumi.<stack>.yaml, any stack, anywhere) offline, as the program
// would read it: every key of the project's namespace must be a setting (a misspelt one is named with
// the setting it most likely meant), and the values must pass the program's own validation. Keys of other
// namespaces (aws:region, another provider's) are theirs and left alone. The jobs CLI's `check` runs it.

import { readFileSync } from "node:fs";
import { load } from "js-yaml";
import { ConfigurationError } from "./errors";
import { parsePipelineConfig } from "./parse";
import { CONFIG_KEYS, PROJECT_NAME } from "./schema";

export interface StackFileCheck {
  readonly file: string;
  /** Every problem, each naming its key (`video-jobs:<key>: ...`); empty: the stack would deploy as written. */
  readonly problems: readonly string[];
  /** The project's keys the file sets. */
  readonly settings: readonly string[];
  /** Keys of other namespaces, not checked here (aws:region). */
  readonly otherNamespaces: readonly string[];
  /** The project's keys holding an encrypted value (`secure:`): only their names were checked. */
  readonly encrypted: readonly string[];
}

/** The file cannot be read as a stack file at all (missing, not YAML, no `config:` mapping). */
export class StackFileError extends Error {
  override readonly name = "StackFileError";
}

export function checkStackFile(file: string): StackFileCheck {
  const config = readConfigBlock(file);
  const raw: Record<string, string> = {};
  const settings: string[] = [];
  const otherNamespaces: string[] = [];
  const others: Record<string, string> = {};
  const encrypted: string[] = [];
  for (const [qualified, value] of Object.entries(config)) {
    const key = projectKeyOf(qualified);
    if (key === undefined) {
      otherNamespaces.push(qualified);
      others[qualified] = typeof value === "string" ? value : JSON.stringify(value);
      continue;
    }
    settings.push(key);
    if (isSecure(value)) {
      // Decrypting needs the stack's secrets provider: a setting's value is taken as unchecked (its default
      // stands in), a key that is no setting is still refused by name.
      encrypted.push(key);
      if (!(CONFIG_KEYS as readonly string[]).includes(key)) raw[key] = "(encrypted)";
    } else {
      raw[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
  }
  return { file, problems: problemsOf(raw, others), settings, otherNamespaces, encrypted };
}

/** `video-jobs:workerCpu` -> `workerCpu`; a key of another namespace -> undefined. */
function projectKeyOf(qualified: string): string | undefined {
  const colon = qualified.indexOf(":");
  // Pulumi reads a key without a namespace as the project's.
  if (colon === -1) return qualified;
  return qualified.slice(0, colon) === PROJECT_NAME ? qualified.slice(colon + 1) : undefined;
}

function problemsOf(raw: Record<string, string>, others: Record<string, string>): readonly string[] {
  try {
    parsePipelineConfig(raw, others);
    return [];
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
}

function isSecure(value: unknown): boolean {
  return typeof value === "object" && value !== null && "secure" in value;
}

function readConfigBlock(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new StackFileError(
      code === "ENOENT" ? `no file ${file}` : `cannot read ${file}: ${(error as Error).message}`,
    );
  }
  let document: unknown;
  try {
    document = load(text);
  } catch (error) {
    throw new StackFileError(`${file} is not YAML: ${(error as Error).message.split("\n")[0]}`);
  }
  if (document === undefined || document === null) return {};
  if (typeof document !== "object" || Array.isArray(document)) {
    throw new StackFileError(`${file} is not a stack file: expected a mapping with a config: block`);
  }
  const config = (document as { config?: unknown }).config;
  if (config === undefined || config === null) return {};
  if (typeof config !== "object" || Array.isArray(config)) {
    throw new StackFileError(`${file}: config: must be a mapping of keys to values`);
  }
  return { ...config };
}
