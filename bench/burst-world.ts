// The AWS around the pipeline, simulated on a virtual clock for the burst benchmark (burst.ts): the jobs
// queue (SQS: visibility timeout, delays, receive counts, dead-letter queue), Lambda's SQS event source
// (batches to a bounded number of concurrent invocations, failed records coming back after the visibility
// timeout), ECS (RunTask under Fargate's launch limits, with latency; tasks that run a fixed time; StopTask,
// DescribeTasks, ListTasks by startedBy for the sweeper), EventBridge (RUNNING and STOPPED task changes
// delivered to the task-state workflow a moment later, retried on failure), and DynamoDB's latency around
// the in-memory job store. The pipeline's own code runs unchanged inside it.

import { randomBytes } from "node:crypto";
import {
  ECSServiceException,
  type RunTaskCommandInput,
  type RunTaskCommandOutput,
} from "@aws-sdk/client-ecs";
import { readTaskDetail } from "../jobs/boundary";
import { defined } from "../jobs/model";
import type { DescribedTask, RetryQueue, TaskControl } from "../jobs/store";
import { LaunchBucket, type LaunchLimits, THROTTLED_RUN_TASK } from "../local/aws/launch-limits";
import type { VirtualClock } from "./virtual-clock";

// ---- SQS ----------------------------------------------------------------------------------------------

export interface QueueMessage {
  readonly id: string;
  readonly body: string;
  visibleAtMs: number;
  receives: number;
}

export interface QueueSettings {
  readonly visibilityTimeoutMs: number;
  /** Receives after which SQS moves a message to the dead-letter queue (the redrive policy). */
  readonly maxReceiveCount: number;
}

export class SimQueue implements RetryQueue {
  private readonly messages = new Map<string, QueueMessage>();
  private readonly waiters: Array<() => void> = [];
  private sent = 0;
  readonly deadLetters: QueueMessage[] = [];

  constructor(
    private readonly clock: VirtualClock,
    private readonly settings: QueueSettings,
  ) {}

  send(body: string, delayMs = 0): string {
    const id = `m-${++this.sent}`;
    this.messages.set(id, { id, body, visibleAtMs: this.clock.now() + delayMs, receives: 0 });
    for (const wake of this.waiters.splice(0)) wake();
    return id;
  }

  /** The pipeline's retry message, `{jobId, attempt}`, delayed as SqsRetryQueue delays it. */
  async sendRetry(jobId: string, attempt: number, delaySeconds: number): Promise<void> {
    this.send(JSON.stringify({ jobId, attempt }), Math.round(delaySeconds) * 1000);
  }

  /** Up to `max` visible messages, hidden for the visibility timeout; past maxReceiveCount, to the DLQ. */
  receive(max: number): QueueMessage[] {
    const now = this.clock.now();
    const batch: QueueMessage[] = [];
    for (const message of this.messages.values()) {
      if (batch.length === max) break;
      if (message.visibleAtMs > now) continue;
      message.receives++;
      if (message.receives > this.settings.maxReceiveCount) {
        this.messages.delete(message.id);
        this.deadLetters.push(message);
        continue;
      }
      message.visibleAtMs = now + this.settings.visibilityTimeoutMs;
      batch.push(message);
    }
    return batch;
  }

  delete(id: string): void {
    this.messages.delete(id);
  }

  get depth(): number {
    return this.messages.size;
  }

  /** Resolves when a message is visible (long polling: at once when one arrives). */
  async visible(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      let next = Number.POSITIVE_INFINITY;
      for (const message of this.messages.values()) next = Math.min(next, message.visibleAtMs);
      if (next <= now) return;
      const arrival = new Promise<void>((wake) => this.waiters.push(wake));
      await (Number.isFinite(next) ? Promise.race([arrival, this.clock.until(next)]) : arrival);
    }
  }
}

// ---- Lambda's SQS event source ------------------------------------------------------------------------

export interface EventSourceSettings {
  readonly batchSize: number;
  /** The event source's maximum concurrency: invocations at once. */
  readonly maxConcurrency: number;
  /** The dispatcher Lambda's timeout: an invocation running longer would have been killed. */
  readonly timeoutMs: number;
}

export interface EventSourceStats {
  invocations: number;
  /** Records reported as batch item failures (they come back after the visibility timeout). */
  recordFailures: number;
  /** Invocations that ran past the Lambda's timeout. */
  overTimeout: number;
  longestInvocationMs: number;
}

/**
 * Starts `maxConcurrency` pollers, each invoking `handle` on batches (records in parallel, as Powertools'
 * BatchProcessor does); a record whose handling throws stays on the queue. Runs for as long as the clock.
 */
