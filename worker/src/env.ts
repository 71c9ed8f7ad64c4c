// The worker contract (contracts/README.md, its names in contracts/worker-environment.ts) parsed strictly into a typed job: JOB_ID, JOB_ATTEMPT, INPUT_URL,
// OUTPUT_URL and the optional JOB_PARAMS from the environment (what ECS gives the task), or the same from
// the command line for a developer (`npm run worker -- --input ./clip.mp4 --output ./out/`), where local
// paths are allowed too. Every problem is a ContractError naming the variable or flag at fault: a
// UsageError for the command line and a ParamsError for the params (both bad input, exit 64), a plain
// ContractError for the rest of the environment (the dispatcher set it wrong, exit 70).

import path from "node:path";
import { parseArgs } from "node:util";
import {
  type AnalysisParams,
  AnalysisParamsSchema,
  describeParams,
  paramsProblems,
} from "../../contracts/params-schema";
import { REQUIRED_WORKER_VARIABLES } from "../../contracts/worker-environment";
import { ContractError, ParamsError, UsageError } from "./errors";

export { type AnalysisParams, AnalysisParamsSchema } from "../../contracts/params-schema";

/** Where the video comes from. `file` only from the command line; `http` (not https) likewise. */
export type InputLocation =
  | { readonly kind: "s3"; readonly url: string; readonly bucket: string; readonly key: string }
  | { readonly kind: "http"; readonly url: string }
  | { readonly kind: "file"; readonly url: string; readonly path: string };

/** Where the results go: an S3 prefix ending in "/", or (command line only) a local directory. */
export type OutputLocation =
  | { readonly kind: "s3"; readonly url: string; readonly bucket: string; readonly prefix: string }
  | { readonly kind: "dir"; readonly url: string; readonly path: string };

export interface JobConfig {
  readonly jobId: string;
  readonly attempt: number;
  readonly input: InputLocation;
  readonly output: OutputLocation;
  readonly params: AnalysisParams;
}

const JOB_ID = /^[A-Za-z0-9_-]{1,36}$/;
const ATTEMPT = /^[1-9][0-9]{0,5}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** The contract as ECS delivers it: S3 or HTTPS input, S3 output. */
export function parseWorkerEnv(env: NodeJS.ProcessEnv): JobConfig {
  return {
    jobId: parseJobId("JOB_ID", required(env, "JOB_ID")),
    attempt: parseAttempt("JOB_ATTEMPT", required(env, "JOB_ATTEMPT")),
    input: parseInputUrl("INPUT_URL", required(env, "INPUT_URL"), { local: false }),
    output: parseOutputUrl("OUTPUT_URL", required(env, "OUTPUT_URL"), { local: false }),
    params: parseParams("JOB_PARAMS", env.JOB_PARAMS),
  };
}

export const USAGE = `usage: worker --input <path|s3://bucket/key|https://...> --output <dir/|s3://bucket/prefix/>
              [--job-id <id>] [--attempt <n>] [--params <json>]
       worker --help
Without arguments the worker reads the contract's environment: JOB_ID, JOB_ATTEMPT, INPUT_URL, OUTPUT_URL,
JOB_PARAMS (optional JSON object). Exit codes: 0 done; 64 bad arguments or params; 65 not a processable
video; 66 input not found; 70 internal error; 1 retryable failure; 143 stopped by SIGTERM.
Example: worker --input samples/clip.mp4 --output out/ --params '{"maxThumbnails":10}'`;

/** The usage, then every parameter --params / JOB_PARAMS accepts, from the published schema. */
export function helpText(): string {
  return [USAGE, "", "params (--params / JOB_PARAMS, a JSON object; every key optional):"]
    .concat(describeParams().map((line) => `  ${line}`))
    .join("\n");
}

/** The contract's variables that the dispatcher always sets: none of them set means no job was given. */
const CONTRACT_VARIABLES = REQUIRED_WORKER_VARIABLES;

/** The job the process was started for: the command line when it has arguments, else the environment. */
export function parseJob(argv: readonly string[], env: NodeJS.ProcessEnv, cwd = process.cwd()): JobConfig {
  if (argv.length > 0) return parseCommandLine(argv, cwd);
  if (CONTRACT_VARIABLES.every((name) => env[name] === undefined)) {
    throw new UsageError(
      "arguments",
      "none given: pass --input and --output, or set the contract's environment (JOB_ID, JOB_ATTEMPT, INPUT_URL, OUTPUT_URL)",
    );
  }
  return parseWorkerEnv(env);
}

const COMMAND_LINE_OPTIONS = {
  input: { type: "string" },
  output: { type: "string" },
  "job-id": { type: "string" },
  attempt: { type: "string" },
  params: { type: "string" },
} as const;

/** A developer's command line: the same contract, plus local paths for input and output. */
export function parseCommandLine(argv: readonly string[], cwd = process.cwd()): JobConfig {
  const flag = readFlags(argv);
  const input = flag("input");
  const output = flag("output");
  if (input === undefined) throw new UsageError("--input", "is required");
  if (output === undefined) throw new UsageError("--output", "is required");
  try {
    return {
      jobId: parseJobId("--job-id", flag("job-id") ?? "local"),
      attempt: parseAttempt("--attempt", flag("attempt") ?? "1"),
      input: parseInputUrl("--input", input, { local: true, cwd }),
      output: parseOutputUrl("--output", output, { local: true, cwd }),
      params: parseParams("--params", flag("params")),
    };
  } catch (error) {
    // A flag's value is the developer's input: a usage error (the params keep their own kind).
    if (error instanceof ContractError && !(error instanceof ParamsError)) {
      throw new UsageError(error.variable, error.problem);
    }
    throw error;
  }
}

