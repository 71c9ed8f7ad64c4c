// `jobs watch <jobId>`: follows a job, printing each event as it is recorded, until the job reaches a
// terminal state. Exits 0 when it succeeded, 3 when it ended otherwise (so `jobs watch ID && next` works).

import { JobNotFoundError } from "../../jobs/errors";
import { isTerminal } from "../../jobs/state";
import { span } from "../../jobs/timeline";
import type { CommandContext } from "../context";
import { CliError, EXIT_JOB_UNSUCCESSFUL, EXIT_OK } from "../errors";
import { formatDuration, renderTable } from "../format";
import { eventColumns, eventRows } from "../history";

export interface WatchOptions {
  /** Seconds between reads. */
  readonly interval: number;
  /** Give up after this many seconds; 0 waits for ever. */
  readonly timeout: number;
}

export async function watchCommand(
  ctx: CommandContext,
  jobId: string,
  options: WatchOptions,
): Promise<number> {
  const store = ctx.aws.store();
  const started = ctx.io.now().getTime();
  const columns = eventColumns(ctx.paint);
  let shown = 0;
  for (;;) {
    const stored = await store.get(jobId);
    if (stored === undefined) throw new JobNotFoundError(jobId);
    const { state, events } = stored;
    const fresh = events.slice(shown);
    if (fresh.length > 0) {
      if (ctx.json) {
        for (const event of fresh) ctx.io.stdout.write(`${JSON.stringify({ event })}\n`);
      } else {
        const table = renderTable(eventRows(fresh, state.submittedAt), columns, ctx.paint).split("\n");
        // The header once, above the first events.
        ctx.say((shown === 0 ? table : table.slice(1)).filter((line) => line !== "").join("\n"));
      }
      shown = events.length;
    }
    if (isTerminal(state.status)) {
      if (ctx.json) {
        ctx.io.stdout.write(`${JSON.stringify({ job: state })}\n`);
      } else {
        const took = formatDuration(span(state.submittedAt, state.finishedAt));
        ctx.say(
          `job ${jobId} ${ctx.paint.status(state.status)} after ${took}${state.reason && state.status !== "SUCCEEDED" ? `: ${state.reason}` : ""}`,
        );
      }
      return state.status === "SUCCEEDED" ? EXIT_OK : EXIT_JOB_UNSUCCESSFUL;
    }
    const waited = ctx.io.now().getTime() - started;
    if (options.timeout > 0 && waited >= options.timeout * 1000) {
      throw new CliError(
        `job ${jobId} is still ${state.status} after watching for ${formatDuration(waited)}`,
        {
          hint: "watch longer with --timeout, or for ever with --timeout 0",
        },
      );
    }
    await ctx.io.sleep(options.interval * 1000);
  }
}
