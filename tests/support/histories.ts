// Realistic job histories (for the CLI's and the timeline's tests), made the way the pipeline makes them:
// every step is a job model command decided and appended through changeJob (dispatcher: Submit,
// RecordLaunch, LaunchRetry; task-state handler: ObserveTask with ECS's timings), at chosen times.

import { attemptCost } from "../../jobs/model/cost";
import {
  type JobCommand,
  jobDecider,
  type PolicyCommand,
  type TaskObservation,
} from "../../jobs/model/decide";
import type { JobInput, TaskTimings } from "../../jobs/model/events";
import type { RetryPolicy } from "../../jobs/model/retry-policy";
import type { JobState } from "../../jobs/model/state";
import { changeJob, type JobStore } from "../../jobs/store/store";
import { TEST_POLICY } from "./factories";

export const CLUSTER = "video-jobs";
export const taskArnFor = (jobId: string, attempt: number) =>
  `arn:aws:ecs:us-east-1:111122223333:task/${CLUSTER}/${jobId.replace(/[^a-z0-9]/gi, "")}${attempt}0f3a9c`;

type WithoutNow<C> = C extends JobCommand | PolicyCommand ? Omit<C, "now"> : never;

/** Drives one job through the model; times are seconds after `t0`. */
export class JobDriver {
  constructor(
    private readonly store: JobStore,
    readonly jobId: string,
    private readonly t0: Date,
    private readonly policy: RetryPolicy = TEST_POLICY,
  ) {}

  at(seconds: number): string {
    return new Date(this.t0.getTime() + seconds * 1000).toISOString();
  }

  async apply(seconds: number, command: WithoutNow<JobCommand | PolicyCommand>): Promise<JobState> {
    const full = { ...command, now: this.at(seconds) } as JobCommand;
    const change = await changeJob(this.store, this.jobId, (state) => jobDecider(this.policy)(state, full));
    return change.after;
  }

  submit(seconds: number, input: JobInput): Promise<JobState> {
    return this.apply(seconds, {
      type: "Submit",
      jobId: this.jobId,
      input,
      source: { kind: "message" },
      messageId: `m-${this.jobId}`,
    });
  }

  launched(seconds: number, attempt: number): Promise<JobState> {
    return this.apply(seconds, { type: "RecordLaunch", attempt, taskArn: taskArnFor(this.jobId, attempt) });
  }

  relaunch(seconds: number, attempt: number): Promise<JobState> {
    return this.apply(seconds, { type: "LaunchRetry", attempt });
  }

  /** RUNNING: created at `s`, image pulled s+8..s+16, started s+18; recorded at s+19. */
  running(seconds: number, attempt: number): Promise<JobState> {
    return this.observe(seconds + 19, {
      lastStatus: "RUNNING",
      attempt,
      ecsVersion: 3,
      timings: this.timings(seconds),
    });
  }

  /** STOPPED after running `ranFor` seconds (or never started, for a task that failed to start). */
  stopped(
    seconds: number,
    attempt: number,
    stop: Pick<TaskObservation, "exitCode" | "stopCode" | "stoppedReason" | "containerReason">,
    ranFor?: number,
  ): Promise<JobState> {
    const end = ranFor === undefined ? seconds + 5 : seconds + 18 + ranFor;
    return this.observe(end + 4, {
      lastStatus: "STOPPED",
      attempt,
      ecsVersion: 6,
      stopCode: "EssentialContainerExited",
      stoppedReason: "Essential container in task exited",
      ...stop,
      timings:
        ranFor === undefined
          ? { createdAt: this.at(seconds), stoppingAt: this.at(end), stoppedAt: this.at(end + 3) }
          : {
              ...this.timings(seconds),
              stoppingAt: this.at(end),
              executionStoppedAt: this.at(end),
              stoppedAt: this.at(end + 3),
            },
    });
  }

  private timings(seconds: number): TaskTimings {
    return {
      createdAt: this.at(seconds),
      pullStartedAt: this.at(seconds + 8),
      pullStoppedAt: this.at(seconds + 16),
      startedAt: this.at(seconds + 18),
    };
  }

  /** Tasks of 1 vCPU and 2 GiB on x86 On-Demand, priced as the task-state handler prices them (us-east-1). */
  private observe(seconds: number, observation: Omit<TaskObservation, "taskArn">): Promise<JobState> {
    const taskArn = taskArnFor(this.jobId, observation.attempt ?? 1);
    const resources = { cpuUnits: 1024, memoryMib: 2048 };
    const cost =
      observation.lastStatus === "STOPPED"
        ? attemptCost({ taskArn, timings: observation.timings, resources }, { architecture: "X86_64" })
        : undefined;
    const priced = { taskArn, ...observation, resources, ...(cost === undefined ? {} : { cost }) };
    return this.apply(seconds, { type: "ObserveTask", observation: priced });
  }
}

export const video = (name: string): JobInput => ({ videoUrl: `s3://uploads-bucket/uploads/${name}.mp4` });

export type Scenario =
  | "success"
  | "retried-then-succeeded"
  | "out-of-memory"
  | "failed-to-start"
  | "bad-input"
  | "rejected"
  | "cancelled"
  | "running";

/** Seeds one job of the scenario, submitted at t0. */
export async function seed(store: JobStore, jobId: string, scenario: Scenario, t0: Date): Promise<JobState> {
  const job = new JobDriver(store, jobId, t0);
  if (scenario === "rejected") {
    return job.apply(0, {
      type: "Reject",
      jobId,
      reason: "invalid job message: videoUrl must be s3://<bucket>/<key> or an https:// URL",
      rawInput: '{"videoUrl":"ftp://example.com/a.mp4"}',
      truncated: false,
      messageId: `m-${jobId}`,
    });
  }
  await job.submit(0, video(jobId));
  await job.launched(2, 1);
  switch (scenario) {
    case "success":
      await job.running(3, 1);
      return job.stopped(3, 1, { exitCode: 0 }, 60);
    case "retried-then-succeeded":
      await job.running(3, 1);
      await job.stopped(3, 1, { exitCode: 1 }, 30); // retry in 10 s
      await job.relaunch(70, 2);
      await job.launched(71, 2);
      await job.running(72, 2);
      return job.stopped(72, 2, { exitCode: 0 }, 45);
    case "out-of-memory": {
      let start = 3;
      for (const attempt of [1, 2, 3]) {
        if (attempt > 1) {
          await job.relaunch(start - 2, attempt);
          await job.launched(start - 1, attempt);
        }
        await job.running(start, attempt);
        await job.stopped(
          start,
          attempt,
          { exitCode: 137, containerReason: "OutOfMemoryError: Container killed due to memory usage" },
          20,
        );
        start += 120;
      }
      return (await store.get(jobId))?.state as JobState;
    }
    case "failed-to-start": {
      let start = 3;
      for (const attempt of [1, 2, 3]) {
        if (attempt > 1) {
          await job.relaunch(start - 2, attempt);
          await job.launched(start - 1, attempt);
        }
        await job.stopped(start, attempt, {
          stopCode: "TaskFailedToStart",
          stoppedReason:
            "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 111122223333.dkr.ecr.us-east-1.amazonaws.com/worker:latest: not found",
        });
        start += 60;
      }
      return (await store.get(jobId))?.state as JobState;
    }
    case "bad-input":
      await job.running(3, 1);
      return job.stopped(3, 1, { exitCode: 65 }, 4);
    case "cancelled":
      await job.running(3, 1);
      return job.apply(40, { type: "Cancel", reason: "cancelled by hand (jobs cancel, user ana)" });
    case "running":
      return job.running(3, 1);
  }
}
