// Succeeded jobs whose worker reported what it used (peak memory, CPU time), made the way the pipeline makes
// them: Submit, RecordLaunch, then ObserveTask RUNNING and STOPPED with the worker's outcome file, decided
// and appended through changeJob. For the size recommendation's tests (`jobs stats --sizes`).

import { attemptCost } from "../../jobs/model/cost";
import { jobDecider } from "../../jobs/model/decide";
import type { JobState } from "../../jobs/model/state";
import { changeJob, type JobStore } from "../../jobs/store/store";
import { TEST_POLICY, TEST_SIZE } from "./factories";
import { JobDriver, taskArnFor, video } from "./histories";

export interface Usage {
  /** Peak memory of the process tree, MiB; absent for a worker that reported none. */
  readonly peakMemoryMb?: number;
  readonly cpuSeconds?: number;
  /** Seconds the container ran (startedAt -> executionStoppedAt). */
  readonly ranFor?: number;
  /** The task's size: the stack's (the launch's request) and as ECS reports it. Default: the tests' policy's. */
  readonly size?: { readonly cpuUnits: number; readonly memoryMib: number };
  /**
   * What the history records of that size: the launch's request and the attempt's cost (the default); the
   * launch's only (a region without a price for the task); or neither (a launch recorded before launches had
   * sizes, and no price).
   */
  readonly recorded?: "launch and cost" | "launch" | "nothing";
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
  const size = usage.size ?? { cpuUnits: TEST_SIZE.cpu, memoryMib: TEST_SIZE.memoryMib };
  const recorded = usage.recorded ?? "launch and cost";
  const policy = {
    ...TEST_POLICY,
    placement: { ...TEST_POLICY.placement, workerSize: { cpu: size.cpuUnits, memoryMib: size.memoryMib } },
  };
  const job = new JobDriver(store, jobId, t0, policy);
  const ranFor = usage.ranFor ?? 100;
  const taskArn = taskArnFor(jobId, 1).replace(":us-east-1:", `:${usage.region ?? "us-east-1"}:`);
  if (recorded === "nothing") {
    // Submitted as before launches recorded a size: the same decision, its launch without size or capacity.
    const submit = {
      type: "Submit",
      now: job.at(0),
      jobId,
      input: video(jobId),
      source: { kind: "message" },
      messageId: `m-${jobId}`,
    } as const;
    await changeJob(store, jobId, (state) =>
      jobDecider(policy)(state, submit).map((event) => {
        if (event.type !== "TaskLaunchRequested") return event;
        const { size: _size, capacity: _capacity, ...unplaced } = event;
        return unplaced;
      }),
    );
  } else {
    await job.submit(0, video(jobId));
  }
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
  const resources = { cpuUnits: size.cpuUnits, memoryMib: size.memoryMib };
  const cost =
    recorded === "launch and cost"
      ? attemptCost({ taskArn, timings: stoppedTimings, resources }, { architecture: "X86_64" })
      : undefined;
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
      resources,
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
