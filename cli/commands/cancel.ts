// `jobs cancel <jobId>`: records the cancellation (the job model's Cancel: JobCancelled), then stops the
// job's task with ECS StopTask. The task-state handler records the task's STOPPED event later without
// deciding anything else. A job still launching has no task ARN yet: its task is looked up by `startedBy`
// (the job id), as the sweeper does.

import { ListTasksCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import { decide } from "../../jobs/decide";
import { DEFAULT_RETRY_POLICY } from "../../jobs/retry-policy";
import { changeJob } from "../../jobs/store";
import { COMMAND } from "../command-name";
import { type CommandContext, whoRanIt } from "../context";
import { CliError } from "../errors";
import { clusterOfTask, shellQuote, taskId } from "../history";
import { resolveJobId } from "../job-lookup";

/** ECS keeps at most 255 characters of a stop reason. */
const MAX_STOP_REASON = 255;

export interface CancelOptions {
  readonly reason?: string;
}

export async function cancelCommand(
  ctx: CommandContext,
  given: string,
  options: CancelOptions,
): Promise<number> {
  const jobId = await resolveJobId(ctx, given);
  const reason = options.reason ?? `cancelled by hand (${COMMAND} cancel, ${whoRanIt(ctx)})`;
  const now = ctx.io.now().toISOString();
  // Cancel does not read the policy; the default one stands in for the stack's.
  const change = await changeJob(ctx.aws.store(), jobId, (state) =>
    decide(state, { type: "Cancel", now, reason }, DEFAULT_RETRY_POLICY),
  );
  const before = change.before;
  const cluster = ctx.config.cluster?.value;
  const stopReason = `${COMMAND} cancel: ${reason}`.slice(0, MAX_STOP_REASON);
  const stopped: string[] = [];
  const notes: string[] = [];

  let tasks: Array<{ taskArn: string; cluster: string | undefined }> = [];
  try {
    if ((before.status === "LAUNCHED" || before.status === "RUNNING") && before.taskArn !== undefined) {
      tasks = [{ taskArn: before.taskArn, cluster: cluster ?? clusterOfTask(before.taskArn) }];
    } else if (before.status === "LAUNCHING") {
      if (cluster === undefined) {
        notes.push(
          "the job was launching; no cluster configured (--cluster / CLUSTER_ARN) to look for its task in",
        );
      } else {
        const listed = await ctx.aws
          .ecs()
          .send(new ListTasksCommand({ cluster, startedBy: jobId, desiredStatus: "RUNNING" }));
        tasks = (listed.taskArns ?? []).map((taskArn) => ({ taskArn, cluster }));
      }
    }
    for (const task of tasks) {
      await ctx.aws.ecs().send(
        new StopTaskCommand({
          task: task.taskArn,
          reason: stopReason,
          ...(task.cluster ? { cluster: task.cluster } : {}),
        }),
      );
      stopped.push(task.taskArn);
    }
  } catch (error) {
    const pending = tasks.filter((t) => !stopped.includes(t.taskArn));
    const commands = pending
      .map(
        (t) =>
          `aws ecs stop-task${t.cluster ? ` --cluster ${shellQuote(t.cluster)}` : ""} --task ${shellQuote(t.taskArn)}`,
      )
      .join("; ");
    throw new CliError(
      `job ${jobId} is cancelled, but its task could not be stopped: ${(error as Error).message}`,
      { hint: commands ? `stop it yourself: ${commands}` : "check --cluster / CLUSTER_ARN", cause: error },
    );
  }

  if (ctx.json) {
    ctx.emit({ jobId, status: change.after.status, stoppedTasks: stopped, recorded: change.events, notes });
    return 0;
  }
  ctx.say(
    `cancelled job ${ctx.paint.paint("bold", jobId)} (was ${ctx.paint.status(before.status)})` +
      (stopped.length > 0 ? `; stopping task ${stopped.map(taskId).join(", ")}` : "; no task was running"),
  );
  for (const note of notes) ctx.note(ctx.paint.paint("yellow", note));
  return 0;
}
