// `jobs retry <jobId>`: a new attempt of a FAILED, TIMED_OUT or CANCELLED job, its history kept. The
// decision is the job model's (ManualRetry: RetryScheduled with a fresh attempt budget); the retry message
// `{jobId, attempt}` then goes to the jobs queue, and the dispatcher launches that attempt.

import type { Command } from "commander";
import { SqsRetryQueue } from "../../jobs/adapters/aws/sqs-retry-queue";
import { RetryNotSentError, retryAdvice, retryJob } from "../../jobs/workflows";
import { COMMAND } from "../command-name";
import { exitCodes, JOB_ID_ARGUMENT, type Registration } from "../command-options";
import { required } from "../config";
import { type CommandContext, whoRanIt } from "../context";
import { CliError } from "../errors";
import { shellQuote } from "../history";
import { lookUpJob } from "../job-lookup";

export interface RetryOptions {
  readonly reason?: string;
  /** Retry even when the job's failure says a retry will likely fail again. */
  readonly force?: boolean;
}

export async function retryCommand(
  ctx: CommandContext,
  given: string,
  options: RetryOptions,
): Promise<number> {
  // Known before anything is recorded: a retry that cannot be sent is not recorded.
  const queueUrl = required(ctx.config, "queueUrl").value;
  const known = await lookUpJob(ctx, given);
  const jobId = known.state.jobId;
  const advice = retryAdvice(known, ctx.config.maxWorkerMemoryMb);
  if (advice.refused !== undefined) {
    throw new CliError(advice.refused, {
      hint: `raise it (\`pulumi config set maxWorkerMemoryMb N\`, then deploy; local mode: maxWorkerMemoryMb in Pulumi.yaml or the --stack file, then restart it), then run ${ctx.command("retry", jobId)}`,
    });
  }
  if (advice.warning !== undefined && options.force !== true) {
    throw new CliError(advice.warning, {
      hint: `to retry it anyway: ${ctx.command("retry", jobId, "--force")}`,
    });
  }
  const reason = options.reason ?? `retried by hand (${COMMAND} retry, ${whoRanIt(ctx)})`;
  let outcome: Awaited<ReturnType<typeof retryJob>>;
  try {
    outcome = await retryJob(
      {
        store: ctx.aws.store(),
        retryQueue: new SqsRetryQueue(ctx.aws.sqs(), queueUrl),
        clock: () => ctx.io.now().toISOString(),
      },
      jobId,
      reason,
    );
  } catch (error) {
    if (!(error instanceof RetryNotSentError)) throw error;
    const body = JSON.stringify({ jobId, attempt: error.attempt });
    throw new CliError(error.message, {
      hint: `the sweeper sends an overdue retry's message again within a few minutes; or send it now: aws sqs send-message --queue-url ${shellQuote(queueUrl)} --message-body ${shellQuote(body)}`,
      cause: error,
    });
  }
  const { change, attempt } = outcome;
  const scheduled = { nextAttempt: attempt };

  if (ctx.json) {
    ctx.emit({ jobId, status: change.after.status, attempt: scheduled.nextAttempt, recorded: change.events });
    return 0;
  }
  ctx.say(
    `retry scheduled: job ${ctx.paint.paint("bold", jobId)} was ${ctx.paint.status(change.before.status as "FAILED")}, ` +
      `attempt ${scheduled.nextAttempt} is on its way (history kept: ${change.stored.events.length} events)`,
  );
  ctx.say(ctx.paint.paint("dim", `follow it: ${ctx.command("watch", jobId)}`));
  return 0;
}

/** Declares `retry` on the program: its arguments, options, help and action. */
export function registerRetryCommand(program: Command, { run }: Registration): void {
  program
    .command("retry")
    .description("a new attempt of a FAILED, TIMED_OUT or CANCELLED job, its history kept")
    .argument("<jobId>", JOB_ID_ARGUMENT)
    .option("--reason <text>", "why, recorded in the history")
    .option(
      "--force",
      "retry a job whose failure says a retry will likely fail again (a non-retryable exit code)",
    )
    .addHelpText(
      "after",
      `\nRefused for a job that ran out of memory at the largest size maxWorkerMemoryMb allows (raise it first;\nthe limit is known in local mode, or from MAX_WORKER_MEMORY_MB).\n${exitCodes()}`,
    )
    .action((jobId: string, opts, command: Command) => run(command, (ctx) => retryCommand(ctx, jobId, opts)));
}
