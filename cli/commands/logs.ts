// `jobs logs <jobId> [--attempt N] [-f]`: the worker's log of one attempt (default: the latest that has a
// task), as readable lines (cli/worker-logs.ts): from CloudWatch Logs for a deployed stack, from local
// mode's log files with --local. `-f` keeps reading until the job is finished, moving on to a new attempt
// when the job is retried (unless --attempt pins one).

import type { Command } from "commander";
import { type AttemptTimeline, jobTimeline } from "../../jobs/insights";
import { isTerminal } from "../../jobs/model";
import {
  exitCodes,
  JOB_ID_ARGUMENT,
  positiveInt,
  positiveNumber,
  type Registration,
} from "../command-options";
import type { CommandContext } from "../context";
import { CliError, UsageError } from "../errors";
import { type LogLocation, logLocations, taskId } from "../history";
import { lookUpJob } from "../job-lookup";
import { formatLogLine, type LogLine, type LogSource, logSourceOf } from "../worker-logs";

export interface LogsOptions {
  readonly attempt?: number;
  readonly follow?: boolean;
  /** Seconds between reads with -f. */
  readonly interval: number;
}

export async function logsCommand(ctx: CommandContext, given: string, options: LogsOptions): Promise<number> {
  if (ctx.config.localLogDirectory === undefined && ctx.config.logGroup === undefined) {
    throw new UsageError(
      "no worker log group configured",
      "pass --log-group NAME, set JOBS_LOG_GROUP, or use --stack NAME (its workerLogGroupName output) or --local",
    );
  }
  const first = await lookUpJob(ctx, given);
  const jobId = first.state.jobId;
  let stored = first;
  let current: { attempt: number; source: LogSource } | undefined;

  const pick = (attempts: readonly AttemptTimeline[]): LogLocation | undefined => {
    const locations = logLocations(attempts, ctx.config, false);
    if (options.attempt === undefined) return locations.at(-1);
    return locations.find((l) => l.attempt === options.attempt);
  };
  const print = (attempt: number, lines: readonly LogLine[]) => {
    for (const line of lines) {
      if (ctx.json) ctx.io.stdout.write(`${JSON.stringify({ jobId, attempt, ...line })}\n`);
      else ctx.say(formatLogLine(line, ctx.paint));
    }
  };

  for (;;) {
    const timeline = jobTimeline(stored.events);
    const finished = isTerminal(stored.state.status);
    const location = pick(timeline.attempts);
    if (location === undefined) {
      if (!options.follow || finished) {
        const withTask = logLocations(timeline.attempts, ctx.config, false).map((l) => l.attempt);
        if (options.attempt !== undefined) {
          throw new UsageError(
            `job ${jobId} has no attempt ${options.attempt} with a task`,
            withTask.length > 0 ? `its attempts with a task: ${withTask.join(", ")}` : "it launched no task",
          );
        }
        throw new CliError(
          `job ${jobId} ${finished ? "launched no task" : "has not launched a task yet"} (${stored.state.status}): no logs`,
          finished ? {} : { hint: `wait for them: ${ctx.command("logs", jobId, "-f")}` },
        );
      }
    } else if (current?.attempt !== location.attempt) {
      // A new attempt: the rest of the previous one first.
      if (current !== undefined) print(current.attempt, await current.source.read(true));
      current = { attempt: location.attempt, source: logSourceOf(location, () => ctx.aws.logs()) };
      ctx.note(
        ctx.paint.paint(
          "dim",
          `attempt ${location.attempt}, task ${taskId(location.taskArn)} (${current.source.description})`,
        ),
      );
    }
    if (current !== undefined) print(current.attempt, await current.source.read(finished || !options.follow));
    if (!options.follow || finished) return 0;
    await ctx.io.sleep(options.interval * 1000);
    const next = await ctx.aws.store().get(jobId);
    if (next === undefined) throw new CliError(`job ${jobId} is gone (deleted while following it)`);
    stored = next;
  }
}

/** Declares `logs` on the program: its arguments, options, help and action. */
export function registerLogsCommand(program: Command, { run }: Registration): void {
  program
    .command("logs")
    .description("the worker's log of a job's attempt, as readable lines (CloudWatch Logs, or local files)")
    .argument("<jobId>", JOB_ID_ARGUMENT)
    .option("--attempt <n>", "which attempt (default: the latest that launched a task)", positiveInt)
    .option("-f, --follow", "keep reading until the job is finished (moving on to a retry's attempt)")
    .option("--interval <seconds>", "with -f: seconds between reads", positiveNumber, 2)
    .addHelpText(
      "after",
      `\nDeployed: the stream <JOBS_LOG_STREAM_PREFIX>/<WORKER_CONTAINER_NAME>/<task id> of the worker log group (--log-group, JOBS_LOG_GROUP or --stack).\nLocal mode (--local): the file <task id>.log in local mode's log directory.\n${exitCodes()}`,
    )
    .action((jobId: string, opts, command: Command) => run(command, (ctx) => logsCommand(ctx, jobId, opts)));
}
