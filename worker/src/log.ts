// Structured logs: one JSON object per line on stdout, every line carrying the job id and attempt, so
// CloudWatch Logs Insights can query them directly, e.g.
//   filter msg = "step" | stats avg(durationMs) by step
//   filter msg = "exit" and exitCode != 0 | fields jobId, attempt, reason, error.message
// `step()` times one step of the job: one line when it starts (so a running job's progress can be read,
// progress-schema.ts) and exactly one when it ends, whether it succeeded or failed.

import {
  STEP_ENDED_MESSAGE,
  STEP_STARTED_MESSAGE,
  stepPosition,
  type WorkerStep,
} from "../../contracts/progress-schema";

export type LogLevel = "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /**
   * Runs `work` as the named step: logs `{msg:"step started", step, stepNumber, steps}` before it and
   * `{msg:"step", step, status, durationMs, ...details}` once after it.
   */
  step<T>(name: WorkerStep, work: () => Promise<T>, details?: (value: T) => LogFields): Promise<T>;
  /** Resolves once everything written so far has been handed to the OS (before process.exit). */
  flush(): Promise<void>;
}

export interface LoggerOptions {
  readonly base: LogFields;
  readonly write?: (line: string) => void;
  readonly now?: () => number;
}

export function createLogger({ base, write = writeStdout, now = Date.now }: LoggerOptions): Logger {
  const emit = (level: LogLevel, msg: string, fields: LogFields = {}): void => {
    write(`${JSON.stringify({ time: new Date(now()).toISOString(), level, msg, ...base, ...fields })}\n`);
  };
  return {
    info: (msg, fields) => emit("info", msg, fields),
    warn: (msg, fields) => emit("warn", msg, fields),
    error: (msg, fields) => emit("error", msg, fields),
    async step(name, work, details) {
      const started = now();
      emit("info", STEP_STARTED_MESSAGE, { step: name, ...stepPosition(name) });
      try {
        const value = await work();
        emit("info", STEP_ENDED_MESSAGE, {
          step: name,
          status: "ok",
          durationMs: now() - started,
          ...details?.(value),
        });
        return value;
      } catch (error) {
        emit("error", STEP_ENDED_MESSAGE, {
          step: name,
          status: "failed",
          durationMs: now() - started,
          error: describe(error),
        });
        throw error;
      }
    },
    flush: () => new Promise((resolve) => process.stdout.write("", () => resolve())),
  };
}

/** An error as log fields: its class, message, the worker's reason tag, and its cause's message. */
export function describe(error: unknown): LogFields {
  if (!(error instanceof Error)) return { name: typeof error, message: String(error) };
  const reason = "reason" in error && typeof error.reason === "string" ? error.reason : undefined;
  const cause = error.cause instanceof Error ? `${error.cause.name}: ${error.cause.message}` : undefined;
  return { name: error.name, message: error.message, reason, cause };
}

function writeStdout(line: string): void {
  process.stdout.write(line);
}
