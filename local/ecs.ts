// Local stand-in for the ECS operations the pipeline uses (RunTask, StopTask, DescribeTasks, ListTasks) on
// one cluster. RunTask honours `clientToken` (the same token returns the same task) and `startedBy`, starts
// the worker through a WorkerLauncher with the contract's environment from the container overrides, and
// emits "ECS Task State Change" events shaped like AWS's — RUNNING, then STOPPED with exit code, stop code
// and timings, `detail.version` increasing — to a sink, the way the pipeline's EventBridge rule delivers them.
// Its tasks live in memory: a later run of local mode knows none of an earlier run's tasks (DescribeTasks
// says MISSING), as ECS forgets a task its host lost, and the sweeper recovers their jobs. Stopping local
// mode stops its tasks the way a host going away does (stop code TerminationNotice: retried, not failed).
// Given launch limits (launch-limits.ts), RunTask refuses calls beyond Fargate's launch rate as ECS does.

import { randomBytes, randomUUID } from "node:crypto";
import { defined } from "../jobs/defined";
import { AwsError, type AwsJsonServer, startAwsJsonServer } from "./aws-json-server";
import { LaunchBucket, type LaunchLimits, THROTTLED_RUN_TASK } from "./launch-limits";

export interface WorkerRun {
  /** Resolves once the worker runs; rejects, with why, when it could not start. */
  readonly started: Promise<void>;
  /** Resolves with the worker's exit code once it has started and ended. */
  readonly exited: Promise<{ readonly exitCode: number }>;
  /** Asks the worker to stop (SIGTERM, as ECS does; SIGKILL after the stop timeout). */
  stop(): void;
  /** Kills the worker at once (SIGKILL). */
  kill(): void;
}

export interface WorkerLauncher {
  start(task: { readonly taskId: string; readonly environment: Record<string, string> }): WorkerRun;
}

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
    readonly architecture: "ARM64" | "X86_64";
  };
  readonly launcher: WorkerLauncher;
  /** Receives each task state change event (the EventBridge rule's target). */
  readonly onEvent: (event: TaskEvent) => Promise<void>;
  /** Fargate's launch limits, enforced on RunTask (refused as ECS refuses it); without them, none. */
  readonly launchLimits?: LaunchLimits;
  /** Milliseconds now, for the launch limits (default: the system clock). */
  readonly nowMs?: () => number;
}

interface Task {
  readonly taskArn: string;
  readonly startedBy?: string;
  readonly clientToken?: string;
  readonly environment: ReadonlyArray<{ name: string; value: string }>;
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
      if (existing) return { tasks: [this.describe(existing)], failures: [] };
    }
    const task: Task = {
      taskArn: `arn:aws:ecs:${this.options.region}:${this.options.account}:task/${this.options.clusterName}/${randomBytes(16).toString("hex")}`,
      ...(startedBy === undefined ? {} : { startedBy }),
      ...(clientToken === undefined ? {} : { clientToken }),
      environment: overrideEnvironment(input.overrides, this.options.containerName),
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
    const run = this.options.launcher.start({ taskId: taskId(task.taskArn), environment });
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
    await this.emit(task);
    const { exitCode } = await run.exited;
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
      platformVersion: "1.4.0",
      cpu: String(this.options.size?.cpu ?? 1024),
      memory: String(this.options.size?.memoryMb ?? 2048),
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
  if (JSON.stringify(overrides).length > 8192) {
    throw new AwsError("InvalidParameterException", "Container Overrides length must be at most 8192");
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

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new AwsError("InvalidParameterException", `${name} must be a string`);
  return value;
}

function taskId(taskArn: string): string {
  return taskArn.slice(taskArn.lastIndexOf("/") + 1);
}
