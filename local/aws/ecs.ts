// Local stand-in for the ECS operations the pipeline uses (RunTask, StopTask, DescribeTasks, ListTasks) on
// one cluster. RunTask honours `clientToken` (the same token returns the same task; with another placement
// or size it answers ConflictException, as ECS does) and `startedBy`, starts
// the worker through a WorkerLauncher with the contract's environment from the container overrides, and
// emits "ECS Task State Change" events shaped like AWS's — RUNNING, then STOPPED with exit code, stop code
// and timings, `detail.version` increasing — to a sink, the way the pipeline's EventBridge rule delivers them.
// Its tasks live in memory: a later run of local mode knows none of an earlier run's tasks (DescribeTasks
// says MISSING), as ECS forgets a task its host lost, and the sweeper recovers their jobs. Stopping local
// mode stops its tasks the way a host going away does (stop code TerminationNotice: retried, not failed).
// Given launch limits (launch-limits.ts), RunTask refuses calls beyond Fargate's launch rate as ECS does.
// Capacity and size as ECS's: RunTask's capacity provider strategy (FARGATE or FARGATE_SPOT; or launchType
// FARGATE alone) and task-level cpu/memory overrides are honoured and reported on the task; the launcher holds
// the worker to the task's memory, and one killed over it stops as ECS reports it (exit 137,
// OutOfMemoryError). Given Spot interruptions (spot-interruptions.ts), a share of FARGATE_SPOT tasks is
// interrupted while running (SIGTERM, then SIGKILL after the stop timeout; stopCode SpotInterruption); given
// a share of Spot launches without capacity, RunTask refuses that share of FARGATE_SPOT calls as ECS does.

import { randomBytes, randomUUID } from "node:crypto";
import { type FargateCpuArchitecture, fargateSizeProblem } from "../../config/fargate";
import { ECS_OVERRIDES_MAX_CHARS } from "../../jobs/boundary";
import { CAPACITY_PROVIDERS, type CapacityProvider, defined, type TaskSize } from "../../jobs/model";
import { AwsError, type AwsJsonServer, startAwsJsonServer } from "./aws-json-server";
import { LaunchBucket, type LaunchLimits, THROTTLED_RUN_TASK } from "./launch-limits";
import {
  interruptionDelayMs,
  SPOT_CAPACITY_UNAVAILABLE,
  SPOT_INTERRUPTION,
  type SpotInterruptions,
} from "./spot-interruptions";

export interface WorkerRun {
  /** Resolves once the worker runs; rejects, with why, when it could not start. */
  readonly started: Promise<void>;
  /**
   * Resolves with the worker's exit code once it has started and ended, and whether it was killed for
   * going over the task's memory.
   */
  readonly exited: Promise<{ readonly exitCode: number; readonly outOfMemory?: boolean }>;
  /** Asks the worker to stop (SIGTERM, as ECS does; SIGKILL after the task's stop timeout). */
  stop(): void;
  /** Kills the worker at once (SIGKILL). */
  kill(): void;
}

/** What a launcher is given to run one task's worker. */
export interface WorkerTask {
  readonly taskId: string;
  readonly environment: Record<string, string>;
  /** The task's memory (MiB): the worker's whole process tree is killed over it, as ECS does. */
  readonly memoryMib: number;
  /** Seconds between SIGTERM and SIGKILL when the task is stopped (the task definition's stopTimeout). */
  readonly stopTimeoutSeconds: number;
}

export interface WorkerLauncher {
  start(task: WorkerTask): WorkerRun;
}

const isCapacityProvider = (name: unknown): name is CapacityProvider =>
  CAPACITY_PROVIDERS.some((provider) => provider === name);

/** How ECS words the container of a task killed over its memory (its exit code: 137, SIGKILL's). */
export const OUT_OF_MEMORY_REASON = "OutOfMemoryError: Container killed due to memory usage";

export type TaskEvent = Record<string, unknown>;

