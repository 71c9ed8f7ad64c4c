// The EventBridge pattern of the task-state tracker. Filtering on lastStatus at the rule keeps the
// invocations per task at two (RUNNING, STOPPED) instead of about seven (every intermediate state).

export const TRACKED_TASK_STATUSES = ["RUNNING", "STOPPED"] as const;

export interface TaskStateChangePattern {
  readonly source: readonly ["aws.ecs"];
  readonly "detail-type": readonly ["ECS Task State Change"];
  readonly detail: {
    readonly clusterArn: readonly [string];
    readonly lastStatus: typeof TRACKED_TASK_STATUSES;
  };
}

/** Task state changes of one cluster, for the statuses the job model records. */
export function taskStateChangePattern(clusterArn: string): TaskStateChangePattern {
  return {
    source: ["aws.ecs"],
    "detail-type": ["ECS Task State Change"],
    detail: { clusterArn: [clusterArn], lastStatus: TRACKED_TASK_STATUSES },
  };
}
