// Local mode's wiring: the real dispatcher and task-state handlers and the real worker, against local
// endpoints on loopback — dynalite (DynamoDB), s3rver (S3), and the SQS and ECS stand-ins of this folder —
// reached through the standard AWS_ENDPOINT_URL_<SERVICE> variables. No handler knows it runs locally.
// The sweeper handler runs on a local schedule (sweeper.ts), so whatever a crash of local mode left
// unfinished is finished after the next start.

import { existsSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { SQSBatchResponse } from "aws-lambda";
import type { HandlerEnvironment } from "../components/lib/handler-environment";
import { everySettingEnvironment } from "../config/handler-variables";
import { LOCAL_CREDENTIALS, type LocalEndpoints, writeLocalEndpoints } from "../config/local-endpoints";
import { handlerSettings, type PipelineConfig, sweeperTimeoutSeconds } from "../config/parse";
import { createCapacityTable, createJobsTable } from "../jobs/adapters/aws/create-jobs-table";
import { DynamoDbJobStore } from "../jobs/adapters/aws/dynamodb-store";
import { type JobStateChange, jobStateChanges, readMessage } from "../jobs/boundary";
import type { JobEvent } from "../jobs/model";
import { JOB_METRICS_NAMESPACE, JOB_STATUSES, type JobState } from "../jobs/model";
import type { JobStore } from "../jobs/store";
import type { SweepReport } from "../jobs/workflows";
import { bundleWorker } from "../worker/build";
import { type RunningDynamoDb, startDynamoDb } from "./aws/dynamodb";
import { LocalEcs, type TaskEvent, type WorkerLauncher } from "./aws/ecs";
import type { LaunchLimits } from "./aws/launch-limits";
import { type RunningS3, startS3 } from "./aws/s3";
import type { SpotInterruptions } from "./aws/spot-interruptions";
import { LOCAL_ACCOUNT, LocalSqs } from "./aws/sqs";
import { type HandlerProcess, startHandlerProcess } from "./handlers/handler-process";
import { LOCAL_METRICS_SERVICE } from "./handlers/metric-lines";
import { QueueConsumer } from "./handlers/queue-consumer";
import {
  LOCAL_SWEEP,
  type LocalSweepTimings,
  localSweepEnvironment,
  scheduleSweeps,
} from "./handlers/sweeper";
import { acquireStateLock } from "./state-lock";
import {
  type LocalWebhookOutbox,
  OUTBOX_FOLDER,
  openWebhookOutbox,
  type WebhookDelivery,
} from "./webhook-outbox";
import { dockerLauncher, processLauncher, requireDockerEngine } from "./workers/worker-launchers";
import { killLeftoverWorkers, workerPidDirectory, workerPidFiles } from "./workers/worker-pids";

export const LOCAL_REGION = "us-east-1";
export const LOCAL_NAMES = {
  bucket: "video-jobs-uploads",
  table: "video-jobs-jobs",
  capacityTable: "video-jobs-capacity",
  queue: "video-jobs-queue",
  deadLetterQueue: "video-jobs-dlq",
  outcomesDeadLetterQueue: "video-jobs-outcomes-dlq",
  eventBus: "video-jobs-local",
  cluster: "video-jobs",
  family: "video-jobs-worker",
  container: "worker",
} as const;

const CREDENTIALS_ENVIRONMENT = {
  AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
};
/** EventBridge retries a failed delivery to its target; local mode does so this many times. */
const EVENT_DELIVERY_TRIES = 5;

/** What each handler's Lambda context says of its remaining time: the stack's timeouts. */
const HANDLER_TIMEOUT_MS: Record<
  "dispatcher" | "task-state" | "sweeper",
  (config: PipelineConfig) => number
> = {
  dispatcher: (config) => config.dispatcher.timeoutSeconds * 1000,
  "task-state": (config) => config.taskStateTimeoutSeconds * 1000,
  sweeper: (config) => sweeperTimeoutSeconds(config) * 1000,
};

/** What --reset removes: everything in the state folder but its lock. */
const STATE_PARTS = [
  "dynamodb",
  "s3",
  "sqs.json",
  "logs",
  "worker",
  "worker-pids",
  "endpoints.json",
  OUTBOX_FOLDER,
];

export interface LocalPipelineOptions {
  /** Local mode's state (.local/): the DynamoDB and S3 data, worker logs, the endpoints file. */
  readonly stateDirectory: string;
  /** Start from nothing: the state directory is removed first. */
  readonly reset: boolean;
  readonly config: PipelineConfig;
  /** Run the worker image with `docker run` instead of the worker bundle as a child process. */
  readonly dockerImage?: string;
  /**
   * A script to run with Node as the worker instead of the reference worker's bundle: a stand-in worker
   * (tests use one that needs a given amount of memory). Not with `dockerImage`.
   */
  readonly workerScript?: string;
  /** Fargate's launch limits for the local ECS to enforce on RunTask (`--launch-limits`); default none. */
  readonly launchLimits?: LaunchLimits;
  /** Spot interruptions for the local ECS to simulate on FARGATE_SPOT tasks (`--spot-interruptions`); default none. */
  readonly spotInterruptions?: SpotInterruptions;
  /** The share of FARGATE_SPOT launches the local ECS refuses for lack of capacity (`--spot-unavailable`); default none. */
  readonly spotUnavailable?: number;
  /** `--memory-need MiB`: a task given less memory runs out of it (worker-launchers.ts); default: the real need. */
  readonly simulatedMemoryNeedMib?: number;
  /** The sweeper's interval and local deadlines (`--sweep-every`, `--sweep-quiet`); default LOCAL_SWEEP. */
  readonly sweep?: LocalSweepTimings;
  readonly ports?: {
    readonly dynamodb?: number;
    readonly s3?: number;
    readonly sqs?: number;
    readonly ecs?: number;
  };
  /** Where job histories are reported as they grow: the events new since the last report, and the state. */
  readonly onJobChange?: (jobId: string, newEvents: readonly JobEvent[], state: JobState) => void;
  /**
   * The "Job State Change" events the deployed publisher would put on the jobs bus for the same new events
   * (one per event, same sequence), in order per job; `events` are the history's events they describe.
   */
  readonly onOutcomes?: (
    changes: readonly JobStateChange[],
    events: readonly JobEvent[],
  ) => Promise<void> | void;
  /**
   * POST every Job State Change to a URL through a durable outbox in the state folder (outbox/): retried
   * until accepted, in order per job, what is owed at a stop or a crash sent at the next start.
   */
  readonly webhook?: WebhookDelivery;
  readonly onError?: (message: string, error: unknown) => void;
  /** Where the handlers' metrics are printed, one line each (`metric JobsSucceeded 1 Count service=...`). */
  readonly onMetric?: (line: string) => void;
  /** Things worth a line that are not a job's events (workers of an earlier run killed at start). */
  readonly onNotice?: (message: string) => void;
}

export interface LocalPipeline {
  readonly endpoints: LocalEndpoints;
  readonly endpointsFile: string;
  readonly store: JobStore;
  readonly sqs: LocalSqs;
  readonly ecs: LocalEcs;
  /** The webhook's outbox, with `webhook`. */
  readonly webhook?: LocalWebhookOutbox;
  /** Waits for the next notification of `key` and returns the job id it names. */
  jobIdOfUpload(key: string): Promise<string>;
  /** Stops everything; running workers get SIGTERM and their jobs are left waiting for a retry. */
  stop(): Promise<void>;
  /** Kills every worker at once (SIGKILL), for a stop that cannot wait; the next start recovers their jobs. */
  kill(): void;
}

export async function startLocalPipeline(options: LocalPipelineOptions): Promise<LocalPipeline> {
  const { config, stateDirectory } = options;
  const sweepTimings = options.sweep ?? LOCAL_SWEEP;
  const onError = options.onError ?? ((message, error) => console.error(message, error));
  const releaseLock = acquireStateLock(stateDirectory);
  const stoppers: Array<() => Promise<void>> = [async () => releaseLock()];
  const stop = async () => {
    // Last started, first stopped; each once, even if stop is called again.
    for (const stopOne of stoppers.splice(0).reverse()) {
      await stopOne().catch((error: unknown) => onError("stop failed", error));
    }
  };
  try {
    killWorkersOfEarlierRun(stateDirectory, options.onNotice);
    if (options.reset) {
      for (const part of STATE_PARTS)
        await rm(path.join(stateDirectory, part), { recursive: true, force: true });
    }
    if (options.dockerImage !== undefined) requireDockerEngine();
    const dynamodb: RunningDynamoDb = await startDynamoDb({
      path: path.join(stateDirectory, "dynamodb"),
      ...(options.ports?.dynamodb === undefined ? {} : { port: options.ports.dynamodb }),
    });
    stoppers.push(() => dynamodb.stop());

    const { sqs, queueUrl, outcomesDeadLetterQueueUrl } = await startQueues(options, stoppers);

    const uploadWaiters = new Map<string, (jobId: string) => void>();
    const s3: RunningS3 = await startS3({
      directory: path.join(stateDirectory, "s3"),
      bucket: LOCAL_NAMES.bucket,
      region: LOCAL_REGION,
      filter: { prefix: config.uploads.inputPrefix },
      ...(options.ports?.s3 === undefined ? {} : { port: options.ports.s3 }),
      onError: (error) => onError("local S3 request failed (answered as an S3 error)", error),
      notify: (body) => {
        const { MessageId } = sqs.sendMessage(LOCAL_NAMES.queue, body);
        const [intent] = readMessage(body, MessageId, config.worker.params, config.uploads.inputSuffixes);
        if (intent?.kind !== "submit" || intent.source.kind !== "s3") return;
        uploadWaiters.get(intent.source.key)?.(intent.jobId);
        uploadWaiters.delete(intent.source.key);
      },
    });
    stoppers.push(() => s3.stop());

    const ecsClusterArn = `arn:aws:ecs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:cluster/${LOCAL_NAMES.cluster}`;
    const environment = localHandlerEnvironment(config, {
      dynamodb: dynamodb.endpoint,
      s3: s3.endpoint,
      sqs: sqs.endpoint,
      queueUrl,
      outcomesDeadLetterQueueUrl,
      clusterArn: ecsClusterArn,
    });

    const dynamoClient = new DynamoDBClient({
      endpoint: dynamodb.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    stoppers.push(async () => dynamoClient.destroy());
    await createJobsTable(dynamoClient, LOCAL_NAMES.table);
    await createCapacityTable(dynamoClient, LOCAL_NAMES.capacityTable);
    const store = new DynamoDbJobStore(dynamoClient, { tableName: LOCAL_NAMES.table, retentionDays: 0 });

    const outcomeTarget = { outputBucket: LOCAL_NAMES.bucket, outputPrefix: config.uploads.outputPrefix };
    const webhook =
      options.webhook === undefined
        ? undefined
        : await openWebhookOutbox(stateDirectory, options.webhook, store, outcomeTarget);
    // Closed after the handlers and workers stopped (stoppers run last first): their last events are in it.
    if (webhook !== undefined) stoppers.push(() => webhook.close());
    const report = jobReporter(store, options, webhook, onError);

    const launcher = await workerLauncher(options, s3.endpoint);

    // The handlers run in a process of their own, started with their environment once the local ECS has
    // its endpoint (they need it); it is stopped after the ECS, whose last task events it records.
    let handlers: HandlerProcess | undefined;
    const invoke = <Result>(handler: "dispatcher" | "task-state" | "sweeper", event: unknown) => {
      if (handlers === undefined)
        throw new Error(`local mode: ${handler} invoked before the handlers started`);
      return handlers.invoke<Result>(handler, event, HANDLER_TIMEOUT_MS[handler](config));
    };
    stoppers.push(async () => handlers?.stop());

    const deliverTaskEvent = async (event: TaskEvent) => {
      for (let tries = 1; ; tries++) {
        try {
          await invoke("task-state", event);
          break;
        } catch (error) {
          if (tries >= EVENT_DELIVERY_TRIES) {
            onError(
              `task event not delivered after ${tries} tries (EventBridge would send it to the rule's DLQ)`,
              error,
            );
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** tries));
        }
      }
      const startedBy = (event.detail as { startedBy?: string }).startedBy;
      if (startedBy !== undefined) await report(startedBy);
    };
    const ecs = new LocalEcs({
      region: LOCAL_REGION,
      account: LOCAL_ACCOUNT,
      clusterName: LOCAL_NAMES.cluster,
      family: LOCAL_NAMES.family,
      containerName: LOCAL_NAMES.container,
      size: config.worker,
      stopTimeoutSeconds: config.worker.stopTimeoutSeconds,
      launcher,
      onEvent: deliverTaskEvent,
      ...(options.launchLimits === undefined ? {} : { launchLimits: options.launchLimits }),
      ...(options.spotInterruptions === undefined ? {} : { spotInterruptions: options.spotInterruptions }),
      ...(options.spotUnavailable === undefined ? {} : { spotUnavailable: options.spotUnavailable }),
    });
    const ecsEndpoint = await ecs.start(options.ports?.ecs);
    stoppers.push(() => ecs.stop());
    handlers = await startHandlerProcess(
      {
        ...environment,
        ...localSweepEnvironment(sweepTimings),
        AWS_ENDPOINT_URL_ECS: ecsEndpoint,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      },
      options.onMetric ?? (() => {}),
      (reason) => onError("handlers", new Error(reason)),
    );

    const consumer = new QueueConsumer({
      sqs,
      queueName: LOCAL_NAMES.queue,
      region: LOCAL_REGION,
      batchSize: config.dispatcher.batchSize,
      maxConcurrency: config.dispatcher.maxConcurrency,
      handler: async (event) => {
        const response = await invoke<SQSBatchResponse>("dispatcher", event);
        for (const record of event.Records) {
          const intents = readMessage(
            record.body,
            record.messageId,
            config.worker.params,
            config.uploads.inputSuffixes,
          );
          for (const intent of intents) {
            if (intent.kind !== "ignore") await report(intent.jobId);
            // The deployed dispatcher logs an ignored upload; local mode prints it with the job events.
            else if (intent.upload !== undefined)
              options.onNotice?.(
                `ignored s3://${intent.upload.bucket}/${intent.upload.key} (${intent.upload.why}): ${intent.reason}`,
              );
          }
        }
        return response;
      },
      onError: (error) => onError("dispatcher invocation failed", error),
    });
    consumer.start();
    stoppers.push(() => consumer.stop());

    const sweeps = startSweeps(sweepTimings, store, report, onError, () =>
      invoke<SweepReport>("sweeper", {}),
    );
    stoppers.push(() => sweeps.stop());

    const endpoints: LocalEndpoints = {
      region: LOCAL_REGION,
      endpoints: { dynamodb: dynamodb.endpoint, s3: s3.endpoint, sqs: sqs.endpoint, ecs: ecsEndpoint },
      tableName: LOCAL_NAMES.table,
      queueUrl,
      clusterArn: ecsClusterArn,
      bucket: LOCAL_NAMES.bucket,
      inputPrefix: config.uploads.inputPrefix,
      outputPrefix: config.uploads.outputPrefix,
      // For `retry` (and the console): whether a job that ran out of memory can be retried bigger.
      maxWorkerMemoryMb: config.worker.maxMemoryMb,
      // The deadlines the local sweeper applies, for the CLI's `show` and `list --overdue`.
      deadlines: {
        launchSeconds: sweepTimings.launchSeconds,
        runSeconds: config.jobs.jobTimeoutMinutes * 60,
        quietSeconds: sweepTimings.quietSeconds,
      },
    };
    const endpointsFile = path.join(stateDirectory, "endpoints.json");
    writeLocalEndpoints(endpointsFile, endpoints);
    stoppers.push(() => rm(endpointsFile, { force: true }));

    return {
      endpoints,
      endpointsFile,
      store,
      sqs,
      ecs,
      ...(webhook === undefined ? {} : { webhook }),
      jobIdOfUpload: (key) => new Promise((resolve) => uploadWaiters.set(key, resolve)),
      stop,
      kill: () => ecs.kill(),
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** What the handlers read from their environment in local mode (the stand-ins' endpoints, the stack's settings). */
function localHandlerEnvironment(
  config: PipelineConfig,
  at: {
    readonly dynamodb: string;
    readonly s3: string;
    readonly sqs: string;
    readonly queueUrl: string;
    readonly outcomesDeadLetterQueueUrl: string;
    readonly clusterArn: string;
  },
): Record<string, string> {
  // The handlers' environment, as the Pulumi program sets it on the Lambdas: the same typed builder
  // (HandlerEnvironment), so a variable the handlers read and local mode forgets does not compile.
  const handlerEnvironment: HandlerEnvironment = {
    JOBS_TABLE: LOCAL_NAMES.table,
    CAPACITY_TABLE: LOCAL_NAMES.capacityTable,
    JOBS_QUEUE_URL: at.queueUrl,
    CLUSTER_ARN: at.clusterArn,
    TASK_DEFINITION_ARN: `arn:aws:ecs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:task-definition/${LOCAL_NAMES.family}:1`,
    WORKER_CONTAINER_NAME: LOCAL_NAMES.container,
    SUBNET_IDS: "subnet-local",
    SECURITY_GROUP_IDS: "sg-local",
    ASSIGN_PUBLIC_IP: "DISABLED",
    OUTPUT_BUCKET: LOCAL_NAMES.bucket,
    // Local mode publishes job state changes itself (no streams); the handlers only need the names.
    JOBS_EVENT_BUS_NAME: LOCAL_NAMES.eventBus,
    OUTCOMES_DEAD_LETTER_QUEUE_URL: at.outcomesDeadLetterQueueUrl,
    // One process runs every handler: it is given every function's variables.
    ...everySettingEnvironment(handlerSettings(config)),
    POWERTOOLS_LOG_LEVEL: "WARN",
    METRICS_NAMESPACE: JOB_METRICS_NAMESPACE,
    METRICS_SERVICE: LOCAL_METRICS_SERVICE,
    POWERTOOLS_SERVICE_NAME: "video-jobs-local",
  };
  // The SDK's own variables point the handlers' clients at the stand-ins.
  return {
    AWS_REGION: LOCAL_REGION,
    ...CREDENTIALS_ENVIRONMENT,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_ENDPOINT_URL_DYNAMODB: at.dynamodb,
    AWS_ENDPOINT_URL_S3: at.s3,
    AWS_S3_FORCE_PATH_STYLE: "true",
    AWS_REQUEST_CHECKSUM_CALCULATION: "WHEN_REQUIRED",
    AWS_ENDPOINT_URL_SQS: at.sqs,
    ...handlerEnvironment,
  };
}

/** How the local ECS runs a worker: the bundle as a child process, or the image with `docker run`. */
async function workerLauncher(options: LocalPipelineOptions, s3Endpoint: string): Promise<WorkerLauncher> {
  const { stateDirectory } = options;
  const launcherOptions = {
    baseEnvironment: {
      AWS_REGION: LOCAL_REGION,
      ...CREDENTIALS_ENVIRONMENT,
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_ENDPOINT_URL_S3: s3Endpoint,
      AWS_S3_FORCE_PATH_STYLE: "true",
      // s3rver would store an aws-chunked upload (the SDK's default for streams) with its framing.
      AWS_REQUEST_CHECKSUM_CALCULATION: "WHEN_REQUIRED",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    },
    logDirectory: path.join(stateDirectory, "logs"),
    pids: workerPidFiles(workerPidDirectory(stateDirectory)),
    ...(options.simulatedMemoryNeedMib === undefined
      ? {}
      : { simulatedMemoryNeedMib: options.simulatedMemoryNeedMib }),
  };
  if (options.dockerImage !== undefined && options.workerScript !== undefined)
    throw new Error("local mode runs either a worker image (dockerImage) or a worker script, not both");
  if (options.dockerImage !== undefined) return dockerLauncher(options.dockerImage, launcherOptions);
  const script = options.workerScript ?? (await bundleWorker(workerBundlePath(stateDirectory)));
  return processLauncher(script, launcherOptions);
}

/**
 * Local mode has no table stream: after every handler invocation the jobs it touched are read again and
 * the events past the count already reported are new — what a stream record's new image holds past its
 * old one — so they are published as the stream publisher would, with the same sequence numbers, and owed
 * to the webhook's outbox. Reports run one at a time, so each job's events are reported in order; their
 * failures are only logged, never in the way of the pipeline (the webhook's outbox retries on its own).
 */
function jobReporter(
  store: JobStore,
  options: LocalPipelineOptions,
  webhook: LocalWebhookOutbox | undefined,
  onError: (message: string, error: unknown) => void,
): (jobId: string) => Promise<void> {
  const seenEvents = new Map<string, number>();
  let reporting = Promise.resolve();
  const outcomeTarget = {
    outputBucket: LOCAL_NAMES.bucket,
    outputPrefix: options.config.uploads.outputPrefix,
  };
  const reportNow = async (jobId: string) => {
    try {
      const stored = await store.get(jobId);
      const seen = seenEvents.get(jobId) ?? 0;
      if (!stored || stored.events.length <= seen) return;
      seenEvents.set(jobId, stored.events.length);
      options.onJobChange?.(jobId, stored.events.slice(seen), stored.state);
      const changes = jobStateChanges(jobId, stored.events, seen, outcomeTarget);
      try {
        await options.onOutcomes?.(changes, stored.events.slice(seen));
      } finally {
        await webhook?.add(changes);
      }
    } catch (error) {
      onError(`could not report job ${jobId}`, error);
    }
  };
  return (jobId) => {
    reporting = reporting.then(() => reportNow(jobId));
    return reporting;
  };
}

/**
 * The local SQS with the stack's queues: jobs (with its redrive to the DLQ) and the outcomes DLQ. Their
 * messages, retries waiting for their delay among them, are kept across restarts.
 */
async function startQueues(
  options: LocalPipelineOptions,
  stoppers: Array<() => Promise<void>>,
): Promise<{ sqs: LocalSqs; queueUrl: string; outcomesDeadLetterQueueUrl: string }> {
  const { config, stateDirectory } = options;
  const sqs = new LocalSqs();
  await sqs.start(options.ports?.sqs);
  const queuesFile = path.join(stateDirectory, "sqs.json");
  stoppers.push(async () => {
    await writeFile(queuesFile, JSON.stringify(sqs.snapshot()));
    await sqs.stop();
  });
  sqs.createQueue(LOCAL_NAMES.deadLetterQueue, { visibilityTimeoutSeconds: 30 });
  const outcomesDeadLetterQueueUrl = sqs.createQueue(LOCAL_NAMES.outcomesDeadLetterQueue, {
    visibilityTimeoutSeconds: 30,
  });
  const queueUrl = sqs.createQueue(LOCAL_NAMES.queue, {
    visibilityTimeoutSeconds: 6 * config.dispatcher.timeoutSeconds,
    redrive: { deadLetterQueue: LOCAL_NAMES.deadLetterQueue, maxReceiveCount: config.queueMaxReceiveCount },
  });
  if (existsSync(queuesFile)) sqs.restore(JSON.parse(await readFile(queuesFile, "utf8")));
  return { sqs, queueUrl, outcomesDeadLetterQueueUrl };
}

function workerBundlePath(stateDirectory: string): string {
  return path.join(stateDirectory, "worker", "main.js");
}

/**
 * Workers run in their own process group, so they outlive a local mode killed outright: the ones an earlier
 * run left are killed before anything starts (their tasks are gone with that run's ECS stand-in).
 */
function killWorkersOfEarlierRun(stateDirectory: string, onNotice: ((message: string) => void) | undefined) {
  const killed = killLeftoverWorkers(workerPidDirectory(stateDirectory), workerBundlePath(stateDirectory));
  for (const { taskId, pid } of killed) {
    onNotice?.(`killed worker pid ${pid} (task ${taskId}) left running by an earlier run of local mode`);
  }
}

/**
 * The real sweeper handler on local mode's schedule, once at start and every `timings.intervalSeconds`;
 * the jobs a run changed are reported like the others (found by the last change, in every status).
 */
function startSweeps(
  timings: LocalSweepTimings,
  store: JobStore,
  report: (jobId: string) => Promise<void>,
  onError: (message: string, error: unknown) => void,
  sweeper: () => Promise<SweepReport>,
) {
  return scheduleSweeps({
    intervalMs: timings.intervalSeconds * 1000,
    onError: (error) => onError("sweeper run failed", error),
    sweepOnce: async () => {
      const from = new Date().toISOString();
      const result = await sweeper();
      if (Object.values(result.actions).every((count) => count === 0)) return;
      const to = new Date().toISOString();
      for (const status of JOB_STATUSES) {
        const page = await store.listByStatus(status, { limit: 100 }, { from, to });
        for (const job of page.jobs) await report(job.jobId);
      }
    },
  });
}