/** How a task stopped by local mode's own shutdown reads: a host going away, as ECS reports it. */
export const SHUTDOWN_STOP_CODE = "TerminationNotice";
export const SHUTDOWN_STOP_REASON =
  "local mode stopped: the task was stopped with it, and its job is retried when local mode runs again";

export interface LocalEcsOptions {
  readonly region: string;
  readonly account: string;
  readonly clusterName: string;
  /** Task definition family; RunTask accepts the family, `family:revision` or the full ARN. */
  readonly family: string;
  readonly containerName: string;
  /** The task definition's size, reported in every event as Fargate does; default 1 vCPU, 2 GiB, 20 GiB. */
  readonly size?: {
    readonly cpu: number;
    readonly memoryMb: number;
    readonly ephemeralStorageGib: number;
    readonly architecture: FargateCpuArchitecture;
  };
  /** The worker container's stopTimeout: seconds between SIGTERM and SIGKILL (the stack's). */
  readonly stopTimeoutSeconds: number;
  readonly launcher: WorkerLauncher;
  /** Receives each task state change event (the EventBridge rule's target). */
  readonly onEvent: (event: TaskEvent) => Promise<void>;
  /** Fargate's launch limits, enforced on RunTask (refused as ECS refuses it); without them, none. */
  readonly launchLimits?: LaunchLimits;
  /** Milliseconds now, for the launch limits (default: the system clock). */
  readonly nowMs?: () => number;
  /** Simulated Spot interruptions of FARGATE_SPOT tasks (`--spot-interruptions`); without them, none. */
  readonly spotInterruptions?: SpotInterruptions;
  /**
   * The share (0-1) of RunTask calls for FARGATE_SPOT refused for lack of capacity (`--spot-unavailable`), as
   * ECS answers them: no task, a failure saying capacity is unavailable. Without it: none.
   */
  readonly spotUnavailable?: number;
  /** [0, 1), for the choice of capacity provider, of refused launches and of interrupted tasks (default Math.random). */
  readonly random?: () => number;
}

interface Task {
  readonly taskArn: string;
  readonly startedBy?: string;
  readonly clientToken?: string;
  /** The placement and size RunTask asked for (clientPlacement): a call reusing the token must ask the same. */
  readonly requested: string;
  readonly environment: ReadonlyArray<{ name: string; value: string }>;
  /** Absent for a task run with launchType FARGATE alone (On-Demand, as ECS reports it). */
  readonly capacityProviderName?: CapacityProvider;
  /** The task's size, CPU units and MiB: the overrides' when given, else the task definition's. */
  readonly size: TaskSize;
  /** The task-level overrides as RunTask gave them, echoed in the task's `overrides`. */
  readonly sizeOverrides: { readonly cpu?: string; readonly memory?: string };
  readonly createdAt: Date;
  lastStatus: "PROVISIONING" | "RUNNING" | "STOPPED";
  desiredStatus: "RUNNING" | "STOPPED";
  version: number;
  pullStartedAt?: Date;
  pullStoppedAt?: Date;
  startedAt?: Date;
  stoppingAt?: Date;
  stoppedAt?: Date;
  stopCode?: string;
  stoppedReason?: string;
  exitCode?: number;
  containerReason?: string;
  run?: WorkerRun;
  spotInterruption?: ReturnType<typeof setTimeout>;
}

export class LocalEcs {
  private readonly tasks = new Map<string, Task>();
  private readonly byClientToken = new Map<string, Task>();
  private readonly pending = new Set<Promise<void>>();
  private server: AwsJsonServer | undefined;
  private readonly launchBucket: LaunchBucket | undefined;
  readonly clusterArn: string;
  readonly taskDefinitionArn: string;

  constructor(private readonly options: LocalEcsOptions) {
    this.launchBucket = options.launchLimits && new LaunchBucket(options.launchLimits);
    const prefix = `arn:aws:ecs:${options.region}:${options.account}`;
    this.clusterArn = `${prefix}:cluster/${options.clusterName}`;
    this.taskDefinitionArn = `${prefix}:task-definition/${options.family}:1`;
  }

