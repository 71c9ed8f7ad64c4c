// How the CLI fails: every error a person can meet becomes a CliError with a message and, where there is
// one, the fix. Exit codes: 1 for an error while doing the work (AWS, an unknown job, a refused transition),
// 2 for a command that cannot be run as given (flags, time windows, missing configuration).

import { ResourceNotFoundException } from "@aws-sdk/client-dynamodb";
import { LocalEndpointsError } from "../config/local-endpoints";
import { InvalidTransitionError, JobError, JobNotFoundError } from "../jobs/model";
import { AmbiguousJobIdError, JobPrefixNotFoundError } from "../jobs/store";
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
  /** The jobs table's endpoint (DynamoDB): where a table that was not found was looked for. */
  readonly endpoint?: string | undefined;
  /** Every service's endpoint, to name the one a request that could not get through was sent to. */
  readonly endpoints?: Readonly<Partial<Record<AwsService, string>>> | undefined;
}

/** The AWS services the CLI calls (cli/config.ts names their endpoints). */
export type AwsService = "dynamodb" | "sqs" | "ecs" | "s3" | "logs";

const SERVICE_NAMES: Record<AwsService, string> = {
  dynamodb: "DynamoDB",
  sqs: "SQS",
  ecs: "ECS",
  s3: "S3",
  logs: "CloudWatch Logs",
};

/** Which service each failed request went to, recorded by the clients (cli/aws.ts) as errors pass. */
const failedServices = new WeakMap<object, AwsService>();

/** Notes the service a request failed at, so the message names that service, not whichever came first. */
export function recordFailedService(error: unknown, service: AwsService): void {
  if (typeof error === "object" && error !== null && !failedServices.has(error))
    failedServices.set(error, service);
}

function failedService(error: unknown): AwsService | undefined {
  let current: unknown = error;
  // An upload wraps its client's error at times: look through causes.
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const service = failedServices.get(current);
    if (service !== undefined) return service;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
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
    // Name the endpoint the failed request went to: the S3 of an upload, the SQS of a submit, ... not
    // DynamoDB's whatever failed (a local S3 that went down was reported as the DynamoDB endpoint).
    const service = failedService(error);
    const endpoint = service === undefined ? undefined : context.endpoints?.[service];
    const parts = [context.region ? `region ${context.region}` : undefined, endpoint].filter(Boolean);
    const what = service === undefined ? "AWS" : `${SERVICE_NAMES[service]}`;
    return new CliError(
      `cannot reach ${what}${parts.length > 0 ? ` (${parts.join(", ")})` : ""}: ${message || code || name}`,
      {
        hint:
          endpoint !== undefined || (service === undefined && context.endpoint !== undefined)
            ? "is local mode running (`npm run local`)? check AWS_ENDPOINT_URL_* and the local endpoints file"
            : "check the network and the region",
        cause: error,
      },
    );
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
