// `jobs watch <jobId>`: follows a job, printing each event as it is recorded, until the job reaches a
// terminal state. Exits 0 when it succeeded, 3 when it ended otherwise (so `jobs watch ID && next` works),
// 4 when --timeout passed first. `followJob` is also what `submit --watch` runs.

import type { Command } from "commander";
import { jobTimeline, span } from "../../jobs/insights";
import { isTerminal } from "../../jobs/model";
import {
  COMMON_EXIT_CODES,
  exitCodes,
  JOB_ID_ARGUMENT,
  nonNegativeNumber,
  positiveNumber,
  type Registration,
} from "../command-options";
import type { CommandContext } from "../context";
import { CliError, EXIT_JOB_UNSUCCESSFUL, EXIT_OK, EXIT_WATCH_TIMEOUT } from "../errors";
import { formatDuration, renderTable, tableWidth } from "../format";
import { eventColumns, eventRows } from "../history";
import { lookUpJob } from "../job-lookup";
import { outputLocation } from "../outputs";
import { describeProgress, ProgressReader } from "../progress";

export interface WatchOptions {
  /** Seconds between reads. */
  readonly interval: number;
  /** Give up after this many seconds; 0 waits for ever. */
  readonly timeout: number;
}

export async function watchCommand(
  ctx: CommandContext,
  given: string,
  options: WatchOptions,
): Promise<number> {
  const jobId = (await lookUpJob(ctx, given)).state.jobId;
  return followJob(ctx, jobId, options);
}

/**
 * Prints the job's events as they are recorded until it is terminal; returns the exit code. In --json mode
 * one object per line: `{jobId, event}` per event, then `{jobId, job, outputs}`.
 */
export async function followJob(
  ctx: CommandContext,
  jobId: string,
  options: WatchOptions,
  /** Just submitted: the job appears when the dispatcher takes the message; wait for it. */
  submitted = false,
): Promise<number> {
  const store = ctx.aws.store();
  const started = ctx.io.now().getTime();
  // Each batch of events is laid out on its own: the time never shrinks to its time of day, so every line
  // of a watch has the same format (the other columns give way).
  const columns = eventColumns(ctx.paint).map((c) => (c.header === "TIME" ? { ...c, shrink: undefined } : c));
  let shown = 0;
  // While it runs, where the worker is (its log), printed when the step changes.
  const progressReader = new ProgressReader(ctx);
  let shownProgress = "";
  for (;;) {
    const stored = await store.get(jobId);
    if (stored === undefined && !(submitted && shown === 0)) {
      throw new CliError(`job ${jobId} is gone (deleted while watching it)`);
    }
    if (stored === undefined) {
      await waitOrGiveUp(
        ctx,
        jobId,
        "not recorded yet (the dispatcher has not taken its message)",
        started,
        options,
      );
      continue;
    }
    const { state, events } = stored;
    const fresh = events.slice(shown);
    if (fresh.length > 0) {
      if (ctx.json) {
        for (const event of fresh) ctx.io.stdout.write(`${JSON.stringify({ jobId, event })}\n`);
      } else {
        const table = renderTable(eventRows(fresh, state.submittedAt), columns, ctx.paint, {
          width: tableWidth(ctx.io.stdout, ctx.wide),
        }).split("\n");
        // The header once, above the first events.
        ctx.say((shown === 0 ? table : table.slice(1)).filter((line) => line !== "").join("\n"));
      }
      shown = events.length;
    }
    const reading = await progressReader.read(state, jobTimeline(events).attempts);
    if (reading?.progress !== undefined) {
      const key = `${reading.progress.step}.${reading.progress.done}`;
      if (key !== shownProgress) {
        shownProgress = key;
        if (ctx.json) ctx.io.stdout.write(`${JSON.stringify({ jobId, progress: reading.progress })}\n`);
        else
          ctx.say(ctx.paint.paint("dim", `  progress: ${describeProgress(reading.progress, ctx.io.now())}`));
      }
    }
    if (isTerminal(state.status)) {
      const outputs = state.status === "SUCCEEDED" ? outputLocation(ctx.config, jobId) : undefined;
      if (ctx.json) {
        ctx.io.stdout.write(`${JSON.stringify({ jobId, job: state, ...(outputs ? { outputs } : {}) })}\n`);
      } else {
        const took = formatDuration(span(state.submittedAt, state.finishedAt));
        ctx.say(
          `job ${jobId} ${ctx.paint.status(state.status)} after ${took}${state.reason && state.status !== "SUCCEEDED" ? `: ${state.reason}` : ""}`,
        );
        if (outputs !== undefined) {
          ctx.say(`outputs: ${outputs.url} (result.json, thumbnails/, contact-sheet.jpg)`);
          ctx.say(
            ctx.paint.paint("dim", `download them: ${ctx.command("outputs", jobId, "--download", jobId)}`),
          );
        } else if (state.status !== "SUCCEEDED") {
          ctx.say(ctx.paint.paint("dim", `its history: ${ctx.command("show", jobId)}`));
        }
      }
      return state.status === "SUCCEEDED" ? EXIT_OK : EXIT_JOB_UNSUCCESSFUL;
    }
    await waitOrGiveUp(ctx, jobId, `still ${state.status}`, started, options);
  }
}

/** Sleeps one interval, or fails with EXIT_WATCH_TIMEOUT once --timeout has passed. */
async function waitOrGiveUp(
  ctx: CommandContext,
  jobId: string,
  what: string,
  started: number,
  options: WatchOptions,
): Promise<void> {
  const waited = ctx.io.now().getTime() - started;
  if (options.timeout > 0 && waited >= options.timeout * 1000) {
    throw new CliError(`job ${jobId} is ${what} after watching for ${formatDuration(waited)}`, {
      hint: `watch longer with --timeout, or until it ends with --timeout 0: ${ctx.command("watch", jobId)}`,
      exitCode: EXIT_WATCH_TIMEOUT,
    });
  }
  await ctx.io.sleep(options.interval * 1000);
}

const WATCH_EXIT_CODES = [
  "0 the job succeeded",
  ...COMMON_EXIT_CODES.slice(1),
  "3 the job ended without success (FAILED, TIMED_OUT, CANCELLED, REJECTED)",
  "4 --timeout passed while the job was still active",
];

/** Declares `watch` on the program: its arguments, options, help and action. */
export function registerWatchCommand(program: Command, { run }: Registration): void {
  program
    .command("watch")
    .description("follow a job, printing its events, until it finishes")
    .argument("<jobId>", JOB_ID_ARGUMENT)
    .option("--interval <seconds>", "seconds between reads", positiveNumber, 5)
    .option("--timeout <seconds>", "give up after this many seconds (0: never)", nonNegativeNumber, 0)
    .addHelpText("after", `\n${exitCodes(WATCH_EXIT_CODES)}`)
    .action((jobId: string, opts, command: Command) => run(command, (ctx) => watchCommand(ctx, jobId, opts)));
}