  async start(port?: number): Promise<string> {
    this.server = await startAwsJsonServer({
      errorNamespace: "com.amazonaws.ecs",
      port,
      operations: {
        RunTask: (input) => this.runTask(input),
        StopTask: (input) => this.stopTask(input),
        DescribeTasks: (input) => this.describeTasks(input),
        ListTasks: (input) => this.listTasks(input),
      },
    });
    return this.server.endpoint;
  }

  /**
   * Local mode is stopping: every task still running is stopped as when its host goes away (SIGTERM to the
   * worker, stop code TerminationNotice, which the retry policy reads as an infrastructure stop), and this
   * waits until their STOPPED events are delivered, so each job is left waiting for its retry.
   */
  async stop(): Promise<void> {
    for (const task of this.tasks.values()) {
      if (task.lastStatus === "STOPPED" || task.desiredStatus === "STOPPED") continue;
      this.requestStop(task, SHUTDOWN_STOP_CODE, SHUTDOWN_STOP_REASON);
    }
    await this.settled();
    await this.server?.stop();
  }

  /** Kills every worker at once (a second Ctrl-C): no event is delivered; the next run's sweeper recovers. */
  kill(): void {
    for (const task of this.tasks.values()) if (task.lastStatus !== "STOPPED") task.run?.kill();
  }

  /** Resolves when every task started so far has stopped and its events were delivered. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  runTask(input: Record<string, unknown>): { tasks: unknown[]; failures: unknown[] } {
    // The rate is checked first, as ECS does: a throttled call is refused whatever it asked.
    if (this.launchBucket && !this.launchBucket.take((this.options.nowMs ?? Date.now)()))
      throw new AwsError(THROTTLED_RUN_TASK.code, THROTTLED_RUN_TASK.message);
    this.requireCluster(input.cluster);
    this.requireTaskDefinition(input.taskDefinition);
    const count = input.count ?? 1;
    if (count !== 1)
      throw new AwsError("InvalidParameterException", "this local ECS runs one task per RunTask (count 1)");
    const startedBy = optionalString(input.startedBy, "startedBy");
    if (startedBy !== undefined && !/^[A-Za-z0-9_/-]{1,36}$/.test(startedBy)) {
      throw new AwsError(
        "InvalidParameterException",
        "startedBy must be at most 36 letters, numbers, '_', '/' or '-'",
      );
    }
    const clientToken = optionalString(input.clientToken, "clientToken");
    if (clientToken !== undefined) {
      if (!/^[\x20-\x7e]{1,64}$/.test(clientToken)) {
        throw new AwsError("InvalidParameterException", "clientToken must be 1 to 64 ASCII characters");
      }
      const existing = this.byClientToken.get(clientToken);
      if (existing && existing.requested !== clientPlacement(input)) {
        // ECS's words, and the task the token started (`resourceIds`), as the ECS API reference gives them.
        throw new AwsError(
          "ConflictException",
          "The RunTask request could not be processed due to conflicts. The provided clientToken is already in use with a different RunTask request.",
          400,
          { resourceIds: [existing.taskArn] },
        );
      }
      if (existing) return { tasks: [this.describe(existing)], failures: [] };
    }
    const capacityProviderName = this.placement(input);
    const sizeOverrides = taskSizeOverrides(input.overrides);
    const size = this.taskSize(sizeOverrides);
    if (capacityProviderName === "FARGATE_SPOT" && this.spotUnavailableNow())
      return { tasks: [], failures: [{ reason: SPOT_CAPACITY_UNAVAILABLE }] };
    const task: Task = {
      taskArn: `arn:aws:ecs:${this.options.region}:${this.options.account}:task/${this.options.clusterName}/${randomBytes(16).toString("hex")}`,
      ...(startedBy === undefined ? {} : { startedBy }),
      ...(clientToken === undefined ? {} : { clientToken }),
      requested: clientPlacement(input),
      environment: overrideEnvironment(input.overrides, this.options.containerName),
      ...(capacityProviderName === undefined ? {} : { capacityProviderName }),
      size,
      sizeOverrides,
      createdAt: new Date(),
      lastStatus: "PROVISIONING",
      desiredStatus: "RUNNING",
      version: 1,
    };
    this.tasks.set(task.taskArn, task);
    if (clientToken !== undefined) this.byClientToken.set(clientToken, task);
    this.track(this.lifecycle(task));
    return { tasks: [this.describe(task)], failures: [] };
  }

  stopTask(input: Record<string, unknown>): { task: unknown } {
    this.requireCluster(input.cluster);
    const task = this.findTask(input.task);
    // ECS's own words for a task it does not know (or no longer knows).
    if (!task) throw new AwsError("InvalidParameterException", "The referenced task was not found.");
    if (task.lastStatus !== "STOPPED" && task.desiredStatus !== "STOPPED") {
      this.requestStop(
        task,
        "UserInitiated",
        optionalString(input.reason, "reason") ?? "Task stopped by user",
      );
    }
    return { task: this.describe(task) };
  }

  /**
   * The capacity provider RunTask places the task on: the strategy's (a provider with a base first, else one
   * drawn by weight), none for `launchType: "FARGATE"` or for neither (this cluster's default: On-Demand).
   */
  private placement(input: Record<string, unknown>): CapacityProvider | undefined {
    const strategy = input.capacityProviderStrategy;
    if (input.launchType !== undefined && strategy !== undefined) {
      throw new AwsError(
        "InvalidParameterException",
        "Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.",
      );
    }
    if (input.launchType !== undefined && input.launchType !== "FARGATE") {
      throw new AwsError(
        "InvalidParameterException",
        `this local ECS runs Fargate tasks only (launchType FARGATE), got ${JSON.stringify(input.launchType)}`,
      );
    }
    if (strategy === undefined) return undefined;
    const items = capacityProviderStrategy(strategy);
    const based = items.find((item) => item.base > 0) ?? (items.length === 1 ? items[0] : undefined);
    if (based) return based.capacityProvider;
    const total = items.reduce((sum, item) => sum + item.weight, 0);
    let draw = (this.options.random ?? Math.random)() * total;
    for (const item of items) {
      draw -= item.weight;
      if (draw < 0 && item.weight > 0) return item.capacityProvider;
    }
    // Only rounding reaches here: the last provider with a weight.
    return items.filter((item) => item.weight > 0).at(-1)?.capacityProvider;
  }

