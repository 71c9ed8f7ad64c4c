// `jobs cancel <jobId>`: the job model's cancel workflow (jobs/workflows/cancel-job.ts): the cancellation is recorded,
// then the job's task is stopped with ECS StopTask (found by `startedBy` while the job is still launching).
// The task-state handler records the task's STOPPED event later without deciding anything else. A task
// ECS no longer knows is already gone; a stop that failed can be tried again with the same command.

import type { Command } from "commander";
import { EcsTaskControl } from "../../jobs/adapters/aws/ecs-task-control";
import { cancelJob, TaskNotStoppedError } from "../../jobs/workflows";
import { COMMAND } from "../command-name";
import { exitCodes, JOB_ID_ARGUMENT, type Registration } from "../command-options";
import { type CommandContext, whoRanIt } from "../context";
import { CliError } from "../errors";
import { clusterOfTask, taskId } from "../history";
import { lookUpJob } from "../job-lookup";

export interface CancelOptions {
  readonly reason?: string;
}

export async function cancelCommand(
  ctx: CommandContext,
  given: string,
  options: CancelOptions,
): Promise<number> {
  // The whole id, or a unique start of a recent one.
  const known = await lookUpJob(ctx, given);
  const jobId = known.state.jobId;
  const reason = options.reason ?? `cancelled by hand (${COMMAND} cancel, ${whoRanIt(ctx)})`;
  const store = ctx.aws.store();
  const cluster =
    ctx.config.cluster?.value ??
    (known.state.taskArn === undefined ? undefined : clusterOfTask(known.state.taskArn));
  const tasks =
    cluster === undefined
      ? undefined
      : new EcsTaskControl(ctx.aws.ecs(), {
          clusterArn: cluster,
          workerContainerName: ctx.config.containerName,
        });
  let outcome: Awaited<ReturnType<typeof cancelJob>>;
  try {
    outcome = await cancelJob(
      { store, clock: () => ctx.io.now().toISOString(), ...(tasks ? { tasks } : {}) },
      jobId,
      reason,
    );
  } catch (error) {
    if (!(error instanceof TaskNotStoppedError)) throw error;
    throw new CliError(error.message, {
      hint: `run the same command again (${ctx.command("cancel", jobId)}): it stops the task of a cancelled job`,
      cause: error,
    });
  }
  const { change, stopped, gone } = outcome;
  const notes: string[] = [];
  if (tasks === undefined && change.before.status === "LAUNCHING") {
    notes.push(
      "the job was launching; no cluster configured (--cluster / CLUSTER_ARN) to look for its task in",
    );
  }
  if (gone.length > 0)
    notes.push(`task ${gone.map(taskId).join(", ")} is already gone (ECS no longer knows it)`);

  if (ctx.json) {
    ctx.emit({
      jobId,
      status: change.after.status,
      stoppedTasks: stopped,
      goneTasks: gone,
      recorded: change.events,
      notes,
    });
    return 0;
  }
  const was =
    change.before.status === "CANCELLED"
      ? "already cancelled"
      : `was ${ctx.paint.status(change.before.status)}`;
  ctx.say(
    `cancelled job ${ctx.paint.paint("bold", jobId)} (${was})` +
      (stopped.length > 0 ? `; stopping task ${stopped.map(taskId).join(", ")}` : "; no task was running"),
  );
  for (const note of notes) ctx.note(ctx.paint.paint("yellow", note));
  return 0;
}

/** Declares `cancel` on the program: its arguments, options, help and action. */
export function registerCancelCommand(program: Command, { run }: Registration): void {
  program
    .command("cancel")
    .description("record the job's cancellation and stop its task (ECS StopTask)")
    .argument("<jobId>", JOB_ID_ARGUMENT)
    .option("--reason <text>", "why, recorded in the history and given to ECS")
    .addHelpText("after", `\n${exitCodes()}`)
    .action((jobId: string, opts, command: Command) =>
      run(command, (ctx) => cancelCommand(ctx, jobId, opts)),
    );
}
