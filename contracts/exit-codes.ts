// The worker's exit codes and what the job model reads in each (contracts/README.md). The job model retries
// by exit code: 64-78 (sysexits, the stack's nonRetryableExitCodes by default) fail the job at once, any other
// non-zero code is retried, so a retryable failure uses a code outside that range. Written once here: the
// reference worker exits with these (worker/src/exit-codes.ts), the job's history names them
// (jobs/model/retry-policy.ts).

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

/** The words a job's history gives a non-retryable exit code; any other code of 64-78 reads "bad input". */
export const EXIT_CODE_WORDS: Readonly<Record<number, string>> = {
  [EXIT.invalidVideo]: "input is not a processable video",
  [EXIT.inputNotFound]: "input not found",
  [EXIT.internal]: "worker internal error",
};