  /** Whether this Spot launch is one of the share refused for lack of capacity. */
  private spotUnavailableNow(): boolean {
    const share = this.options.spotUnavailable;
    return share !== undefined && (this.options.random ?? Math.random)() < share;
  }

  /** The task's size: the overrides' over the task definition's, refused when not a Fargate size. */
  private taskSize(overrides: { readonly cpu?: string; readonly memory?: string }): TaskSize {
    const cpu = overrides.cpu === undefined ? this.definitionCpu() : Number(overrides.cpu);
    const memoryMib = overrides.memory === undefined ? this.definitionMemoryMib() : Number(overrides.memory);
    const problem = fargateSizeProblem(cpu, memoryMib);
    if (problem !== undefined) {
      throw new AwsError(
        "InvalidParameterException",
        `No Fargate configuration exists for given values: ${cpu} CPU, ${memoryMib} memory (${problem})`,
      );
    }
    return { cpu, memoryMib };
  }

  private definitionCpu(): number {
    return this.options.size?.cpu ?? 1024;
  }

  private definitionMemoryMib(): number {
    return this.options.size?.memoryMb ?? 2048;
  }

  private requestStop(task: Task, stopCode: string, reason: string): void {
    task.desiredStatus = "STOPPED";
    task.stopCode = stopCode;
    task.stoppedReason = reason;
    task.stoppingAt = new Date();
    task.run?.stop();
  }

  describeTasks(input: Record<string, unknown>): { tasks: unknown[]; failures: unknown[] } {
    this.requireCluster(input.cluster);
    const wanted = Array.isArray(input.tasks) ? input.tasks : [];
    const tasks: unknown[] = [];
    const failures: unknown[] = [];
    for (const id of wanted) {
      const task = this.findTask(id);
      if (task) tasks.push(this.describe(task));
      else failures.push({ arn: String(id), reason: "MISSING" });
    }
    return { tasks, failures };
  }

