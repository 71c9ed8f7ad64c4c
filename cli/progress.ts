// Where a RUNNING job's worker is: the step its log last started (contracts/progress-schema.ts), read from
// the latest attempt's log (local file or CloudWatch Logs). For `show` and `watch`; a log that cannot be
// read leaves the progress unknown, said as such, and never fails the command.

import {
  STEP_ENDED_MESSAGE,
  STEP_STARTED_MESSAGE,
  stepPosition,
  WORKER_STEPS,
  type WorkerStep,
} from "../contracts/progress-schema";
import type { AttemptTimeline } from "../jobs/insights";
import type { JobState } from "../jobs/model";
import type { CommandContext } from "./context";
import { formatDuration } from "./format";
import { logLocations } from "./history";
import { type LogLine, type LogSource, logSourceOf } from "./worker-logs";

export interface WorkerProgress {
  /** The step under way, or the last one done when the worker is between steps. */
  readonly step: WorkerStep;
  readonly stepNumber: number;
  readonly steps: number;
  readonly done: boolean;
  /** When that step started (or ended, when done). */
  readonly since?: string;
}

/** The progress the lines say, read in order; undefined before the first step started. */
export function progressOf(lines: readonly LogLine[]): WorkerProgress | undefined {
  let progress: WorkerProgress | undefined;
  for (const line of lines) {
    if (!line.structured) continue;
    const step = line.fields.step;
    if (typeof step !== "string" || !(WORKER_STEPS as readonly string[]).includes(step)) continue;
    const known = step as WorkerStep;
    const position = stepPosition(known);
    const since = line.time === undefined ? {} : { since: line.time };
    if (line.message === STEP_STARTED_MESSAGE) progress = { step: known, ...position, done: false, ...since };
    else if (line.message === STEP_ENDED_MESSAGE)
      progress = { step: known, ...position, done: true, ...since };
  }
  return progress;
}

export function describeProgress(progress: WorkerProgress | undefined, now: Date): string {
  if (progress === undefined) return "starting (no step logged yet)";
  const ago =
    progress.since === undefined ? "" : ` ${formatDuration(now.getTime() - Date.parse(progress.since))} ago`;
  const what = `step ${progress.stepNumber} of ${progress.steps}, ${progress.step}`;
  return progress.done ? `${what}, done${ago}` : `${what}, started${ago}`;
}

/**
 * Follows the latest attempt's log of a running job: each `read` returns the progress so far (the source
 * reads on from where it stopped), or an error text when the log cannot be read.
 */
export class ProgressReader {
  private current: { attempt: number; source: LogSource; lines: LogLine[] } | undefined;

  constructor(private readonly ctx: CommandContext) {}

  async read(
    state: JobState,
    attempts: readonly AttemptTimeline[],
  ): Promise<{ progress?: WorkerProgress; error?: string } | undefined> {
    if (state.status !== "RUNNING") return undefined;
    if (this.ctx.config.localLogDirectory === undefined && this.ctx.config.logGroup === undefined)
      return undefined; // no log to read: `logs` says how to configure one
    const location = logLocations(attempts, this.ctx.config, true).at(-1);
    if (location === undefined) return undefined;
    if (this.current?.attempt !== location.attempt) {
      this.current = {
        attempt: location.attempt,
        source: logSourceOf(location, () => this.ctx.aws.logs()),
        lines: [],
      };
    }
    try {
      this.current.lines.push(...(await this.current.source.read()));
    } catch (error) {
      return { error: `log not readable: ${(error as Error).message}` };
    }
    const progress = progressOf(this.current.lines);
    return progress === undefined ? {} : { progress };
  }
}
