// The contract's exit codes (DESIGN.md §5), and the one place that maps the worker's named errors to them.
// The job model retries by exit code: 64-78 (sysexits) fail the job at once, anything else non-zero is
// retried, so a retryable failure must use a code outside that range.

import {
  ContractError,
  InputNotFoundError,
  InternalError,
  InvalidVideoError,
  ParamsError,
  TerminatedError,
  TransientError,
  UsageError,
} from "./errors";

export const EXIT = {
  /** Results written. */
  success: 0,
  /** EX_USAGE: a missing, unknown or malformed argument, or params the worker does not accept. Not retried. */
  usage: 64,
  /** EX_DATAERR: the input is not a processable video. Not retried. */
  invalidVideo: 65,
  /** EX_NOINPUT: the input object or URL does not exist (or is not readable by the task). Not retried. */
  inputNotFound: 66,
  /** EX_SOFTWARE: the worker or its deployment failed (bad environment, no ffmpeg, output refused, a bug). */
  internal: 70,
  /** A failure that a new attempt may not meet: network, throttling, a 5xx, credentials. Retried. */
  retryable: 1,
} as const;

export interface ExitOutcome {
  readonly exitCode: number;
  /** A short tag for logs and dashboards. */
  readonly outcome:
    | "succeeded"
    | "bad-usage"
    | "invalid-video"
    | "input-not-found"
    | "internal-error"
    | "retryable"
    | "terminated";
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 2, SIGTERM: 15 };

export function exitFor(error: unknown): ExitOutcome {
  // The submitter's params or the developer's arguments: the same input fails the same way every time.
  if (error instanceof ParamsError || error instanceof UsageError)
    return { exitCode: EXIT.usage, outcome: "bad-usage" };
  if (error instanceof InvalidVideoError) return { exitCode: EXIT.invalidVideo, outcome: "invalid-video" };
  if (error instanceof InputNotFoundError)
    return { exitCode: EXIT.inputNotFound, outcome: "input-not-found" };
  if (error instanceof TransientError) return { exitCode: EXIT.retryable, outcome: "retryable" };
  // Stopped by a signal: the shell convention 128 + signal (143 for SIGTERM); retried like any "other".
  if (error instanceof TerminatedError) {
    return { exitCode: 128 + (SIGNAL_NUMBERS[error.signal] ?? 15), outcome: "terminated" };
  }
  // The environment is set by the dispatcher: if it is wrong, another attempt gets the same wrong one.
  if (error instanceof ContractError) return { exitCode: EXIT.internal, outcome: "internal-error" };
  if (error instanceof InternalError) return { exitCode: EXIT.internal, outcome: "internal-error" };
  // Not one of ours: a bug in the worker, which a retry would meet again.
  return { exitCode: EXIT.internal, outcome: "internal-error" };
}
