// Typed errors of the job model and its store. Callers tell them apart with `instanceof`; each message says
// what is wrong in words a user of the CLI or a reader of the logs can act on.

export class JobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class JobNotFoundError extends JobError {
  constructor(readonly jobId: string) {
    super(`no job with id "${jobId}"`);
  }
}

/** A command that the job's current status does not allow (e.g. cancelling a finished job). */
export class InvalidTransitionError extends JobError {
  constructor(
    readonly jobId: string,
    readonly status: string,
    readonly command: string,
    hint: string,
  ) {
    super(`cannot ${command} job "${jobId}": it is ${status}; ${hint}`);
  }
}

/** A message reused a job id for a different input. */
export class JobIdConflictError extends JobError {
  constructor(readonly jobId: string) {
    super(`job id "${jobId}" is already used by a job with a different input`);
  }
}

/** Another writer changed the job between our read and our write. */
export class ConcurrencyConflictError extends JobError {
  constructor(
    readonly jobId: string,
    readonly expectedVersion: number,
  ) {
    super(`job "${jobId}" changed concurrently (expected version ${expectedVersion})`);
  }
}

/** Conflicts kept happening: the job is too contended, or something keeps rewriting it. */
export class TooManyConflictsError extends JobError {
  constructor(
    readonly jobId: string,
    readonly tries: number,
  ) {
    super(`job "${jobId}" still conflicted after ${tries} tries`);
  }
}