export function startEventSource(
  clock: VirtualClock,
  queue: SimQueue,
  settings: EventSourceSettings,
  handle: (body: string, messageId: string) => Promise<unknown>,
): EventSourceStats {
  const stats: EventSourceStats = {
    invocations: 0,
    recordFailures: 0,
    overTimeout: 0,
    longestInvocationMs: 0,
  };
  const poll = async () => {
    for (;;) {
      await queue.visible();
      const batch = queue.receive(settings.batchSize);
      if (batch.length === 0) continue;
      stats.invocations++;
      const started = clock.now();
      const results = await Promise.allSettled(batch.map((m) => handle(m.body, m.id)));
      const took = clock.now() - started;
      stats.longestInvocationMs = Math.max(stats.longestInvocationMs, took);
      if (took > settings.timeoutMs) stats.overTimeout++;
      results.forEach((result, i) => {
        if (result.status === "fulfilled") queue.delete((batch[i] as QueueMessage).id);
        else stats.recordFailures++;
      });
    }
  };
  for (let i = 0; i < settings.maxConcurrency; i++) void poll();
  return stats;
}

// ---- ECS -----------------------------------------------------------------------------------------------

export interface EcsSettings {
  readonly clusterArn: string;
  readonly limits: LaunchLimits;
  /** RunTask's answer comes this long after the call (the launch is decided when the call arrives). */
  readonly runTaskLatencyMs: number;
  /** From RunTask accepted to RUNNING (PROVISIONING, PENDING: pull, network). */
  readonly pendingMs: number;
  /** From RUNNING to STOPPED (the worker's run, exit 0), unless `plan` says otherwise. */
  readonly runMs: number;
  /** From a task's change to its event reaching the task-state workflow (EventBridge). */
  readonly eventDelayMs: number;
  /** The task definition's size: what a task runs with unless RunTask overrides it. */
  readonly taskSize?: { readonly cpu: number; readonly memoryMib: number };
  /** How each task's run ends; without it every task runs `runMs` and exits 0. */
  readonly plan?: (task: PlannedTask) => TaskPlan;
}

/** What a simulated task is, as RunTask asked for it: the inputs a plan decides its run from. */
export interface PlannedTask {
  readonly jobId: string;
  readonly attempt: number;
  readonly cpu: number;
  readonly memoryMib: number;
  /** The capacity provider of RunTask's strategy; FARGATE for a launch type without one. */
  readonly capacityProvider: string;
}

/**
 * How a task's run ends, from RUNNING: the worker exits `exitCode` after `runMs`; or, sooner, the task is
 * killed for its memory (exit 137, OutOfMemoryError) or its Spot capacity is reclaimed (SIGTERM: the worker
 * stops within `stopGraceMs` with exit 143). The earliest of these happens.
 */
export interface TaskPlan {
  readonly runMs: number;
  readonly exitCode: number;
  readonly outOfMemoryAtMs?: number;
  readonly interruptedAtMs?: number;
  readonly stopGraceMs?: number;
}

interface SimTask {
  readonly taskArn: string;
  readonly jobId: string;
  readonly environment: ReadonlyArray<{ name?: string; value?: string }>;
  readonly createdAtMs: number;
  readonly cpu: number;
  readonly memoryMib: number;
  readonly capacityProvider: string;
  lastStatus: "PROVISIONING" | "RUNNING" | "STOPPED";
  version: number;
  startedAtMs?: number;
  stoppedAtMs?: number;
  stopCode?: string;
  stoppedReason?: string;
  exitCode?: number;
  containerReason?: string;
}

export interface EcsStats {
  runTaskCalls: number;
  throttled: number;
  tasksStarted: number;
  /** Task events EventBridge gave up on after its retries (they would be in the rule's DLQ). */
  eventsUndelivered: number;
  eventDeliveryFailures: number;
}

/** The EventBridge rule's target: the task-state workflow (throws to make EventBridge retry). */
export type DeliverTaskEvent = (event: Record<string, unknown>) => Promise<unknown>;

/** EventBridge's retry of a failed delivery: a few tries, backing off. */
const EVENT_DELIVERY_TRIES = 8;

const CONTAINER_NAME = "worker";

export class SimEcs implements TaskControl {
  private readonly bucket: LaunchBucket;
  private readonly tasks = new Map<string, SimTask>();
  private readonly byClientToken = new Map<string, SimTask>();
  readonly stats: EcsStats = {
    runTaskCalls: 0,
    throttled: 0,
    tasksStarted: 0,
    eventsUndelivered: 0,
    eventDeliveryFailures: 0,
  };

  constructor(
    private readonly clock: VirtualClock,
    private readonly settings: EcsSettings,
    private readonly deliver: DeliverTaskEvent,
  ) {
    this.bucket = new LaunchBucket(settings.limits);
  }

