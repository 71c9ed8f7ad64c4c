// Reading EventBridge "ECS Task State Change" events: which job (the task's `startedBy`) and which attempt
// (the JOB_ATTEMPT override the dispatcher set) a task belongs to, and what ECS says about it — from the
// event alone, since it can arrive before the dispatcher has recorded the task.

import { z } from "zod";
import { attemptCost, type CostSettings, type CpuArchitecture, type TaskResources } from "../model/cost";
import { defined } from "../model/defined";
import { isJobId } from "../model/job-id";
import type { TaskObservation } from "../model/task-observation";

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

/** A task as ECS describes it: the `detail` of an event, or a DescribeTasks task with ISO-8601 times. */
const taskDetail = z.looseObject({
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
});

const taskStateChange = z.looseObject({
  source: z.literal("aws.ecs"),
  "detail-type": z.literal("ECS Task State Change"),
  detail: z.unknown(),
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
  return readTaskDetail(result.data.detail, context);
}

/**
 * Reads one task (an event's detail, or what DescribeTasks returned): which job and attempt it belongs to
 * and what ECS says about it. Only tasks the pipeline launched belong to a job: of its cluster, started by a
 * job id, with the JOB_ATTEMPT (1 or more) the dispatcher sets. Anything else is ignored with the reason.
 */
export function readTaskDetail(detail: unknown, context: TaskEventContext): TaskEventReading {
  const result = taskDetail.safeParse(detail);
  if (!result.success) {
    const issue = result.error.issues[0];
    return { kind: "ignore", reason: `not an ECS task: ${issue?.path.join(".")}: ${issue?.message}` };
  }
  const task = result.data;
  if (!sameCluster(task.clusterArn, context.clusterArn)) {
    return { kind: "ignore", reason: `task of another cluster (${task.clusterArn})` };
  }
  if (task.startedBy === undefined || !isJobId(task.startedBy)) {
    return {
      kind: "ignore",
      reason: `task not started by the pipeline (startedBy: ${task.startedBy ?? "none"})`,
    };
  }
  const worker = task.containers?.find((c) => c.name === context.workerContainerName) ?? task.containers?.[0];
  const override =
    task.overrides?.containerOverrides?.find((o) => o.name === context.workerContainerName) ??
    task.overrides?.containerOverrides?.[0];
  const attemptText = override?.environment?.find((variable) => variable.name === "JOB_ATTEMPT")?.value;
  if (attemptText === undefined || !/^[1-9]\d{0,5}$/.test(attemptText)) {
    return {
      kind: "ignore",
      reason: `task not launched by the pipeline (JOB_ATTEMPT: ${attemptText === undefined ? "none" : JSON.stringify(attemptText.slice(0, 20))})`,
    };
  }

  const observation: TaskObservation = {
    taskArn: task.taskArn,
    lastStatus: task.lastStatus,
    ecsVersion: task.version,
    attempt: Number(attemptText),
    ...defined({
      stopCode: task.stopCode,
      stoppedReason: task.stoppedReason,
      exitCode: worker?.exitCode,
      containerReason: worker?.reason,
    }),
    timings: defined({
      createdAt: task.createdAt,
      pullStartedAt: task.pullStartedAt,
      pullStoppedAt: task.pullStoppedAt,
      startedAt: task.startedAt,
      stoppingAt: task.stoppingAt,
      executionStoppedAt: task.executionStoppedAt,
      stoppedAt: task.stoppedAt,
    }),
  };
  const resources = taskResources(task);
  const cost =
    resources !== undefined && task.lastStatus === "STOPPED" && context.cost !== undefined
      ? attemptCost({ taskArn: task.taskArn, timings: observation.timings, resources }, context.cost)
      : undefined;
  return {
    kind: "observation",
    jobId: task.startedBy,
    observation: { ...observation, ...defined({ resources, cost }) },
  };
}

/** A cluster may be named by its ARN or by its name (the CLI's --cluster takes either). */
function sameCluster(clusterArn: string, wanted: string): boolean {
  return clusterArn === wanted || (!wanted.startsWith("arn:") && clusterArn.endsWith(`:cluster/${wanted}`));
}

/** The task's size and placement, when ECS gives its size (events and DescribeTasks do; a bare fixture may not). */
function taskResources(detail: z.infer<typeof taskDetail>): TaskResources | undefined {
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
