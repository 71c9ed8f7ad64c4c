// Reading EventBridge "ECS Task State Change" events: which job (the task's `startedBy`) and which attempt
// (the JOB_ATTEMPT override the dispatcher set) a task belongs to, and what ECS says about it — from the
// event alone, since it can arrive before the dispatcher has recorded the task.

import { z } from "zod";
import { attemptCost, type CostSettings, type CpuArchitecture, type TaskResources } from "./cost";
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
    // Task-level size (CPU units, MiB) as the task ran, overrides included; and what Fargate billed it as.
    cpu: z.string().optional(),
    memory: z.string().optional(),
    capacityProviderName: z.string().optional(),
    ephemeralStorage: z.looseObject({ sizeInGiB: z.number().int().positive() }).optional(),
    attributes: z.array(keyValue).optional(),
  }),
});

export interface TaskEventContext {
  /** Only tasks of this cluster belong to the pipeline. */
  readonly clusterArn: string;
  /** The worker's container name in the task definition. */
  readonly workerContainerName: string;
  /** Price the attempt when its task stops (cost.ts); without it no cost is recorded. */
  readonly cost?: CostSettings;
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
  const resources = taskResources(detail);
  const cost =
    resources !== undefined && detail.lastStatus === "STOPPED" && context.cost !== undefined
      ? attemptCost({ taskArn: detail.taskArn, timings: observation.timings, resources }, context.cost)
      : undefined;
  return {
    kind: "observation",
    jobId: detail.startedBy,
    observation: { ...observation, ...defined({ resources, cost }) },
  };
}

/** The task's size and placement, when the event carries its size (ECS events do; a bare fixture may not). */
function taskResources(detail: z.infer<typeof taskStateChange>["detail"]): TaskResources | undefined {
  // ECS reports registered sizes as unit counts ("1024"); anything else is not priced rather than guessed.
  if (!/^\d+$/.test(detail.cpu ?? "") || !/^\d+$/.test(detail.memory ?? "")) return undefined;
  const named = detail.attributes?.find((a) => a.name === "ecs.cpu-architecture")?.value;
  const architecture: CpuArchitecture | undefined =
    named === "arm64" ? "ARM64" : named === "x86_64" ? "X86_64" : undefined;
  return {
    cpuUnits: Number(detail.cpu),
    memoryMib: Number(detail.memory),
    ...defined({
      ephemeralStorageGib: detail.ephemeralStorage?.sizeInGiB,
      capacityProviderName: detail.capacityProviderName,
      architecture,
    }),
  };
}