  /** RunTask as the SDK client would return it, or throwing as it would (throttling: a client error). */
  async runTask(input: RunTaskCommandInput): Promise<RunTaskCommandOutput> {
    this.stats.runTaskCalls++;
    const admitted = this.bucket.take(this.clock.now());
    const task = admitted ? this.admit(input) : undefined;
    await this.clock.sleep(this.settings.runTaskLatencyMs);
    if (task === undefined) {
      this.stats.throttled++;
      throw new ECSServiceException({
        name: THROTTLED_RUN_TASK.code,
        message: THROTTLED_RUN_TASK.message,
        $fault: "client",
        $metadata: { httpStatusCode: 400 },
      });
    }
    return { tasks: [{ taskArn: task.taskArn, lastStatus: "PROVISIONING" }], failures: [], $metadata: {} };
  }

  /** Every task ECS started, by the job that started it (`startedBy`). */
  tasksByJob(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const task of this.tasks.values()) counts.set(task.jobId, (counts.get(task.jobId) ?? 0) + 1);
    return counts;
  }

  // TaskControl, for the sweeper: tasks read by the pipeline's own parser, as EcsTaskControl reads them.
  async describe(taskArns: readonly string[]): Promise<{ tasks: DescribedTask[]; missing: string[] }> {
    const tasks: DescribedTask[] = [];
    const missing: string[] = [];
    for (const arn of taskArns) {
      const task = this.tasks.get(arn);
      const described = task && this.read(task);
      if (described) tasks.push(described);
      else missing.push(arn);
    }
    return { tasks, missing };
  }

  async findByJob(jobId: string): Promise<DescribedTask[]> {
    return [...this.tasks.values()].flatMap((task) => {
      const described = task.jobId === jobId ? this.read(task) : undefined;
      return described ? [described] : [];
    });
  }

  async stop(taskArn: string, reason: string): Promise<boolean> {
    const task = this.tasks.get(taskArn);
    if (task === undefined) return false;
    if (task.lastStatus !== "STOPPED") this.stopTask(task, "UserInitiated", reason, 143);
    return true;
  }

  private admit(input: RunTaskCommandInput): SimTask {
    const token = input.clientToken;
    const existing = token === undefined ? undefined : this.byClientToken.get(token);
    if (existing) return existing;
    const environment = input.overrides?.containerOverrides?.[0]?.environment ?? [];
    const size = this.settings.taskSize ?? { cpu: 1024, memoryMib: 2048 };
    const task: SimTask = {
      taskArn: `${this.settings.clusterArn.replace(":cluster/", ":task/")}/${randomBytes(16).toString("hex")}`,
      jobId: input.startedBy ?? "",
      environment,
      createdAtMs: this.clock.now(),
      cpu: Number(input.overrides?.cpu ?? size.cpu),
      memoryMib: Number(input.overrides?.memory ?? size.memoryMib),
      capacityProvider: input.capacityProviderStrategy?.[0]?.capacityProvider ?? "FARGATE",
      lastStatus: "PROVISIONING",
      version: 1,
    };
    this.tasks.set(task.taskArn, task);
    if (token !== undefined) this.byClientToken.set(token, task);
    this.stats.tasksStarted++;
    const attempt = Number(environment.find((v) => v.name === "JOB_ATTEMPT")?.value ?? 0);
    const plan = this.settings.plan?.({ ...task, attempt }) ?? { runMs: this.settings.runMs, exitCode: 0 };
    const runningAtMs = task.createdAtMs + this.settings.pendingMs;
    this.clock.at(runningAtMs, () => {
      if (task.lastStatus !== "PROVISIONING") return;
      task.lastStatus = "RUNNING";
      task.startedAtMs = this.clock.now();
      task.version = 3; // PROVISIONING and PENDING (1, 2) are filtered out by the pipeline's rule
      this.emit(task);
    });
    const end = planEnd(plan);
    this.clock.at(runningAtMs + end.atMs, () => {
      if (task.lastStatus === "STOPPED") return;
      this.stopTask(task, end.stopCode, end.reason, end.exitCode, end.containerReason);
    });
    return task;
  }

  private stopTask(
    task: SimTask,
    stopCode: string,
    reason: string,
    exitCode: number,
    containerReason?: string,
  ): void {
    Object.assign(task, {
      lastStatus: "STOPPED",
      stoppedAtMs: this.clock.now(),
      version: 5, // STOPPING (4) is filtered out too
      stopCode,
      stoppedReason: reason,
      exitCode,
      containerReason,
    });
    this.emit(task);
  }

  /** The task's change as EventBridge delivers it, a moment later, retried while its target fails. */
  private emit(task: SimTask): void {
    const event = {
      version: "0",
      id: randomBytes(16).toString("hex"),
      "detail-type": "ECS Task State Change",
      source: "aws.ecs",
      account: "111122223333",
      time: this.clock.iso(),
      region: "us-east-1",
      resources: [task.taskArn],
      detail: this.detail(task),
    };
    this.clock.at(this.clock.now() + this.settings.eventDelayMs, async () => {
      for (let tries = 1; ; tries++) {
        try {
          await this.deliver(event);
          return;
        } catch {
          this.stats.eventDeliveryFailures++;
          if (tries === EVENT_DELIVERY_TRIES) {
            this.stats.eventsUndelivered++;
            return;
          }
          await this.clock.sleep(1000 * 2 ** tries);
        }
      }
    });
  }

  private read(task: SimTask): DescribedTask | undefined {
    const reading = readTaskDetail(this.detail(task), {
      clusterArn: this.settings.clusterArn,
      workerContainerName: CONTAINER_NAME,
      cost: { architecture: "X86_64" },
    });
    return reading.kind === "observation"
      ? { jobId: reading.jobId, observation: reading.observation }
      : undefined;
  }

  /** The task as ECS details it in its events (ISO-8601 times). */
  private detail(task: SimTask): Record<string, unknown> {
    const iso = (ms: number | undefined) => (ms === undefined ? undefined : this.clock.iso(ms));
    return defined({
      clusterArn: this.settings.clusterArn,
      taskArn: task.taskArn,
      launchType: "FARGATE",
      capacityProviderName: task.capacityProvider,
      cpu: String(task.cpu),
      memory: String(task.memoryMib),
      lastStatus: task.lastStatus,
      desiredStatus: task.lastStatus === "STOPPED" ? "STOPPED" : "RUNNING",
      version: task.version,
      startedBy: task.jobId,
      containers: [
        defined({
          name: CONTAINER_NAME,
          lastStatus: task.lastStatus,
          exitCode: task.exitCode,
          reason: task.containerReason,
        }),
      ],
      overrides: { containerOverrides: [{ name: CONTAINER_NAME, environment: task.environment }] },
      createdAt: iso(task.createdAtMs),
      pullStartedAt: iso(task.createdAtMs),
      pullStoppedAt: iso(task.startedAtMs),
      startedAt: iso(task.startedAtMs),
      stoppingAt: iso(task.stoppedAtMs),
      executionStoppedAt: iso(task.stoppedAtMs),
      stoppedAt: iso(task.stoppedAtMs),
      stopCode: task.stopCode,
      stoppedReason: task.stoppedReason,
    });
  }
}