  listTasks(input: Record<string, unknown>): { taskArns: string[] } {
    this.requireCluster(input.cluster);
    const startedBy = optionalString(input.startedBy, "startedBy");
    const desiredStatus = optionalString(input.desiredStatus, "desiredStatus") ?? "RUNNING";
    const taskArns = [...this.tasks.values()]
      .filter(
        (t) => (startedBy === undefined || t.startedBy === startedBy) && t.desiredStatus === desiredStatus,
      )
      .map((t) => t.taskArn);
    return { taskArns };
  }

  private async lifecycle(task: Task): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve)); // RunTask answers first, as ECS does
    task.pullStartedAt = new Date();
    const environment = Object.fromEntries(task.environment.map((v) => [v.name, v.value]));
    const run = this.options.launcher.start({
      taskId: taskId(task.taskArn),
      environment,
      memoryMib: task.size.memoryMib,
      stopTimeoutSeconds: this.options.stopTimeoutSeconds,
    });
    task.run = run;
    // A stop requested before the worker started still reaches it.
    if (task.desiredStatus === "STOPPED") run.stop();
    try {
      await run.started;
    } catch (error) {
      // Like ECS: a task that could not start goes to STOPPED without RUNNING, and without an exit code.
      Object.assign(task, {
        pullStoppedAt: new Date(),
        stoppedAt: new Date(),
        lastStatus: "STOPPED",
        desiredStatus: "STOPPED",
        version: 3,
        stopCode: "TaskFailedToStart",
        stoppedReason: `CannotStartContainerError: ${error instanceof Error ? error.message : String(error)}`,
      });
      await this.emit(task);
      return;
    }
    task.pullStoppedAt = new Date();
    task.startedAt = new Date();
    task.lastStatus = "RUNNING";
    task.version = 3; // PROVISIONING (1) and PENDING (2) are filtered out by the pipeline's rule
    this.scheduleSpotInterruption(task);
    await this.emit(task);
    const { exitCode, outOfMemory } = await run.exited;
    clearTimeout(task.spotInterruption);
    if (outOfMemory) task.containerReason = OUT_OF_MEMORY_REASON;
    task.stoppingAt ??= new Date();
    task.stoppedAt = new Date();
    task.lastStatus = "STOPPED";
    task.desiredStatus = "STOPPED";
    task.version = 5; // STOPPING (4) is filtered out too
    task.exitCode = exitCode;
    task.stopCode ??= "EssentialContainerExited";
    task.stoppedReason ??= "Essential container in task exited";
    await this.emit(task);
  }

  /** A running FARGATE_SPOT task may be drawn for an interruption: Spot reclaiming its capacity. */
  private scheduleSpotInterruption(task: Task): void {
    const interruptions = this.options.spotInterruptions;
    if (interruptions === undefined || task.capacityProviderName !== "FARGATE_SPOT") return;
    const delayMs = interruptionDelayMs(interruptions, this.options.random ?? Math.random);
    if (delayMs === undefined) return;
    task.spotInterruption = setTimeout(() => {
      if (task.lastStatus !== "RUNNING" || task.desiredStatus === "STOPPED") return;
      this.requestStop(task, SPOT_INTERRUPTION.stopCode, SPOT_INTERRUPTION.stoppedReason);
    }, delayMs);
  }

  private async emit(task: Task): Promise<void> {
    const snapshot = this.describe(task, "iso");
    await this.options.onEvent({
      version: "0",
      id: randomUUID(),
      "detail-type": "ECS Task State Change",
      source: "aws.ecs",
      account: this.options.account,
      time: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
      region: this.options.region,
      resources: [task.taskArn],
      detail: snapshot,
    });
  }

  /** The task as the API returns it (epoch-second timestamps) or as events carry it (ISO-8601). */
  private describe(task: Task, times: "epoch" | "iso" = "epoch"): Record<string, unknown> {
    const time = (date: Date | undefined) =>
      date === undefined ? undefined : times === "epoch" ? date.getTime() / 1000 : date.toISOString();
    const container: Record<string, unknown> = {
      containerArn: `arn:aws:ecs:${this.options.region}:${this.options.account}:container/${this.options.clusterName}/${taskId(task.taskArn)}/${this.options.containerName}`,
      lastStatus: task.lastStatus,
      name: this.options.containerName,
      taskArn: task.taskArn,
      ...(task.exitCode === undefined ? {} : { exitCode: task.exitCode }),
      ...(task.containerReason === undefined ? {} : { reason: task.containerReason }),
    };
    return defined({
      clusterArn: this.clusterArn,
      taskArn: task.taskArn,
      taskDefinitionArn: this.taskDefinitionArn,
      group: `family:${this.options.family}`,
      launchType: "FARGATE",
      capacityProviderName: task.capacityProviderName,
      platformVersion: "1.4.0",
      cpu: String(task.size.cpu),
      memory: String(task.size.memoryMib),
      ephemeralStorage: { sizeInGiB: this.options.size?.ephemeralStorageGib ?? 20 },
      attributes: [
        {
          name: "ecs.cpu-architecture",
          value: this.options.size?.architecture === "X86_64" ? "x86_64" : "arm64",
        },
      ],
      lastStatus: task.lastStatus,
      desiredStatus: task.desiredStatus,
      version: task.version,
      startedBy: task.startedBy,
      containers: [container],
      overrides: {
        containerOverrides: [{ name: this.options.containerName, environment: task.environment }],
        ...task.sizeOverrides,
      },
      createdAt: time(task.createdAt),
      pullStartedAt: time(task.pullStartedAt),
      pullStoppedAt: time(task.pullStoppedAt),
      startedAt: time(task.startedAt),
      stoppingAt: time(task.stoppingAt),
      executionStoppedAt: time(task.stoppedAt),
      stoppedAt: time(task.stoppedAt),
      stopCode: task.stopCode,
      stoppedReason: task.stoppedReason,
    });
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => console.error("local ECS: task lifecycle failed", error));
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }

  private findTask(id: unknown): Task | undefined {
    if (typeof id !== "string") return undefined;
    return this.tasks.get(id) ?? [...this.tasks.values()].find((t) => taskId(t.taskArn) === id);
  }

  private requireCluster(cluster: unknown): void {
    const given = cluster === undefined ? "default" : String(cluster);
    if (given !== this.clusterArn && given !== this.options.clusterName) {
      throw new AwsError("ClusterNotFoundException", `Cluster not found: ${given}`);
    }
  }

  private requireTaskDefinition(definition: unknown): void {
    const given = String(definition);
    const family = this.options.family;
    if (
      given !== family &&
      !given.startsWith(`${family}:`) &&
      !given.endsWith(`:task-definition/${family}:1`)
    ) {
      throw new AwsError("ClientException", `Unable to describe task definition ${given}`);
    }
  }
}

