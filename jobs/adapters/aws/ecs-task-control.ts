// TaskControl on ECS: DescribeTasks (up to 100 ARNs a call), ListTasks by `startedBy` (running and recently
// stopped tasks), and StopTask. Described tasks are read by the same reader as task state change events
// (task-events.ts), so the sweeper applies a missed event exactly as the task-state handler would.

import { DescribeTasksCommand, type ECSClient, ListTasksCommand, type Task } from "@aws-sdk/client-ecs";
import { readTaskDetail, type TaskEventContext } from "../../boundary/task-events";
import type { DescribedTask, TaskControl } from "../../store/ports";
import { stopEcsTask } from "./stop-task";

/** DescribeTasks takes at most 100 tasks a call. */
export const DESCRIBE_TASKS_MAX = 100;

export class EcsTaskControl implements TaskControl {
  constructor(
    private readonly ecs: ECSClient,
    private readonly context: TaskEventContext,
  ) {}

  async describe(taskArns: readonly string[]): Promise<{ tasks: DescribedTask[]; missing: string[] }> {
    const tasks: DescribedTask[] = [];
    const missing: string[] = [];
    for (let start = 0; start < taskArns.length; start += DESCRIBE_TASKS_MAX) {
      const batch = taskArns.slice(start, start + DESCRIBE_TASKS_MAX);
      const response = await this.ecs.send(
        new DescribeTasksCommand({ cluster: this.context.clusterArn, tasks: [...batch] }),
      );
      for (const task of response.tasks ?? []) {
        // A task the pipeline did not launch (run by hand with a job's id) belongs to no job: left out.
        const reading = readTaskDetail(asDetail(task), this.context);
        if (reading.kind === "observation")
          tasks.push({ jobId: reading.jobId, observation: reading.observation });
      }
      for (const failure of response.failures ?? []) {
        if (failure.reason === "MISSING" && failure.arn !== undefined) missing.push(failure.arn);
        else
          throw new Error(
            `DescribeTasks failed for ${failure.arn}: ${failure.reason} ${failure.detail ?? ""}`,
          );
      }
    }
    return { tasks, missing };
  }

  async findByJob(jobId: string): Promise<DescribedTask[]> {
    const arns: string[] = [];
    for (const desiredStatus of ["RUNNING", "STOPPED"] as const) {
      let nextToken: string | undefined;
      do {
        const page = await this.ecs.send(
          new ListTasksCommand({
            cluster: this.context.clusterArn,
            startedBy: jobId,
            desiredStatus,
            nextToken,
          }),
        );
        arns.push(...(page.taskArns ?? []));
        nextToken = page.nextToken;
      } while (nextToken !== undefined);
    }
    if (arns.length === 0) return [];
    return (await this.describe(arns)).tasks;
  }

  stop(taskArn: string, reason: string): Promise<boolean> {
    return stopEcsTask(this.ecs, this.context.clusterArn, taskArn, reason);
  }
}

/** A described task in the shape of an event's detail: the same fields, times as ISO-8601. */
function asDetail(task: Task): Record<string, unknown> {
  const iso = (date: Date | undefined) => date?.toISOString();
  return {
    ...task,
    createdAt: iso(task.createdAt),
    pullStartedAt: iso(task.pullStartedAt),
    pullStoppedAt: iso(task.pullStoppedAt),
    startedAt: iso(task.startedAt),
    stoppingAt: iso(task.stoppingAt),
    executionStoppedAt: iso(task.executionStoppedAt),
    stoppedAt: iso(task.stoppedAt),
  };
}
