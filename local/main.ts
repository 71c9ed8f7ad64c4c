// `npm run local`: the whole pipeline on this machine (local/pipeline.ts). Without --once it stays up,
// printing where things are and each job's events as they happen, until Ctrl-C. With --once FILE it uploads
// the file, runs its job to the end, prints its history with the jobs CLI, and exits 0 if it succeeded.
// Ctrl-C stops the workers as ECS stops tasks (SIGTERM, then a wait) so their jobs are retried at the next
// start; a second Ctrl-C kills them and exits at once, and the sweeper recovers those jobs after restart.

import { createReadStream, existsSync, statSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { describeEvent } from "../cli/history";
import { runCli } from "../cli/main";
import { ConfigurationError } from "../config/errors";
import { LOCAL_CREDENTIALS, PROJECT_ROOT } from "../config/local-endpoints";
import type { PipelineConfig } from "../config/parse";
import { OutboxFileError } from "../jobs/adapters/file/file-outbox";
import { WEBHOOK_TIMEOUT_MS, webhookUrlProblem } from "../jobs/adapters/http/webhook-publisher";
import { isVideoKey, MAX_S3_KEY_BYTES } from "../jobs/boundary";
import { formatSeconds, formatUsd, isTerminal } from "../jobs/model";
import { DEFAULT_RETRY } from "../jobs/workflows";
import { discoverTools } from "../worker/src/ffmpeg";
import { FARGATE_LAUNCH_LIMITS, parseLaunchLimits } from "./aws/launch-limits";
import {
  parseSpotInterruptions,
  parseSpotUnavailable,
  RANDOM_INTERRUPTION_WITHIN_SECONDS,
  spotInterruptionsProblem,
} from "./aws/spot-interruptions";
import { LOCAL_SWEEP, type LocalSweepTimings, parseSweepTimings } from "./handlers/sweeper";
import { type LocalPipeline, startLocalPipeline } from "./pipeline";
import { loadStackConfig } from "./stack-config";
import { StateLockedError } from "./state-lock";
import { buildWorkerImage } from "./workers/worker-launchers";

/** How long --once waits, after its job ended, for the webhook to accept what is owed. */
const ONCE_WEBHOOK_WAIT_SECONDS = 120;

/** The image --docker builds from worker/Dockerfile and runs. */
const WORKER_IMAGE = "video-jobs-worker:local";

const USAGE = `Usage: npm run local -- [options]

Runs the pipeline on this machine: a local DynamoDB and S3, local SQS and ECS stand-ins, the real
dispatcher, task-state and sweeper handlers, and the worker as a child process. State lives in .local/.
Each job event is printed as it happens, and each metric the handlers emit as a line
("metric JobsSucceeded 1 Count service=video-jobs-local"), where the stack writes them to CloudWatch.

The sweeper runs at start and every ${LOCAL_SWEEP.intervalSeconds} s, with short local deadlines: a job with no news
for ${LOCAL_SWEEP.quietSeconds} s is checked with the local ECS, a launch not RUNNING after ${formatSeconds(LOCAL_SWEEP.launchSeconds)} is stopped and
retried; the run deadline is the stack's jobTimeoutMinutes. So jobs a crash left behind finish after
a restart. Ctrl-C stops the workers with SIGTERM and waits for them (their jobs are retried at the
next start); a second Ctrl-C kills them and exits at once.

Options:
  --once FILE        upload FILE, run its job to the end, print its history, exit (0 if it succeeded)
  --stack NAME       use the settings of Pulumi.NAME.yaml (retries, filters, concurrency); default: Pulumi.yaml's
  --state DIR        keep the state in DIR instead of .local/ (the jobs CLI then needs
                     JOBS_LOCAL_ENDPOINTS=DIR/endpoints.json)
  --reset            start from an empty state folder (forget every job and object)
  --docker           run the worker image with docker run (needs a Docker engine)
  --webhook URL      POST every Job State Change event (as EventBridge would deliver it) to URL: at least
                     once, a job's events in order (the next only once the one before was answered 2xx).
                     One not accepted (another status, a refused connection, no answer in time) is sent
                     again with backoff until it is; what is owed is kept in the state folder (outbox/)
                     and sent at the next start. Each event's "id" (<job id>.<sequence>) is the same on
                     every delivery of it: a receiver drops the ids it has. The log says each delivery and
                     what is still owed. With --once, waits up to ${ONCE_WEBHOOK_WAIT_SECONDS} s for the owed events
  --webhook-timeout SECONDS
                     a POST not answered in this long is sent again; default ${WEBHOOK_TIMEOUT_MS / 1000}
  --webhook-retry-max SECONDS
                     the longest wait between two tries of an event; default ${DEFAULT_RETRY.maxDelayMs / 1000}
  --launch-limits [RATE/BURST]
                     the local ECS refuses RunTask beyond Fargate's launch limits, as ECS does
                     (ThrottlingException: Rate exceeded): a burst of BURST launches refilled at RATE
                     per second; default ${FARGATE_LAUNCH_LIMITS.ratePerSecond}/${FARGATE_LAUNCH_LIMITS.burst}, ECS's own. Without it: no limit
  --spot-interruptions SHARE[@SECONDS]
                     the local ECS interrupts SHARE (0-1) of the tasks it runs on FARGATE_SPOT, as Spot
                     reclaims capacity: SIGTERM to the worker, SIGKILL after the stack's stop timeout (120 s with Spot),
                     stop code SpotInterruption. Each at a random moment in its first ${RANDOM_INTERRUPTION_WITHIN_SECONDS} s of running
                     (a task done sooner escapes), or SECONDS after it starts running (e.g. 1@2: every
                     Spot task, 2 s in). Refused on a stack whose capacity is on-demand. Without it: none
  --spot-unavailable SHARE
                     the local ECS refuses SHARE (0-1) of the RunTask calls for FARGATE_SPOT as ECS refuses
                     a launch it has no capacity for ("Capacity is unavailable at this time..."): no task, a
                     launch failure the job model reads as Spot refusing. Without it: none
  --memory-need MiB  every worker is taken to need MiB of memory: a task given less runs out of it 0.25 s
                     after it starts (killed, exit 137, OutOfMemoryError, as ECS reports it), so the
                     job is retried bigger, up to maxWorkerMemoryMb; e.g. 4096 with a 2 GiB worker.
                     Not with --docker. Without it: the worker's real memory is held to its task's
  --sweep-every SECONDS
                     run the sweeper every SECONDS instead of ${LOCAL_SWEEP.intervalSeconds}
  --sweep-quiet SECONDS
                     check a job with no news for SECONDS with the local ECS, instead of ${LOCAL_SWEEP.quietSeconds}
                     (short values make a crash recover in seconds: tests use them)
  --port-dynamodb N, --port-s3 N, --port-sqs N, --port-ecs N
                     fixed ports (default: free ones)
  -h, --help         this text`;

async function main(): Promise<number> {
  // This machine's Node 20 is supported by the SDK versions locked here; its notice would only add noise.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  let args: ReturnType<typeof parse>;
  try {
    args = parse();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let config: PipelineConfig;
  try {
    config = loadStackConfig(PROJECT_ROOT, args.stack);
  } catch (error) {
    process.stderr.write(
      `${error instanceof ConfigurationError || error instanceof Error ? error.message : String(error)}\n`,
    );
    return 2;
  }
  const spotProblem =
    (args.spotInterruptions === undefined
      ? undefined
      : spotInterruptionsProblem(config.worker.capacity, args.stack)) ??
    (args.spotUnavailable === undefined
      ? undefined
      : spotInterruptionsProblem(config.worker.capacity, args.stack, "--spot-unavailable"));
  if (spotProblem !== undefined) {
    process.stderr.write(`${spotProblem}\n`);
    return 2;
  }
  if (args.once !== undefined) {
    const problem = onceFileProblem(args.once, config);
    if (problem) {
      process.stderr.write(`${problem}\n`);
      return 2;
    }
  }
  const ffmpeg = await discoverTools(process.env, new AbortController().signal).catch(
    (error: unknown) => error as Error,
  );
  if (ffmpeg instanceof Error) {
    process.stderr.write(
      `The worker needs ffmpeg and ffprobe, and found neither on PATH nor in the npm packages (${ffmpeg.message}).\n` +
        "Install them (Debian/Ubuntu: sudo apt-get install ffmpeg; macOS: brew install ffmpeg) and run again.\n",
    );
    return 1;
  }

  const say = (line: string) => process.stdout.write(`${line}\n`);
  if (args.docker) {
    try {
      buildWorkerImage(PROJECT_ROOT, WORKER_IMAGE);
    } catch (error) {
      process.stderr.write(`${(error as Error).message}\n`);
      return 1;
    }
  }
  const pipeline = await startLocalPipeline({
    stateDirectory: args.state,
    reset: args.reset,
    config,
    ...(args.docker ? { dockerImage: WORKER_IMAGE } : {}),
    ...(args.launchLimits === undefined ? {} : { launchLimits: args.launchLimits }),
    ...(args.spotInterruptions === undefined ? {} : { spotInterruptions: args.spotInterruptions }),
    ...(args.spotUnavailable === undefined ? {} : { spotUnavailable: args.spotUnavailable }),
    ...(args.memoryNeed === undefined ? {} : { simulatedMemoryNeedMib: args.memoryNeed }),
    sweep: args.sweep,
    ports: args.ports,
    ...(args.webhook === undefined
      ? {}
      : {
          webhook: {
            url: args.webhook,
            timeoutMs: args.webhookTimeoutMs,
            retry: { ...DEFAULT_RETRY, maxDelayMs: args.webhookRetryMaxMs },
            say,
          },
        }),
    // Each event as the Job State Change the stack would publish: its sequence and the status after it.
    onOutcomes: async (changes, events) => {
      for (const [i, change] of changes.entries()) {
        const event = events[i];
        const cost =
          change.cost?.attemptUsd === undefined
            ? ""
            : `  cost ${formatUsd(change.cost.attemptUsd)} (estimate)`;
        say(
          `${change.at}  ${change.jobId}  #${change.sequence} ${change.event.padEnd(19)} ${change.status.padEnd(9)}  ${event === undefined ? "" : describeEvent(event)}${cost}`,
        );
        if (isTerminal(change.status) && change.event !== "TaskStopped")
          say(
            `${change.at}  ${change.jobId}  -> ${change.status}${change.output ? ` ${change.output.url}` : ""}`,
          );
      }
    },
    onError: (message, error) =>
      process.stderr.write(`${message}: ${error instanceof Error ? error.stack : String(error)}\n`),
    onMetric: say,
    onNotice: say,
  });
  const stopping = stopSignals(pipeline, say);
  try {
    if (args.once !== undefined) return await runOnce(pipeline, args.once, config, say, stopping);
    printWelcome(pipeline, config, args.state, args.sweep, say);
    await stopping;
    return 0;
  } finally {
    await pipeline.stop();
  }
}

/** npm and tsx pass a terminal's Ctrl-C on to this process as well: signals this close are one press. */
const SAME_PRESS_MS = 1000;

/**
 * Resolves at the first SIGINT or SIGTERM: the caller then stops the pipeline, whose workers get SIGTERM
 * and whose jobs are left waiting for a retry. Another signal after that kills the workers and exits.
 */
function stopSignals(pipeline: LocalPipeline, say: (line: string) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    let first: number | undefined;
    const onSignal = () => {
      const now = Date.now();
      if (first === undefined) {
        first = now;
        say(
          "stopping: running workers get SIGTERM, their jobs are retried at the next start (Ctrl-C again to force)",
        );
        resolve();
      } else if (now - first >= SAME_PRESS_MS) {
        pipeline.kill();
        process.stderr.write(
          "forced: workers killed; their jobs are recovered by the sweeper when local mode starts again\n",
        );
        process.exit(130);
      }
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}

function parse() {
  // --launch-limits may come without a value (Fargate's limits): given so, it is read as an empty value.
  const argv = process.argv.slice(2);
  const args = argv.flatMap((arg, i) =>
    arg === "--launch-limits" && (argv[i + 1] === undefined || argv[i + 1]?.startsWith("-"))
      ? ["--launch-limits="]
      : [arg],
  );
  const { values } = parseArgs({
    args,
    options: {
      once: { type: "string" },
      stack: { type: "string" },
      state: { type: "string" },
      reset: { type: "boolean", default: false },
      docker: { type: "boolean", default: false },
      webhook: { type: "string" },
      "webhook-timeout": { type: "string" },
      "webhook-retry-max": { type: "string" },
      "launch-limits": { type: "string" },
      "spot-interruptions": { type: "string" },
      "spot-unavailable": { type: "string" },
      "memory-need": { type: "string" },
      "sweep-every": { type: "string" },
      "sweep-quiet": { type: "string" },
      "port-dynamodb": { type: "string" },
      "port-s3": { type: "string" },
      "port-sqs": { type: "string" },
      "port-ecs": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  const port = (name: "port-dynamodb" | "port-s3" | "port-sqs" | "port-ecs") => {
    const text = values[name];
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1 || value > 65535)
      throw new Error(`--${name} must be a port number (1-65535)`);
    return value;
  };
  const ports = Object.fromEntries(
    (["dynamodb", "s3", "sqs", "ecs"] as const).flatMap((service) => {
      const value = port(`port-${service}`);
      return value === undefined ? [] : [[service, value]];
    }),
  );
  const webhookProblem = values.webhook === undefined ? undefined : webhookUrlProblem(values.webhook);
  if (webhookProblem !== undefined)
    throw new Error(
      `--webhook must be an http:// or https:// URL, got "${values.webhook}" (${webhookProblem})`,
    );
  const seconds = (name: "webhook-timeout" | "webhook-retry-max", fallbackMs: number) => {
    const text = values[name];
    if (text === undefined) return fallbackMs;
    const value = Number(text);
    // Milliseconds are what is used: under one rounds to 0 (a timeout failing every POST at once, or a
    // backoff cap retrying in a busy loop).
    if (text.trim() === "" || !Number.isFinite(value) || Math.round(value * 1000) < 1 || value > 3600)
      throw new Error(`--${name} must be a number of seconds (at least 0.001, at most 3600), got "${text}"`);
    if (values.webhook === undefined) throw new Error(`--${name} goes with --webhook URL`);
    return Math.round(value * 1000);
  };
  const webhookTimeoutMs = seconds("webhook-timeout", WEBHOOK_TIMEOUT_MS);
  const webhookRetryMaxMs = seconds("webhook-retry-max", DEFAULT_RETRY.maxDelayMs);
  const state = path.resolve(values.state ?? path.join(PROJECT_ROOT, ".local"));
  const limitsText = values["launch-limits"];
  const launchLimits = limitsText === undefined ? undefined : parseLaunchLimits(limitsText);
  const interruptionsText = values["spot-interruptions"];
  const spotInterruptions =
    interruptionsText === undefined ? undefined : parseSpotInterruptions(interruptionsText);
  const unavailableText = values["spot-unavailable"];
  const spotUnavailable = unavailableText === undefined ? undefined : parseSpotUnavailable(unavailableText);
  const needText = values["memory-need"];
  if (needText !== undefined && !/^[1-9]\d*$/.test(needText))
    throw new Error(`--memory-need must be a whole number of MiB (e.g. 4096), got "${needText}"`);
  if (needText !== undefined && values.docker)
    throw new Error("--memory-need simulates the worker's memory as a child process: not with --docker");
  const memoryNeed = needText === undefined ? undefined : Number(needText);
  const sweep = parseSweepTimings({ every: values["sweep-every"], quiet: values["sweep-quiet"] });
  return {
    ...values,
    state,
    ports,
    launchLimits,
    spotInterruptions,
    spotUnavailable,
    webhookTimeoutMs,
    webhookRetryMaxMs,
    memoryNeed,
    sweep,
  };
}

function onceFileProblem(file: string, config: PipelineConfig): string | undefined {
  if (!existsSync(file) || !statSync(file).isFile()) return `--once: no such file: ${file}`;
  const suffixes = config.uploads.inputSuffixes;
  const key = `${config.uploads.inputPrefix}${path.basename(file)}`;
  if (Buffer.byteLength(key) > MAX_S3_KEY_BYTES) {
    return `--once: the upload key of ${file} would be ${Buffer.byteLength(key)} bytes (UTF-8), and S3 keys are at most ${MAX_S3_KEY_BYTES}: rename the file to at most ${MAX_S3_KEY_BYTES - Buffer.byteLength(config.uploads.inputPrefix)} bytes`;
  }
  if (!isVideoKey(path.basename(file), suffixes)) {
    return `--once: ${file} does not end with one of the upload suffixes (${suffixes.join(", ")}, in any case), so it would start no job`;
  }
  return undefined;
}

async function runOnce(
  pipeline: LocalPipeline,
  file: string,
  config: PipelineConfig,
  say: (line: string) => void,
  stopping: Promise<void>,
): Promise<number> {
  const key = `${config.uploads.inputPrefix}${path.basename(file)}`;
  const jobIdPromise = pipeline.jobIdOfUpload(key);
  const s3 = new S3Client({
    endpoint: pipeline.endpoints.endpoints.s3,
    region: pipeline.endpoints.region,
    forcePathStyle: true,
    credentials: LOCAL_CREDENTIALS,
    // s3rver stores an aws-chunked body (the SDK's default for streamed uploads) with its framing.
    requestChecksumCalculation: "WHEN_REQUIRED",
  });
  try {
    // In parts, as `jobs submit` uploads: a file over S3's 5 GiB for one PUT goes up as well.
    await new Upload({
      client: s3,
      params: { Bucket: pipeline.endpoints.bucket, Key: key, Body: createReadStream(file) },
    }).done();
  } catch (error) {
    const { name, message } = error instanceof Error ? error : new Error(String(error));
    process.stderr.write(
      `--once: the local S3 (${pipeline.endpoints.endpoints.s3}) did not take ${file} as s3://${pipeline.endpoints.bucket}/${key}: ${name}: ${message}\n`,
    );
    return 1;
  } finally {
    s3.destroy();
  }
  say(`uploaded ${file} to s3://${pipeline.endpoints.bucket}/${key}`);
  let interrupted = false;
  void stopping.then(() => {
    interrupted = true;
  });
  const jobId = await Promise.race([jobIdPromise, stopping.then(() => undefined)]);
  if (jobId === undefined) return 130;
  for (;;) {
    const stored = await pipeline.store.get(jobId);
    if (stored && isTerminal(stored.state.status)) break;
    if (interrupted) return 130;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await pipeline.ecs.settled();
  await webhookDelivered(pipeline, jobId, say);
  say("");
  const io = {
    stdout: process.stdout,
    stderr: process.stderr,
    env: { ...process.env, JOBS_LOCAL_ENDPOINTS: pipeline.endpointsFile },
    cwd: process.cwd(),
    now: () => new Date(),
    sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  };
  await runCli(["--local", "show", jobId], io);
  const final = await pipeline.store.get(jobId);
  return final?.state.status === "SUCCEEDED" ? 0 : 1;
}

/** With --webhook: waits a while for the receiver to accept what is owed (the rest waits for the next start). */
async function webhookDelivered(
  pipeline: LocalPipeline,
  jobId: string,
  say: (line: string) => void,
): Promise<void> {
  const webhook = pipeline.webhook;
  if (webhook === undefined) return;
  // The job's last events are reported (and owed) just after they are stored.
  const events = (await pipeline.store.get(jobId))?.events.length ?? 0;
  for (let waited = 0; webhook.newestSequence(jobId) < events && waited < 10_000; waited += 50)
    await new Promise((resolve) => setTimeout(resolve, 50));
  if (await webhook.settled(0)) return;
  const owed = webhook.owed().reduce((sum, job) => sum + job.owed.length, 0);
  say(`webhook: waiting up to ${ONCE_WEBHOOK_WAIT_SECONDS} s for ${owed} owed event(s) to be accepted`);
  await webhook.settled(ONCE_WEBHOOK_WAIT_SECONDS * 1000);
}

function printWelcome(
  pipeline: LocalPipeline,
  config: PipelineConfig,
  state: string,
  sweep: LocalSweepTimings,
  say: (line: string) => void,
): void {
  const { endpoints } = pipeline.endpoints;
  const shown = path.relative(process.cwd(), state) || ".";
  const own = state === path.join(PROJECT_ROOT, ".local");
  // The jobs CLI finds .local/endpoints.json by itself; another state folder must be named to it.
  const jobs = own ? "npm run jobs --" : `JOBS_LOCAL_ENDPOINTS=${pipeline.endpointsFile} npm run jobs --`;
  say(`video-jobs local mode is up (state in ${shown}/; Ctrl-C stops it)

  uploads bucket   s3://${pipeline.endpoints.bucket}  (jobs start for ${config.uploads.inputPrefix}*{${config.uploads.inputSuffixes.join(",")}}, in any case; other uploads are ignored, with a line)
  jobs table       ${pipeline.endpoints.tableName}
  jobs queue       ${pipeline.endpoints.queueUrl}
  endpoints        DynamoDB ${endpoints.dynamodb}  S3 ${endpoints.s3}  SQS ${endpoints.sqs}  ECS ${endpoints.ecs}
  worker logs      ${shown}/logs/<task id>.log
  sweeper          at start and every ${sweep.intervalSeconds} s (no news for ${sweep.quietSeconds} s: the job is checked with ECS)

Submit a job:
  ${jobs} --local submit ./video.mp4 --watch
  AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REQUEST_CHECKSUM_CALCULATION=when_required \\
    aws --region ${pipeline.endpoints.region} --endpoint-url ${endpoints.s3} s3 cp ./video.mp4 s3://${pipeline.endpoints.bucket}/${config.uploads.inputPrefix}video.mp4
Query jobs:
  ${jobs} --local list
  ${jobs} --local show <job id>
  ${jobs} --local logs <job id>
  ${jobs} --local outputs <job id> --download ./results   (the results; .local/s3 holds s3rver's own files)
  ${jobs} --local cancel <job id>

Job events as they happen:`);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Errors that say what is wrong and what to do: their stack would only bury that.
    const known = error instanceof StateLockedError || error instanceof OutboxFileError;
    process.stderr.write(
      `local mode failed: ${known ? error.message : error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