function overrideEnvironment(
  overrides: unknown,
  containerName: string,
): Array<{ name: string; value: string }> {
  const containers = (overrides as { containerOverrides?: unknown } | undefined)?.containerOverrides;
  if (containers === undefined) return [];
  if (!Array.isArray(containers))
    throw new AwsError("InvalidParameterException", "containerOverrides must be a list");
  // ECS holds the container overrides to the limit, not the whole of `overrides`: an attempt's task-level
  // cpu/memory beside them do not count. Measured as the job model measures a job before admitting it.
  if (JSON.stringify({ containerOverrides: containers }).length > ECS_OVERRIDES_MAX_CHARS) {
    throw new AwsError(
      "InvalidParameterException",
      `Container Overrides length must be at most ${ECS_OVERRIDES_MAX_CHARS}`,
    );
  }
  const ours = containers.find((c: { name?: unknown }) => c.name === containerName);
  if (!ours)
    throw new AwsError(
      "InvalidParameterException",
      `Override for container named ${containerName} is not a container in the TaskDefinition.`,
    );
  const environment = (ours as { environment?: unknown }).environment ?? [];
  if (!Array.isArray(environment))
    throw new AwsError("InvalidParameterException", "environment must be a list");
  return environment.map((v: { name?: unknown; value?: unknown }) => ({
    name: String(v.name),
    value: String(v.value ?? ""),
  }));
}

