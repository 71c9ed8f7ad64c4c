// Reading EventBridge "ECS Task State Change" events: which job (the task's `startedBy`) and which attempt
// (the JOB_ATTEMPT override the dispatcher set) a task belongs to, and what ECS says about it — from the
// event alone, since it can arrive before the dispatcher has recorded the task.

import { z } from "zod";
import type { TaskObservation } from "./decide";
import { defined } from "./defined";
import { isJobId } from "./job-id";

export type TaskEventReading =
  | { readonly kind: "observation"; readonly jobId: string; readonly observation: TaskObservation }
  | { readonly kind: "ignore"; readonly reason: string };

const keyValue = z.object({ name: z.string().optional(), value: z.string().optional() });

const container = z.looseObject({
  name: z.string().optional(),
  exitCode: z.number().int().optional(),
  reason: z.string().optional(),
  lastStatus: z.string().optional(),
});

const taskStateChange = z.looseObject({
  source: z.literal("aws.ecs"),
  "detail-type": z.literal("ECS Task State Change"),
  detail: z.looseObject({
    clusterArn: z.string(),
    taskArn: z.string(),
    lastStatus: z.string(),
    version: z.number().int(),
    startedBy: z.string().optional(),
    stopCode: z.string().optional(),
    stoppedReason: z.string().optional(),
    containers: z.array(container).optional(),
    overrides: z
      .looseObject({
        containerOverrides: z
          .array(z.looseObject({ name: z.string().optional(), environment: z.array(keyValue).optional() }))
          .optional(),
      })
      .optional(),
    createdAt: z.string().optional(),
    pullStartedAt: z.string().optional(),
    pullStoppedAt: z.string().optional(),
    startedAt: z.string().optional(),
    stoppingAt: z.string().optional(),
    executionStoppedAt: z.string().optional(),
    stoppedAt: z.string().optional(),
  }),
});

export interface TaskEventContext {
  /** Only tasks of this cluster belong to the pipeline. */
  readonly clusterArn: string;
  /** The worker's container name in the task definition. */
  readonly workerContainerName: string;
}

export function readTaskEvent(event: unknown, context: TaskEventContext): TaskEventReading {
  const result = taskStateChange.safeParse(event);
  if (!result.success) {
    return {
      kind: "ignore",
      reason: `not an ECS Task State Change event: ${result.error.issues[0]?.message}`,
    };
  }
  const detail = result.data.detail;
  if (detail.clusterArn !== context.clusterArn) {
    return { kind: "ignore", reason: `task of another cluster (${detail.clusterArn})` };
  }
  if (detail.startedBy === undefined || !isJobId(detail.startedBy)) {
    return {
      kind: "ignore",
      reason: `task not started by the pipeline (startedBy: ${detail.startedBy ?? "none"})`,
    };
  }
  const worker =
    detail.containers?.find((c) => c.name === context.workerContainerName) ?? detail.containers?.[0];
  const override =
    detail.overrides?.containerOverrides?.find((o) => o.name === context.workerContainerName) ??
    detail.overrides?.containerOverrides?.[0];
  const attemptText = override?.environment?.find((variable) => variable.name === "JOB_ATTEMPT")?.value;
  const attempt = attemptText !== undefined && /^\d+$/.test(attemptText) ? Number(attemptText) : undefined;

  const observation: TaskObservation = {
    taskArn: detail.taskArn,
    lastStatus: detail.lastStatus,
    ecsVersion: detail.version,
    ...defined({
      attempt,
      stopCode: detail.stopCode,
      stoppedReason: detail.stoppedReason,
      exitCode: worker?.exitCode,
      containerReason: worker?.reason,
    }),
    timings: defined({
      createdAt: detail.createdAt,
      pullStartedAt: detail.pullStartedAt,
      pullStoppedAt: detail.pullStoppedAt,
      startedAt: detail.startedAt,
      stoppingAt: detail.stoppingAt,
      executionStoppedAt: detail.executionStoppedAt,
      stoppedAt: detail.stoppedAt,
    }),
  };
  return { kind: "observation", jobId: detail.startedBy, observation };
}
