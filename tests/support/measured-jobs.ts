// Succeeded jobs whose worker reported what it used (peak memory, CPU time), made the way the pipeline makes
// them: Submit, RecordLaunch, then ObserveTask RUNNING and STOPPED with the worker's outcome file, decided
// and appended through changeJob. For the size recommendation's tests (`jobs stats --sizes`).

import { attemptCost } from "../../jobs/cost";
import type { JobState } from "../../jobs/state";
import type { JobStore } from "../../jobs/store";
import { JobDriver, taskArnFor, video } from "./histories";

export interface Usage {
  /** Peak memory of the process tree, MiB; absent for a worker that reported none. */
  readonly peakMemoryMb?: number;
  readonly cpuSeconds?: number;
  /** Seconds the container ran (startedAt -> executionStoppedAt). */
  readonly ranFor?: number;
  /** The task's size as ECS reports it; absent: no cost recorded (no size known). */
  readonly size?: { readonly cpuUnits: number; readonly memoryMib: number };
  /** The task's ARN region (the price table's key). */
  readonly region?: string;
}

/** One job that succeeded on its first attempt, submitted at t0, having used `usage`. */
export async function seedMeasuredJob(
  store: JobStore,
  jobId: string,
  t0: Date,
  usage: Usage,
): Promise<JobState> {
  const job = new JobDriver(store, jobId, t0);
  const ranFor = usage.ranFor ?? 100;
  const taskArn = taskArnFor(jobId, 1).replace(":us-east-1:", `:${usage.region ?? "us-east-1"}:`);
  await job.submit(0, video(jobId));
  await job.apply(2, { type: "RecordLaunch", attempt: 1, taskArn });
  const timings = {
    createdAt: job.at(3),
    pullStartedAt: job.at(5),
    pullStoppedAt: job.at(8),
    startedAt: job.at(10),
  };
  await job.apply(11, {
    type: "ObserveTask",
    observation: { taskArn, attempt: 1, lastStatus: "RUNNING", ecsVersion: 3, timings },
  });
  const stoppedTimings = {
    ...timings,
    executionStoppedAt: job.at(10 + ranFor),
    stoppedAt: job.at(12 + ranFor),
  };
  const resources =
    usage.size === undefined ? undefined : { cpuUnits: usage.size.cpuUnits, memoryMib: usage.size.memoryMib };
  const cost =
    resources === undefined
      ? undefined
      : attemptCost({ taskArn, timings: stoppedTimings, resources }, { architecture: "X86_64" });
  return job.apply(13 + ranFor, {
    type: "ObserveTask",
    observation: {
      taskArn,
      attempt: 1,
      lastStatus: "STOPPED",
      ecsVersion: 6,
      stopCode: "EssentialContainerExited",
      exitCode: 0,
      timings: stoppedTimings,
      ...(resources === undefined ? {} : { resources }),
      ...(cost === undefined ? {} : { cost }),
      workerOutcome: {
        exitCode: 0,
        code: "ok",
        message: "analysed",
        ...(usage.peakMemoryMb === undefined ? {} : { peakMemoryMb: usage.peakMemoryMb }),
        ...(usage.cpuSeconds === undefined ? {} : { cpuSeconds: usage.cpuSeconds }),
      },
    },
  });
}