/**
 * The parameters of a RunTask call that decide where and how big its task runs (launch type, capacity
 * provider strategy, task-level cpu and memory), as one comparable string. ECS compares every parameter of a
 * call reusing a client token; these are the ones the pipeline's launches of one attempt could disagree on.
 */
function clientPlacement(input: Record<string, unknown>): string {
  const overrides =
    typeof input.overrides === "object" && input.overrides !== null
      ? (input.overrides as Record<string, unknown>)
      : {};
  return JSON.stringify([
    input.launchType ?? null,
    input.capacityProviderStrategy ?? null,
    overrides.cpu ?? null,
    overrides.memory ?? null,
  ]);
}

/** RunTask's `overrides.cpu` / `overrides.memory`: strings of CPU units and MiB, as ECS takes them. */
function taskSizeOverrides(overrides: unknown): { cpu?: string; memory?: string } {
  if (overrides === undefined || overrides === null) return {};
  const given = overrides as { cpu?: unknown; memory?: unknown };
  const read = (name: "cpu" | "memory") => {
    const value = optionalString(given[name], `overrides.${name}`);
    if (value !== undefined && !/^[1-9]\d{0,6}$/.test(value)) {
      const unit = name === "cpu" ? 'CPU units, e.g. "1024"' : 'MiB, e.g. "4096"';
      throw new AwsError(
        "InvalidParameterException",
        `overrides.${name} must be a whole number of ${unit}, got "${value}"`,
      );
    }
    return value;
  };
  const cpu = read("cpu");
  const memory = read("memory");
  return { ...(cpu === undefined ? {} : { cpu }), ...(memory === undefined ? {} : { memory }) };
}

interface StrategyItem {
  readonly capacityProvider: CapacityProvider;
  readonly weight: number;
  readonly base: number;
}

/** RunTask's `capacityProviderStrategy`, checked as ECS checks it, against this cluster's two providers. */
function capacityProviderStrategy(strategy: unknown): StrategyItem[] {
  const invalid = (message: string) => new AwsError("InvalidParameterException", message);
  if (!Array.isArray(strategy) || strategy.length === 0)
    throw invalid("capacityProviderStrategy must be a list of at least one capacity provider");
  const items = strategy.map((entry: unknown): StrategyItem => {
    const { capacityProvider, weight = 0, base = 0 } = (entry ?? {}) as Record<string, unknown>;
    if (!isCapacityProvider(capacityProvider)) {
      throw invalid(
        `The specified capacity provider ${JSON.stringify(capacityProvider)} is not associated with the cluster (it has ${CAPACITY_PROVIDERS.join(" and ")})`,
      );
    }
    if (typeof weight !== "number" || !Number.isInteger(weight) || weight < 0 || weight > 1000)
      throw invalid(`the weight of ${capacityProvider} must be a whole number from 0 to 1000`);
    if (typeof base !== "number" || !Number.isInteger(base) || base < 0 || base > 100000)
      throw invalid(`the base of ${capacityProvider} must be a whole number from 0 to 100000`);
    return { capacityProvider, weight, base };
  });
  if (new Set(items.map((item) => item.capacityProvider)).size !== items.length)
    throw invalid("a capacity provider may appear only once in capacityProviderStrategy");
  if (items.filter((item) => item.base > 0).length > 1)
    throw invalid("only one capacity provider in capacityProviderStrategy can have a base");
  if (items.length > 1 && items.every((item) => item.weight === 0 && item.base === 0))
    throw invalid("at least one capacity provider in capacityProviderStrategy must have a weight above 0");
  return items;
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new AwsError("InvalidParameterException", `${name} must be a string`);
  return value;
}

function taskId(taskArn: string): string {
  return taskArn.slice(taskArn.lastIndexOf("/") + 1);
}
