// The worker's failure vocabulary. Every module throws one of these named errors at its boundary (after
// classifying what the SDK, the network or ffmpeg said); main.ts maps each class to an exit code of the
// contract. An error that is none of these is a bug, and main.ts reports it as an internal error.

/** Base class: `reason` is a short machine-friendly tag for logs (`"no-such-key"`, `"ffprobe-rejected"`). */
export abstract class WorkerError extends Error {
  readonly reason: string;
  constructor(reason: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.reason = reason;
  }
}

/** The contract's environment (or the command line) is missing or malformed; names the variable. */
export class ContractError extends WorkerError {
  readonly variable: string;
  /** What is wrong, without the variable's name. */
  readonly problem: string;
  constructor(variable: string, problem: string, reason = "bad-environment") {
    super(reason, `${variable}: ${problem}`);
    this.variable = variable;
    this.problem = problem;
  }
}

/** The developer's command line is wrong (a missing, unknown or malformed argument): exit 64 with usage. */
export class UsageError extends ContractError {
  constructor(variable: string, problem: string) {
    super(variable, problem, "bad-usage");
  }
}

/**
 * JOB_PARAMS (or --params) is not valid: not JSON, not an object, an unknown key or a value out of range.
 * The job's submitter chose the params, so this is bad input (exit 64), not a deployment fault.
 */
export class ParamsError extends ContractError {
  /** The parameter at fault, when one is. */
  readonly key: string | undefined;
  constructor(variable: string, problem: string, key?: string) {
    super(key === undefined ? variable : `${variable}.${key}`, problem, "bad-params");
    this.key = key;
  }
}

/** The input is not a processable video: not a media file, no video stream, nothing decodable. */
export class InvalidVideoError extends WorkerError {}

/** The input object or URL does not exist (or is not readable by this task). */
export class InputNotFoundError extends WorkerError {}

/** A failure that may well pass on a new attempt: network, throttling, a 5xx, expired credentials. */
export class TransientError extends WorkerError {}

/** A failure of the worker or its deployment (ffmpeg missing, disk full, output bucket refused). */
export class InternalError extends WorkerError {}

/** The worker was told to stop (SIGTERM / SIGINT) and did. */
export class TerminatedError extends WorkerError {
  readonly signal: NodeJS.Signals;
  constructor(signal: NodeJS.Signals) {
    super("terminated", `stopped by ${signal}`);
    this.signal = signal;
  }
}

/** Node's system error codes that mean the network failed on the way, not that the request was wrong. */
const NETWORK_ERROR_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

/** The system error code of `error` or of any error in its cause chain (fetch hides it in `cause`). */
export function systemErrorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === "string") return code;
    current = current.cause;
  }
  return undefined;
}

export function isNetworkError(error: unknown): boolean {
  const code = systemErrorCode(error);
  if (code !== undefined && NETWORK_ERROR_CODES.has(code)) return true;
  return error instanceof Error && (error.name === "TimeoutError" || /socket hang up/i.test(error.message));
}

/** A failure writing the job's local working files: a full disk is the deployment's problem, not the input's. */
export function localFileError(error: unknown, what: string): WorkerError {
  const code = systemErrorCode(error) ?? "unknown";
  const reason = code === "ENOSPC" ? "disk-full" : "local-file";
  return new InternalError(reason, `${what}: ${code} ${(error as Error).message}`, { cause: error });
}
