// What ECS says about one of a job's tasks (an event's detail, or what DescribeTasks returned), read into the
// job model's terms, with what the worker said of a stopped attempt. The ObserveTask command carries it; the
// task-state handler, the sweeper and cancel all produce it.

import type { TaskResources } from "./cost";
import type { AttemptCost, TaskTimings, WorkerOutcome } from "./events";
import type { TaskStop } from "./retry-policy";

/** A worker's outcome file as the job model reads it: its words, and the exit code they explain. */
export interface WorkerOutcomeReport extends WorkerOutcome {
  readonly exitCode: number;
}

export interface TaskObservation extends TaskStop {
  readonly taskArn: string;
  /** The attempt the task ran, when the event names it (the JOB_ATTEMPT override). */
  readonly attempt?: number;
  readonly lastStatus: string;
  /** ECS `detail.version`: increases with every change of the task. */
  readonly ecsVersion: number;
  readonly timings: TaskTimings;
  /** The task's size and placement as ECS reported it. */
  readonly resources?: TaskResources;
  /** What the attempt cost, priced when its STOPPED event was read (cost.ts). */
  readonly cost?: AttemptCost;
  /** What the worker said about its attempt (its outcome file), read when the task stopped. */
  readonly workerOutcome?: WorkerOutcomeReport;
}