/** The first of the plan's ends, as ECS reports it (the contract of issue #14's events). */
function planEnd(plan: TaskPlan): {
  atMs: number;
  stopCode: string;
  reason: string;
  exitCode: number;
  containerReason?: string;
} {
  const exited = "Essential container in task exited";
  const oom = plan.outOfMemoryAtMs ?? Number.POSITIVE_INFINITY;
  const interrupted = plan.interruptedAtMs ?? Number.POSITIVE_INFINITY;
  if (oom < plan.runMs && oom <= interrupted) {
    const containerReason = "OutOfMemoryError: Container killed due to memory usage";
    return {
      atMs: oom,
      stopCode: "EssentialContainerExited",
      reason: exited,
      exitCode: 137,
      containerReason,
    };
  }
  if (interrupted < plan.runMs) {
    const atMs = Math.min(plan.runMs, interrupted + (plan.stopGraceMs ?? 2000));
    return { atMs, stopCode: "SpotInterruption", reason: "Your Spot Task was interrupted.", exitCode: 143 };
  }
  return { atMs: plan.runMs, stopCode: "EssentialContainerExited", reason: exited, exitCode: plan.exitCode };
}

// ---- DynamoDB's latency --------------------------------------------------------------------------------

/** Calls made through `delayed` objects, by method, and the errors they threw, by method and error name. */
export type CallCounts = Map<string, number>;

/**
 * `target` behind a network: every method call takes `latencyMs` of virtual time before it reaches it (the
 * job store, the slot pool and the launch rate are DynamoDB tables in the stack). Counts calls in `counts`.
 */
export function delayed<T extends object>(
  target: T,
  clock: VirtualClock,
  latencyMs: number,
  counts: CallCounts,
): T {
  const count = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  return new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver);
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        count(String(property));
        await clock.sleep(latencyMs);
        try {
          return await Reflect.apply(value, object, args);
        } catch (error) {
          count(`${String(property)} ${error instanceof Error ? error.name : "error"}`);
          throw error;
        }
      };
    },
  });
}
