// The pipeline's own workflows wired into the simulated AWS of burst-world.ts, on a virtual clock: the
// dispatcher (jobs/workflows/dispatch.ts) behind Lambda's SQS event source, the task-state workflow
// (jobs/workflows/track-task.ts) behind EventBridge, the sweeper (jobs/workflows/sweep.ts) on its schedule, the job store, slot
// pool and launch rate in memory behind DynamoDB's latency, and the pipeline's ECS adapter with its client
// answered by the simulated ECS. Each benchmark (burst.ts, capacity.ts) puts its own work on the queue.

import { ECSClient, RunTaskCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { CONFIG_SCHEMA } from "../config/schema";
import { EcsTaskLauncher } from "../jobs/adapters/aws/ecs-task-launcher";
import { MemorySlotPool } from "../jobs/adapters/memory/memory-capacity";
import { MemoryJobStore } from "../jobs/adapters/memory/memory-store";
import type { Capacity } from "../jobs/capacity";
import {
  type LaunchRateLimits,
  MAX_LAUNCH_WAIT_MS,
  MemoryLaunchRate,
  type SlotPool,
  slotReleasingStore,
} from "../jobs/capacity";
import { DEFAULT_DEADLINES, DEFAULT_RETRY_POLICY, isTerminal, type RetryPolicy } from "../jobs/model";
import type { JobStore, Log } from "../jobs/store";
import type { LaunchDeps } from "../jobs/workflows";
import {
  type DispatchDeps,
  dispatchMessage,
  type SweepDeps,
  sweep,
  type TrackTaskDeps,
  trackTaskEventAndStartWaiting,
} from "../jobs/workflows";
import {
  type CallCounts,
  delayed,
  type EventSourceStats,
  type PlannedTask,
  SimEcs,
  SimQueue,
  startEventSource,
  type TaskPlan,
} from "./burst-world";
import type { VirtualClock } from "./virtual-clock";

export interface SimPipelineSettings {
  readonly maxRunningTasks: number;
  /** ECS's launch limits, which the simulated ECS enforces. */
  readonly limits: LaunchRateLimits;
  /** The pace the pipeline keeps to (the stack's launchRatePerSecond and launchBurst). */
  readonly pacing: LaunchRateLimits;
  /** RunTask accepted to RUNNING, and RUNNING to STOPPED (exit 0) unless `plan` says otherwise. */
  readonly pendingMs: number;
  readonly runMs: number;
  /** Lambda's SQS event source and the queue, as the stack's defaults set them. */
  readonly batchSize: number;
  readonly maxConcurrency: number;
  readonly dispatcherTimeoutMs: number;
  readonly maxReceiveCount: number;
  readonly latencies: { readonly dynamoDbMs: number; readonly runTaskMs: number; readonly eventMs: number };
  readonly sweepIntervalMs: number;
  /** The task definition's size, and how each task's run ends (burst-world.ts). */
  readonly taskSize?: { readonly cpu: number; readonly memoryMib: number };
  readonly plan?: (task: PlannedTask) => TaskPlan;
  readonly policy?: RetryPolicy;
}

/** The stack's defaults for what the simulation takes from the stack config. */
export const STACK_DEFAULTS = {
  pacing: {
    ratePerSecond: CONFIG_SCHEMA.launchRatePerSecond.default,
    burst: CONFIG_SCHEMA.launchBurst.default,
  },
  batchSize: CONFIG_SCHEMA.dispatcherBatchSize.default,
  maxConcurrency: CONFIG_SCHEMA.dispatcherMaxConcurrency.default,
  dispatcherTimeoutMs: CONFIG_SCHEMA.dispatcherTimeoutSeconds.default * 1000,
  maxReceiveCount: CONFIG_SCHEMA.queueMaxReceiveCount.default,
  sweepIntervalMs: CONFIG_SCHEMA.sweepIntervalMinutes.default * 60_000,
};

export const CLUSTER_ARN = "arn:aws:ecs:us-east-1:111122223333:cluster/video-jobs";

export interface SimPipeline {
  readonly queue: SimQueue;
  readonly ecs: SimEcs;
  /** The jobs table itself (no latency): what the checks read the histories from. */
  readonly table: MemoryJobStore;
  /** Jobs that reached a terminal status, to know when to stop. */
  readonly ended: ReadonlySet<string>;
  readonly dispatcher: EventSourceStats;
  /** Calls to the jobs table, the slot pool and the launch rate, by method (and errors, by name). */
  readonly dynamoDbCalls: CallCounts;
  readonly sweeps: { runs: number; readonly actions: Record<string, number> };
  /** Gives the ECS client back its real transport. */
  restore(): void;
}

/** Starts the pipeline's workflows on `clock`; they run for as long as the clock is run. */
export function startSimPipeline(clock: VirtualClock, settings: SimPipelineSettings, log: Log): SimPipeline {
  const isoClock = () => clock.iso();
  const policy = settings.policy ?? DEFAULT_RETRY_POLICY;
  const target = { containerName: "worker", outputBucket: "uploads", outputPrefix: "outputs/" };

  // The jobs table, the slot pool and the launch rate: DynamoDB tables in the stack, in memory behind a
  // network's latency here; the store gives a slot back with the change that ends a launch, as the handlers'.
  const dynamoDbCalls: CallCounts = new Map();
  const behindNetwork = <T extends object>(target: T) =>
    delayed(target, clock, settings.latencies.dynamoDbMs, dynamoDbCalls);
  const table = new MemoryJobStore();
  const ended = new Set<string>();
  const capacity: Capacity = {
    slots: behindNetwork(countingOutcomes(new MemorySlotPool(settings.maxRunningTasks), dynamoDbCalls)),
    launchRate: behindNetwork(new MemoryLaunchRate(settings.pacing)),
    sleep: (ms) => clock.sleep(ms),
    maxLaunchWaitMs: MAX_LAUNCH_WAIT_MS,
  };
  const tableWithEnds: JobStore = {
    get: (jobId) => table.get(jobId),
    append: async (jobId, version, events, state) => {
      await table.append(jobId, version, events, state);
      if (isTerminal(state.status)) ended.add(jobId); // only to know when to stop: the checks read histories
    },
    listByStatus: (status, page, window) => table.listByStatus(status, page, window),
    listBySubmission: (window, page) => table.listBySubmission(window, page),
  };
  const store = slotReleasingStore(behindNetwork(tableWithEnds), capacity.slots);
  const queue = new SimQueue(clock, {
    visibilityTimeoutMs: 6 * settings.dispatcherTimeoutMs,
    maxReceiveCount: settings.maxReceiveCount,
  });
  // Filled in once the launcher exists: the task-state workflow launches waiting jobs too.
  let trackDeps: (TrackTaskDeps & LaunchDeps) | undefined;
  const ecs = new SimEcs(
    clock,
    {
      clusterArn: CLUSTER_ARN,
      limits: settings.limits,
      runTaskLatencyMs: settings.latencies.runTaskMs,
      pendingMs: settings.pendingMs,
      runMs: settings.runMs,
      eventDelayMs: settings.latencies.eventMs,
      ...(settings.taskSize === undefined ? {} : { taskSize: settings.taskSize }),
      ...(settings.plan === undefined ? {} : { plan: settings.plan }),
    },
    async (event) => {
      if (trackDeps === undefined) throw new Error("a task event before the pipeline was wired");
      return trackTaskEventAndStartWaiting(trackDeps, event);
    },
  );
  // The pipeline's own ECS adapter, its client answered by the simulated ECS.
  const ecsMock = mockClient(ECSClient);
  ecsMock.on(RunTaskCommand).callsFake((input) => ecs.runTask(input));
  ecsMock.on(StopTaskCommand).callsFake(async (input) => ({
    task: {
      taskArn: input.task,
      lastStatus: (await ecs.stop(input.task, input.reason ?? "")) ? "STOPPING" : "",
    },
  }));
  const launcher = new EcsTaskLauncher(new ECSClient({ region: "us-east-1" }), {
    clusterArn: CLUSTER_ARN,
    taskDefinitionArn: "arn:aws:ecs:us-east-1:111122223333:task-definition/video-jobs-worker:1",
    subnetIds: ["subnet-1"],
    securityGroupIds: ["sg-1"],
    assignPublicIp: "DISABLED",
  });
  const dispatchDeps: DispatchDeps = {
    store,
    capacity,
    launcher,
    retryQueue: queue,
    target,
    policy,
    clock: isoClock,
    log,
  };
  trackDeps = {
    ...dispatchDeps,
    // Priced as the stack prices them: the repository's table for the region, x86.
    context: {
      clusterArn: CLUSTER_ARN,
      workerContainerName: target.containerName,
      cost: { architecture: "X86_64" },
    },
  };
  const dispatcher = startEventSource(
    clock,
    queue,
    {
      batchSize: settings.batchSize,
      maxConcurrency: settings.maxConcurrency,
      timeoutMs: settings.dispatcherTimeoutMs,
    },
    (body, messageId) => dispatchMessage(dispatchDeps, body, messageId),
  );
  const sweeps = { runs: 0, actions: {} as Record<string, number> };
  const sweepDeps: SweepDeps = {
    store,
    capacity,
    tasks: ecs,
    launcher,
    retryQueue: queue,
    target,
    policy,
    deadlines: DEFAULT_DEADLINES,
    clock: isoClock,
    log,
    maxJobs: CONFIG_SCHEMA.sweepMaxJobs.default,
  };
  void (async () => {
    for (;;) {
      await clock.sleep(settings.sweepIntervalMs);
      const report = await sweep(sweepDeps);
      sweeps.runs++;
      const done = {
        ...report.actions,
        slotsReleased: report.slots?.released.length ?? 0,
        slotsRestored: report.slots?.restored.length ?? 0,
        waitingStarted: report.started,
        errors: report.errors,
      };
      for (const [action, count] of Object.entries(done))
        sweeps.actions[action] = (sweeps.actions[action] ?? 0) + count;
    }
  })();
  return { queue, ecs, table, ended, dispatcher, dynamoDbCalls, sweeps, restore: () => ecsMock.restore() };
}

/**
 * Counts each take's outcome ("acquire taken", "acquire held", "acquire refused"): on DynamoDB a refused or
 * held take is one read, a taken one a read and an update (jobs/adapters/aws/dynamodb-slots.ts).
 */
function countingOutcomes(pool: MemorySlotPool, counts: CallCounts): SlotPool {
  const count = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  return {
    cap: pool.cap,
    shards: pool.shards,
    acquire: async (jobId, now) => {
      const answer = await pool.acquire(jobId, now);
      count(`acquire ${!answer.acquired ? "refused" : answer.alreadyHeld ? "held" : "taken"}`);
      return answer;
    },
    release: (jobId) => pool.release(jobId),
    giveBack: (jobId, taken) => pool.giveBack(jobId, taken),
    holders: () => pool.holders(),
    restore: (jobId, now) => pool.restore(jobId, now),
  };
}

/** An upload's S3 notification as the jobs queue gets it: the `index`th object under `prefix`, at `atMs`. */
export function uploadNotification(prefix: string, index: number, atMs: number): string {
  const key = `${prefix}clip-${String(index).padStart(5, "0")}.mp4`;
  return JSON.stringify({
    Records: [
      {
        eventVersion: "2.1",
        eventSource: "aws:s3",
        awsRegion: "us-east-1",
        eventTime: new Date(atMs).toISOString(),
        eventName: "ObjectCreated:Put",
        s3: {
          s3SchemaVersion: "1.0",
          bucket: { name: "uploads", arn: "arn:aws:s3:::uploads" },
          object: { key, size: 1_048_576, sequencer: (0x1000000 + index).toString(16).toUpperCase() },
        },
      },
    ],
  });
}
