// Factories for the job model's tests: a retry policy, histories, ECS observations and ECS events shaped
// like AWS's (built on the documented sample in shared fixtures, changed only where a STOPPED event differs).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { TaskObservation } from "../../jobs/model/decide";
import type { JobEvent, JobInput } from "../../jobs/model/events";
import { clientToken } from "../../jobs/model/job-id";
import { parseExitCodes, type RetryPolicy } from "../../jobs/model/retry-policy";
import type { TaskSize } from "../../jobs/model/task-size";

/** The stack's worker size in the tests' policy: every attempt's until one runs out of memory. */
export const TEST_SIZE: TaskSize = { cpu: 1024, memoryMib: 2048 };

export const TEST_POLICY: RetryPolicy = {
  maxAttempts: 3,
  nonRetryableExitCodes: parseExitCodes("64-78"),
  maxInfraRetries: 2,
  baseDelaySeconds: 10,
  maxDelaySeconds: 60,
  placement: { capacity: "on-demand", workerSize: TEST_SIZE, maxWorkerMemoryMb: 8192 },
};

export const T0 = "2026-11-26T10:00:00.000Z";
export const INPUT: JobInput = { videoUrl: "s3://uploads-bucket/videos/clip.mp4" };
export const taskArn = (n: number) => `arn:aws:ecs:us-west-2:111122223333:task/video-jobs/task${n}`;

export const submitted = (jobId: string, at = T0): JobEvent[] => [
  { type: "JobSubmitted", at, jobId, input: INPUT, source: { kind: "message" }, messageId: "m-1" },
  {
    type: "TaskLaunchRequested",
    at,
    attempt: 1,
    clientToken: clientToken(jobId, 1),
    size: TEST_SIZE,
    capacity: "FARGATE",
  },
];

export const launched = (jobId: string, attempt = 1, at = T0): JobEvent[] => [
  ...(attempt === 1 ? submitted(jobId, at) : []),
  { type: "TaskLaunched", at, attempt, taskArn: taskArn(attempt) },
];

export function observation(overrides: Partial<TaskObservation> & { lastStatus: string }): TaskObservation {
  return { taskArn: taskArn(1), attempt: 1, ecsVersion: 2, timings: {}, ...overrides };
}

export const running = (attempt = 1, ecsVersion = 2): TaskObservation =>
  observation({ lastStatus: "RUNNING", attempt, taskArn: taskArn(attempt), ecsVersion });

export const stopped = (
  attempt: number,
  stop: Partial<Pick<TaskObservation, "exitCode" | "stopCode" | "stoppedReason" | "containerReason">>,
  ecsVersion = 5,
): TaskObservation =>
  observation({
    lastStatus: "STOPPED",
    attempt,
    taskArn: taskArn(attempt),
    ecsVersion,
    stopCode: "EssentialContainerExited",
    stoppedReason: "Essential container in task exited",
    ...stop,
  });

// ---- ECS "Task State Change" events, shaped like AWS's ------------------------------------------------------

export const FIXTURES = join(__dirname, "..", "fixtures", "aws-events");

export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(FIXTURES, name), "utf8")) as Record<string, unknown>;
}

export const CLUSTER_ARN = "arn:aws:ecs:us-west-2:111122223333:cluster/FargateCluster";
export const CONTAINER = "worker";

export interface EcsEventOptions {
  jobId: string;
  attempt?: number;
  taskId?: string;
  lastStatus: "PROVISIONING" | "PENDING" | "RUNNING" | "STOPPED";
  version: number;
  clusterArn?: string;
  exitCode?: number;
  stopCode?: string;
  stoppedReason?: string;
  containerReason?: string;
}

/**
 * The documented Fargate RUNNING event (ecs-task-running-fargate.awsdocs.json), with this pipeline's
 * `startedBy`, container name and JOB_ATTEMPT override; for STOPPED, the fields the ECS guide lists for
 * stopped tasks (stopCode, stoppedReason, stoppingAt/stoppedAt, container exitCode and reason).
 */
export function ecsEvent(options: EcsEventOptions): Record<string, unknown> {
  const base = fixture("ecs-task-running-fargate.awsdocs.json");
  const detail = structuredClone(base.detail) as Record<string, unknown>;
  const taskArn = `arn:aws:ecs:us-west-2:111122223333:task/FargateCluster/${options.taskId ?? `task-${options.jobId}-${options.attempt ?? 1}`}`;
  const [container] = detail.containers as Array<Record<string, unknown>>;
  const workerContainer: Record<string, unknown> = {
    ...container,
    name: CONTAINER,
    taskArn,
    lastStatus: options.lastStatus,
  };
  if (options.exitCode !== undefined) workerContainer.exitCode = options.exitCode;
  if (options.containerReason !== undefined) workerContainer.reason = options.containerReason;
  if (options.lastStatus === "STOPPED" && options.exitCode === undefined) delete workerContainer.runtimeId;
  Object.assign(detail, {
    clusterArn: options.clusterArn ?? CLUSTER_ARN,
    taskArn,
    lastStatus: options.lastStatus,
    desiredStatus: options.lastStatus === "STOPPED" ? "STOPPED" : "RUNNING",
    version: options.version,
    startedBy: options.jobId,
    group: "family:video-jobs-worker",
    containers: [workerContainer],
    overrides: {
      containerOverrides: [
        {
          name: CONTAINER,
          environment: [
            { name: "JOB_ID", value: options.jobId },
            ...(options.attempt === undefined
              ? []
              : [{ name: "JOB_ATTEMPT", value: String(options.attempt) }]),
          ],
        },
      ],
    },
  });
  if (options.lastStatus === "STOPPED") {
    Object.assign(detail, {
      stopCode: options.stopCode ?? "EssentialContainerExited",
      stoppedReason: options.stoppedReason ?? "Essential container in task exited",
      stoppingAt: "2020-01-23T17:58:40.000Z",
      executionStoppedAt: "2020-01-23T17:58:41.000Z",
      stoppedAt: "2020-01-23T17:58:45.000Z",
    });
  }
  return { ...base, resources: [taskArn], detail };
}