function readFlags(argv: readonly string[]): (name: keyof typeof COMMAND_LINE_OPTIONS) => string | undefined {
  try {
    const { values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: COMMAND_LINE_OPTIONS,
    });
    return (name) => values[name];
  } catch (error) {
    throw new UsageError("command line", (error as Error).message);
  }
}

/** Where the worker writes its outcome file, as far as the arguments or environment say (best effort). */
export interface OutcomeLocation {
  readonly jobId: string | null;
  readonly attempt: number;
  readonly output: OutputLocation;
}

/**
 * The outcome's location even when the job as a whole does not parse (bad params, a bad INPUT_URL): the
 * output location and attempt on their own. Undefined when they cannot be known.
 */
export function locateOutcome(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd = process.cwd(),
): OutcomeLocation | undefined {
  try {
    if (argv.length > 0) {
      const flag = readFlags(argv);
      const output = flag("output");
      if (output === undefined) return undefined;
      return {
        jobId: optional(() => parseJobId("--job-id", flag("job-id") ?? "local")),
        attempt: parseAttempt("--attempt", flag("attempt") ?? "1"),
        output: parseOutputUrl("--output", output, { local: true, cwd }),
      };
    }
    return {
      jobId: optional(() => parseJobId("JOB_ID", required(env, "JOB_ID"))),
      attempt: parseAttempt("JOB_ATTEMPT", required(env, "JOB_ATTEMPT")),
      output: parseOutputUrl("OUTPUT_URL", required(env, "OUTPUT_URL"), { local: false }),
    };
  } catch {
    return undefined;
  }
}

function optional<T>(parse: () => T): T | null {
  try {
    return parse();
  } catch {
    return null;
  }
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined) throw new ContractError(name, "is not set");
  if (value.trim() === "") throw new ContractError(name, "is empty");
  return value;
}

function parseJobId(name: string, value: string): string {
  if (!JOB_ID.test(value)) {
    throw new ContractError(
      name,
      `must be 1 to 36 characters of [A-Za-z0-9_-], got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function parseAttempt(name: string, value: string): number {
  if (!ATTEMPT.test(value))
    throw new ContractError(name, `must be a positive integer, got ${JSON.stringify(value)}`);
  return Number(value);
}

interface LocationRules {
  readonly local: boolean;
  readonly cwd?: string;
}

export function parseInputUrl(name: string, value: string, rules: LocationRules): InputLocation {
  if (value.startsWith("s3://")) {
    const { bucket, key } = splitS3Url(name, value);
    if (key === "" || key.endsWith("/")) throw new ContractError(name, `names no object: ${value}`);
    return { kind: "s3", url: value, bucket, key };
  }
  if (/^https?:\/\//i.test(value)) {
    const url = parseHttpUrl(name, value);
    if (url.protocol !== "https:" && !rules.local) {
      throw new ContractError(name, `must be s3:// or https://, got ${url.protocol}//`);
    }
    return { kind: "http", url: url.href };
  }
  if (!rules.local || /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new ContractError(name, `must be s3://bucket/key or https://..., got ${JSON.stringify(value)}`);
  }
  const resolved = path.resolve(rules.cwd ?? process.cwd(), value);
  return { kind: "file", url: resolved, path: resolved };
}

export function parseOutputUrl(name: string, value: string, rules: LocationRules): OutputLocation {
  if (value.startsWith("s3://")) {
    const { bucket, key } = splitS3Url(name, value);
    if (key !== "" && !key.endsWith("/")) {
      throw new ContractError(name, `must be a prefix ending in "/", got ${JSON.stringify(value)}`);
    }
    return { kind: "s3", url: value, bucket, prefix: key };
  }
  if (!rules.local || /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new ContractError(name, `must be s3://bucket/prefix/, got ${JSON.stringify(value)}`);
  }
  const resolved = path.resolve(rules.cwd ?? process.cwd(), value);
  return { kind: "dir", url: resolved, path: resolved };
}

/** `s3://bucket/key`: the key is taken verbatim (not URL-decoded), as the AWS CLI does. */
function splitS3Url(name: string, value: string): { bucket: string; key: string } {
  const rest = value.slice("s3://".length);
  const slash = rest.indexOf("/");
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const key = slash === -1 ? "" : rest.slice(slash + 1);
  if (!BUCKET.test(bucket))
    throw new ContractError(name, `has an invalid bucket name ${JSON.stringify(bucket)}`);
  return { bucket, key };
}

function parseHttpUrl(name: string, value: string): URL {
  try {
    return new URL(value);
  } catch {
    throw new ContractError(name, `is not a valid URL: ${JSON.stringify(value)}`);
  }
}

function parseParams(name: string, value: string | undefined): AnalysisParams {
  // An empty value counts as absent: templated task overrides often render a missing value that way.
  if (value === undefined || value.trim() === "") return AnalysisParamsSchema.parse({});
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch (error) {
    throw new ParamsError(name, `is not valid JSON (${(error as Error).message})`);
  }
  const [first, ...others] = paramsProblems(json);
  if (first !== undefined) {
    const more = others.map((p) => `${p.key ?? "params"}: ${p.message}`);
    throw new ParamsError(name, [first.message, ...more].join("; "), first.key);
  }
  return AnalysisParamsSchema.parse(json);
}
