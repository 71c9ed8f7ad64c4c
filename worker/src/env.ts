// The worker contract (DESIGN.md §5) parsed strictly into a typed job: JOB_ID, JOB_ATTEMPT, INPUT_URL,
// OUTPUT_URL and the optional JOB_PARAMS from the environment (what ECS gives the task), or the same from
// the command line for a developer (`npm run worker -- --input ./clip.mp4 --output ./out/`), where local
// paths are allowed too. Every problem is a ContractError naming the variable or flag at fault.

import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { ContractError } from "./errors";

/** Where the video comes from. `file` only from the command line; `http` (not https) likewise. */
export type InputLocation =
  | { readonly kind: "s3"; readonly url: string; readonly bucket: string; readonly key: string }
  | { readonly kind: "http"; readonly url: string }
  | { readonly kind: "file"; readonly url: string; readonly path: string };

/** Where the results go: an S3 prefix ending in "/", or (command line only) a local directory. */
export type OutputLocation =
  | { readonly kind: "s3"; readonly url: string; readonly bucket: string; readonly prefix: string }
  | { readonly kind: "dir"; readonly url: string; readonly path: string };

/** JOB_PARAMS: tuning of the analysis. Unknown keys are rejected, so a misspelt parameter is not ignored. */
export const AnalysisParamsSchema = z.strictObject({
  /** Scene-change score (0..1) above which a frame starts a new scene; ffmpeg's `select=gt(scene,T)`. */
  sceneThreshold: z.number().gt(0).lt(1).default(0.3),
  /** At most this many scene thumbnails are written (the first scenes'). */
  maxThumbnails: z.int().min(0).max(500).default(50),
  /** Width of the thumbnails and of the frames analysed, in pixels (never upscaled). */
  thumbnailWidth: z.int().min(32).max(1920).default(320),
  /** Contact sheet grid: frames evenly spaced in time, `columns` x `rows` at most. */
  contactSheetColumns: z.int().min(1).max(10).default(4),
  contactSheetRows: z.int().min(1).max(10).default(4),
  /** Black segments: at least this long, pixels darker than `blackPixelThreshold` (0..1 of the range). */
  blackMinSeconds: z.number().gt(0).max(3600).default(1),
  blackPixelThreshold: z.number().gt(0).lt(1).default(0.1),
  /** Frozen segments: at least this long, frame difference below `freezeNoiseDb`. */
  freezeMinSeconds: z.number().gt(0).max(3600).default(2),
  freezeNoiseDb: z.number().min(-100).max(0).default(-60),
  /** Silent segments of the first audio stream: at least this long, below `silenceNoiseDb`. */
  silenceMinSeconds: z.number().gt(0).max(3600).default(2),
  silenceNoiseDb: z.number().min(-100).max(0).default(-50),
});
export type AnalysisParams = z.infer<typeof AnalysisParamsSchema>;

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
Without arguments the worker reads the contract's environment: JOB_ID, JOB_ATTEMPT, INPUT_URL, OUTPUT_URL,
JOB_PARAMS (optional JSON object).`;

/** A developer's command line: the same contract, plus local paths for input and output. */
export function parseCommandLine(argv: readonly string[], cwd = process.cwd()): JobConfig {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        input: { type: "string" },
        output: { type: "string" },
        "job-id": { type: "string" },
        attempt: { type: "string" },
        params: { type: "string" },
      },
    }));
  } catch (error) {
    throw new ContractError("command line", `${(error as Error).message}\n${USAGE}`);
  }
  const flag = (name: string): string | undefined => {
    const value = values[name];
    return typeof value === "string" ? value : undefined;
  };
  const input = flag("input");
  const output = flag("output");
  if (input === undefined) throw new ContractError("--input", `is required\n${USAGE}`);
  if (output === undefined) throw new ContractError("--output", `is required\n${USAGE}`);
  return {
    jobId: parseJobId("--job-id", flag("job-id") ?? "local"),
    attempt: parseAttempt("--attempt", flag("attempt") ?? "1"),
    input: parseInputUrl("--input", input, { local: true, cwd }),
    output: parseOutputUrl("--output", output, { local: true, cwd }),
    params: parseParams("--params", flag("params")),
  };
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
    throw new ContractError(name, `is not valid JSON (${(error as Error).message})`);
  }
  const parsed = AnalysisParamsSchema.safeParse(json);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const where = issue && issue.path.length > 0 ? `.${issue.path.join(".")}` : "";
    throw new ContractError(`${name}${where}`, issue?.message ?? "is invalid");
  }
  return parsed.data;
}
