// The one place that maps the worker's named errors to the contract's exit codes (contracts/exit-codes.ts,
// contracts/README.md): the job model retries by exit code, so each error's code says whether it is retried.

import { EXIT } from "../../contracts/exit-codes";
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

export { EXIT };

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
