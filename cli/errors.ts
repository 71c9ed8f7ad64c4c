// How the CLI fails: every error a person can meet becomes a CliError with a message and, where there is
// one, the fix. Exit codes: 1 for an error while doing the work (AWS, an unknown job, a refused transition),
// 2 for a command that cannot be run as given (flags, time windows, missing configuration).

import { ResourceNotFoundException } from "@aws-sdk/client-dynamodb";
import { LocalEndpointsError } from "../config/local-endpoints";
import { InvalidTransitionError, JobError, JobNotFoundError } from "../jobs/errors";
import { AmbiguousJobIdError, JobPrefixNotFoundError } from "../jobs/find-job";
import { commandLine, type Invocation, invocationOf } from "./invocation";

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_USAGE = 2;
/** `jobs watch`: the job ended, without success. */
export const EXIT_JOB_UNSUCCESSFUL = 3;
/** `jobs watch --timeout` (and `submit --watch`, `logs -f`): the time ran out, the job is still active. */
export const EXIT_WATCH_TIMEOUT = 4;

export class CliError extends Error {
  override readonly name: string = "CliError";
  readonly hint: string | undefined;
  readonly exitCode: number;

  constructor(message: string, options: { hint?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? EXIT_ERROR;
  }
}

/** The command as given cannot run: a bad flag value, an invalid time window, missing configuration. */
export class UsageError extends CliError {
  override readonly name = "UsageError";
  constructor(message: string, hint?: string) {
    super(message, { exitCode: EXIT_USAGE, ...(hint === undefined ? {} : { hint }) });
  }
}

/** What the error message may name: where the CLI was looking. */
export interface ErrorContext {
  /** How the user ran the CLI, for the commands a hint names. */
  readonly invocation?: Invocation;
  readonly tableName?: string | undefined;
  readonly tableSource?: string | undefined;
  readonly region?: string | undefined;
  readonly endpoint?: string | undefined;
}

const CREDENTIALS_HINT =
  "set AWS_PROFILE (after `aws sso login` or `aws configure`), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; " +
  "against local mode use --local";

const NETWORK_ERROR = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|socket hang up/;

/** Turns anything thrown while running a command into a CliError a person can act on. */
export function explainError(error: unknown, context: ErrorContext = {}): CliError {
  const run = (...args: string[]) => `\`${commandLine(context.invocation ?? invocationOf({}), ...args)}\``;
  if (error instanceof CliError) return error;
  if (error instanceof LocalEndpointsError) return new UsageError(error.message);
  if (error instanceof JobNotFoundError) {
    const prefix =
      error instanceof JobPrefixNotFoundError
        ? `, nor one submitted in the last ${error.windowDays} days whose id starts with it`
        : "";
    return new CliError(`no job with id "${error.jobId}"${inTable(context)}${prefix}`, {
      hint: `list recent jobs with ${run("list")} (or ${run("list", "--since", "7d")}); an older job needs its whole id; check --table / JOBS_TABLE`,
    });
  }
  if (error instanceof AmbiguousJobIdError) {
    return new CliError(error.message, {
      hint: "give more characters of the id",
    });
  }
  if (error instanceof InvalidTransitionError) {
    return new CliError(error.message, { hint: `see its history with ${run("show", error.jobId)}` });
  }
  if (error instanceof JobError) return new CliError(error.message);
  if (!(error instanceof Error)) return new CliError(`unexpected error: ${String(error)}`);

  const name = error.name;
  const message = error.message;
  // DynamoDB's "Requested resource not found": the table (the CLI reads no other DynamoDB resource).
  if (error instanceof ResourceNotFoundException) {
    return new CliError(
      `table "${context.tableName ?? "?"}" not found${where(context)}${context.tableSource ? ` (from ${context.tableSource})` : ""}`,
      {
        hint: "check --table / JOBS_TABLE / --stack, and the region (--region / AWS_REGION)",
        cause: error,
      },
    );
  }
  if (name === "CredentialsProviderError" || /Could not load credentials/i.test(message)) {
    return new CliError("no AWS credentials found", { hint: CREDENTIALS_HINT, cause: error });
  }
  if (
    [
      "UnrecognizedClientException",
      "InvalidSignatureException",
      "ExpiredTokenException",
      "ExpiredToken",
      "InvalidClientTokenId",
    ].includes(name)
  ) {
    return new CliError(`AWS rejected the credentials (${name}: ${message})`, {
      hint: `${CREDENTIALS_HINT}; refresh expired ones`,
      cause: error,
    });
  }
  if (name === "AccessDeniedException" || name === "AccessDenied") {
    return new CliError(`access denied: ${message}`, {
      hint: "use credentials allowed to read the jobs table (and, for submit/retry/cancel, to send to the queue and stop tasks)",
      cause: error,
    });
  }
  if (/Region is missing/i.test(message)) {
    return new UsageError(
      "no AWS region configured",
      "set AWS_REGION (or AWS_PROFILE with a region), or pass --region",
    );
  }
  if (name === "QueueDoesNotExist" || /NonExistentQueue/.test(name + message)) {
    return new CliError(`jobs queue not found: ${message}`, {
      hint: "check --queue-url / JOBS_QUEUE_URL / --stack",
      cause: error,
    });
  }
  if (name === "ClusterNotFoundException") {
    return new CliError(`ECS cluster not found: ${message}`, {
      hint: "check --cluster / CLUSTER_ARN / JOBS_CLUSTER / --stack",
      cause: error,
    });
  }
  if (name === "NoSuchBucket") {
    return new CliError(`uploads bucket not found: ${message}`, {
      hint: "check --bucket / UPLOADS_BUCKET / --stack",
      cause: error,
    });
  }
  const code = (error as NodeJS.ErrnoException).code ?? "";
  if (NETWORK_ERROR.test(`${code} ${name} ${message}`)) {
    return new CliError(`cannot reach AWS${where(context)}: ${message || code || name}`, {
      hint: context.endpoint
        ? "is local mode running (`npm run local`)? check AWS_ENDPOINT_URL_* and the local endpoints file"
        : "check the network and the region",
      cause: error,
    });
  }
  return new CliError(`${name}: ${message}`, { cause: error });
}

function where(context: ErrorContext): string {
  const parts = [context.region ? `region ${context.region}` : undefined, context.endpoint].filter(Boolean);
  return parts.length > 0 ? ` (${parts.join(", ")})` : "";
}

function inTable(context: ErrorContext): string {
  return context.tableName ? ` in table "${context.tableName}"` : "";
}
