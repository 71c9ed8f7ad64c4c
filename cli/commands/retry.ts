// `jobs retry <jobId>`: a new attempt of a FAILED, TIMED_OUT or CANCELLED job, its history kept. The
// decision is the job model's (ManualRetry: RetryScheduled with a fresh attempt budget); the retry message
// `{jobId, attempt}` then goes to the jobs queue, and the dispatcher launches that attempt.

import { SqsRetryQueue } from "../../jobs/aws/sqs-retry-queue";
import { decide } from "../../jobs/decide";
import type { RetryScheduled } from "../../jobs/events";
import { DEFAULT_RETRY_POLICY } from "../../jobs/retry-policy";
import { changeJob } from "../../jobs/store";
import { COMMAND } from "../command-name";
import { required } from "../config";
import { type CommandContext, whoRanIt } from "../context";
import { CliError } from "../errors";
import { shellQuote } from "../history";
import { resolveJobId } from "../job-lookup";

export interface RetryOptions {
  readonly reason?: string;
}

export async function retryCommand(
  ctx: CommandContext,
  given: string,
  options: RetryOptions,
): Promise<number> {
  // Known before anything is recorded: a retry that cannot be sent is not recorded.
  const queueUrl = required(ctx.config, "queueUrl").value;
  const jobId = await resolveJobId(ctx, given);
  const reason = options.reason ?? `retried by hand (${COMMAND} retry, ${whoRanIt(ctx)})`;
  const now = ctx.io.now().toISOString();
  // ManualRetry does not read the policy; the default one stands in for the stack's.
  const change = await changeJob(ctx.aws.store(), jobId, (state) =>
    decide(state, { type: "ManualRetry", now, reason }, DEFAULT_RETRY_POLICY),
  );
  const scheduled = change.events.find((e): e is RetryScheduled => e.type === "RetryScheduled");
  if (scheduled === undefined)
    throw new CliError(`job ${jobId}: the retry decided nothing (status ${change.after.status})`);

  try {
    await new SqsRetryQueue(ctx.aws.sqs(), queueUrl).sendRetry(jobId, scheduled.nextAttempt, 0);
  } catch (error) {
    const body = JSON.stringify({ jobId, attempt: scheduled.nextAttempt });
    throw new CliError(
      `the retry of job ${jobId} (attempt ${scheduled.nextAttempt}) is recorded, but its message could not be sent: ${(error as Error).message}`,
      {
        hint: `send it yourself: aws sqs send-message --queue-url ${shellQuote(queueUrl)} --message-body ${shellQuote(body)}`,
        cause: error,
      },
    );
  }

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
