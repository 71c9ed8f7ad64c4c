// Lambda entry point: the sweeper, on a schedule (components/functions/sweeper.ts). One run of jobs/workflows/sweep.ts over the
// active jobs; a job it could not handle is logged and tried again next run, and the run then fails so
// that the function's Errors metric (and its alarm) shows it. What the sweep found and did is published as
// metrics once per run.

import { EcsTaskControl } from "../jobs/adapters/aws/ecs-task-control";
import { EcsTaskLauncher } from "../jobs/adapters/aws/ecs-task-launcher";
import { S3WorkerOutcomeReader } from "../jobs/adapters/aws/s3-worker-outcome-reader";
import { SqsRetryQueue } from "../jobs/adapters/aws/sqs-retry-queue";
import { systemClock } from "../jobs/store";
import { type SweepReport, sweep } from "../jobs/workflows";
import { launcherContext, logger, publishingMetrics, s3Client } from "./clients";
import { readFunctionConfig } from "./environment";

/** Reads exactly the variables this function is given (config/handler-variables.ts). */
const context = launcherContext(() => readFunctionConfig("sweeper"));

/** Where a run cut short by its bound stopped, per status: the next run of this warm Lambda goes on there. */
const resume = new Map<string, string>();

export class SweepIncompleteError extends Error {
  override readonly name = "SweepIncompleteError";
}

export const handler = publishingMetrics(async (): Promise<SweepReport> => {
  const { config, store, capacity, ecs, sqs } = context();
  const report = await sweep({
    store,
    capacity,
    // Described tasks are read as the task-state handler reads events: a missed stop is priced too.
    tasks: new EcsTaskControl(ecs, {
      clusterArn: config.clusterArn,
      workerContainerName: config.target.containerName,
      cost: config.cost,
    }),
    launcher: new EcsTaskLauncher(ecs, config),
    retryQueue: new SqsRetryQueue(sqs, config.queueUrl),
    target: config.target,
    policy: config.policy,
    deadlines: config.deadlines,
    clock: systemClock,
    log: logger,
    maxJobs: config.sweepMaxJobs,
    resume,
    outcomeReader: new S3WorkerOutcomeReader(s3Client(), config.target, logger),
  });
  if (report.errors > 0) {
    throw new SweepIncompleteError(
      `${report.errors} jobs could not be swept this run (see the log); the next run tries again`,
    );
  }
  return report;
});
