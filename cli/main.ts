// The jobs CLI: job history at a glance (list, show, stats, watch) and the operations people need
// (submit, retry, cancel), on the job model and store of jobs/. `runCli` runs one command line with the
// streams, environment and clock it is given and returns the exit code, so tests run it in-process;
// bin.js runs it for the terminal.
//
// Parser: commander. It has no dependencies, ships its own types, handles subcommands with their own help,
// variadic options (--status A --status B), and lets the caller own output and exit (configureOutput,
// exitOverride) — which in-process tests need. yargs brings a dozen dependencies for the same; citty is
// young and has no exit override.

import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { z } from "zod";
import {
  LOCAL_ENDPOINTS_FILE,
  type LocalEndpoints,
  localEndpointsPath,
  PROJECT_ROOT,
} from "../config/local-endpoints";
import { CONFIG_SCHEMA } from "../config/schema";
import { CPU_HEADROOM, MEMORY_HEADROOM, MIN_MEASURED_JOBS, SIZE_PERCENTILE } from "../jobs/insights";
import { PREFIX_WINDOW_DAYS } from "../jobs/store";
import { connect } from "./aws";
import { COMMAND } from "./command-name";
import { cancelCommand } from "./commands/cancel";
import { CHECK_EXIT_CODES, checkCommand } from "./commands/check";
import { listCommand } from "./commands/list";
import { logsCommand } from "./commands/logs";
import { outputsCommand } from "./commands/outputs";
import { REPLAY_TRIES, replayCommand } from "./commands/replay";
import { retryCommand } from "./commands/retry";
import { showCommand } from "./commands/show";
import { statsCommand } from "./commands/stats";
import { submitCommand } from "./commands/submit";
import { watchCommand } from "./commands/watch";
import {
  type CliConfig,
  type ConfigSources,
  ENVIRONMENT_VARIABLES,
  type GlobalOptions,
  resolveConfig,
} from "./config";
import { type CliIo, type CommandContext, commandContext, errorContext } from "./context";
import { EXIT_ERROR, EXIT_OK, EXIT_USAGE, explainError } from "./errors";
import { colourEnabled, painter } from "./format";
import { invocationOf } from "./invocation";
import { TIME_FORMATS } from "./time-window";

export interface RunOptions {
  /** Replaces `pulumi stack output` (tests). */
  readonly stackOutputs?: ConfigSources["stackOutputs"];
}

type Handler = (ctx: CommandContext) => Promise<number>;

export async function runCli(argv: readonly string[], io: CliIo, options: RunOptions = {}): Promise<number> {
  let exitCode = EXIT_OK;
  const run = (command: Command, handler: Handler) =>
    execute(io, command, handler, options).then((code) => {
      exitCode = code;
    });
  // A command that needs no AWS configuration (check) reports its own exit code.
  const finish = (code: number) => {
    exitCode = code;
  };
  const program = buildProgram(io, run, finish);
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version exit 0; anything commander refuses is a usage error.
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    throw error;
  }
  return exitCode;
}

async function execute(io: CliIo, command: Command, handler: Handler, options: RunOptions): Promise<number> {
  const globals = command.optsWithGlobals<GlobalOptions>();
  const json = globals.json === true;
  const paintOut = painter(colourEnabled(io.stdout, io.env, globals.color !== false));
  const paintErr = painter(colourEnabled(io.stderr, io.env, globals.color !== false));
  const invocation = invocationOf(io.env, globals);
  let config: CliConfig | undefined;
  let close = () => {};
  let stopped: { readonly endpoints: LocalEndpoints; close(): Promise<void> } | undefined;
  try {
    // --local with local mode stopped: its state folder's histories are still there to read.
    const endpointsFile = localEndpointsPath(io.env);
    if (globals.local === true && !existsSync(endpointsFile)) {
      // Loaded only then: local mode's modules are not the CLI's usual load.
      const { openStoppedState } = await import("../local/stopped-state.js");
      stopped = await openStoppedState(dirname(endpointsFile));
      if (stopped !== undefined)
        io.stderr.write(
          `${paintErr.paint("dim", `local mode is not running: reading its state folder ${dirname(endpointsFile)} (job histories and worker logs only)`)}\n`,
        );
    }
    config = await resolveConfig(globals, {
      env: io.env,
      ...(stopped === undefined ? {} : { localEndpoints: stopped.endpoints }),
      ...(options.stackOutputs === undefined ? {} : { stackOutputs: options.stackOutputs }),
    });
    const aws = connect(config);
    close = () => aws.close();
    return await handler(
      commandContext(io, config, aws, json, paintOut, invocation, globals.output === "wide"),
    );
  } catch (thrown) {
    const error = explainError(thrown, errorContext(config, invocation));
    if (json) {
      io.stderr.write(
        `${JSON.stringify({ error: error.message, ...(error.hint ? { hint: error.hint } : {}) })}\n`,
      );
    } else {
      io.stderr.write(`${paintErr.paint(["bold", "red"], "error:")} ${error.message}\n`);
      if (error.hint) io.stderr.write(`  ${paintErr.paint("yellow", "fix:")} ${error.hint}\n`);
    }
    return error.exitCode;
  } finally {
    close();
    await stopped?.close();
  }
}

function buildProgram(
  io: CliIo,
  run: (command: Command, handler: Handler) => Promise<void>,
  finish: (code: number) => void,
): Command {
  const program = new Command(COMMAND);
  program
    .description("Video jobs: history at a glance, and the operations people need.")
    .version(packageVersion(), "-V, --version", "print the version (package.json) and exit")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      getOutHasColors: () => colourEnabled(io.stdout, io.env),
      getErrHasColors: () => colourEnabled(io.stderr, io.env),
    })
    .showHelpAfterError("(run with --help for usage)")
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .option(
      "--json",
      "machine output: one JSON document (watch, logs, submit --watch: one JSON object per line)",
    )
    .option(
      "-o, --output <format>",
      "wide: tables at full width, nothing shortened (default: fit the terminal, 80 columns when not one)",
      outputFormat,
    )
    .option("--no-color", "no colour (also off with NO_COLOR set, or when output is not a terminal)")
    .option(
      "--stack <name>",
      "read table, queue, cluster, bucket, log group and region from `pulumi stack output` (or JOBS_STACK)",
    )
    .option(
      "--local",
      `use local mode's endpoints and resources (${LOCAL_ENDPOINTS_FILE}, written by \`npm run local\`)`,
    )
    .option("--table <name>", "jobs table (or JOBS_TABLE)")
    .option("--queue-url <url>", "jobs queue URL (or JOBS_QUEUE_URL)")
    .option("--cluster <name|arn>", "worker cluster (or CLUSTER_ARN / JOBS_CLUSTER)")
    .option("--bucket <name>", "uploads bucket (or UPLOADS_BUCKET)")
    .option("--log-group <name>", "worker log group (or JOBS_LOG_GROUP)")
    .option("--region <region>", "AWS region (or AWS_REGION); endpoints come from AWS_ENDPOINT_URL_<SERVICE>")
    .addHelpText("after", generalHelp());

  program
    .command("list")
    .description("jobs newest first, read through the table's indexes (never a scan)")
    .option(
      "--status <status...>",
      "only jobs in these statuses (repeatable, or comma-separated), newest change first",
    )
    .option("--since <time>", `start of the window; without --status the default is the last 24 hours`)
    .option("--until <time>", "end of the window (default: now)")
    .option("--video-id <id>", "only jobs with this video id")
    .option("--input <text>", "only jobs whose input URL contains this text (case-insensitive)")
    .option(
      "--overdue",
      "only active jobs past their launch or run deadline, or a retry past its due time: stuck jobs the sweeper acts on",
    )
    .option("--limit <n>", "show at most this many jobs", positiveInt, 50)
    .option("--cursor <cursor>", "continue where a previous list stopped (it prints the cursor)")
    .option("--page-size <n>", "jobs per index query", positiveInt, 100)
    .addHelpText(
      "after",
      `\nTimes: ${TIME_FORMATS}.\nWithout --status, lists the jobs submitted in the window (default: the last 24 hours).\nWith --status, lists the jobs in those statuses, most recently changed first; --since/--until then filter on the time of the last change (default: all time).\n--video-id and --input filter the jobs the index returns (give them again with --cursor).\n${exitCodes()}\n\nExamples:\n  ${COMMAND} list\n  ${COMMAND} list --status FAILED --since 1h\n  ${COMMAND} list --status FAILED TIMED_OUT --limit 20\n  ${COMMAND} list --since 7d --input clip.mp4\n  ${COMMAND} list --overdue\n  ${COMMAND} list --since 2026-11-01 --until 2026-11-02 --json`,
    )
    .action((opts, command: Command) => run(command, (ctx) => listCommand(ctx, opts)));

  program
    .command("show")
    .description("a job's whole history: timeline, durations, attempts, outputs, and how to read its logs")
    .argument("<jobId>", JOB_ID_ARGUMENT)
    .addHelpText("after", `\n${exitCodes()}`)
    .action((jobId: string, _opts, command: Command) => run(command, (ctx) => showCommand(ctx, jobId)));

  program
    .command("stats")
    .description(
      "counts per status, success rate, attempts per job, p50/p95 of queue wait and run time; --sizes: task size",
    )
    .option("--since <time>", "start of the window (default: 24h)")
    .option("--until <time>", "end of the window (default: now)")
    .option("--limit <n>", "examine at most this many jobs (the newest)", positiveInt, 1000)
    .option("--page-size <n>", "jobs per index query", positiveInt, 100)
    .option("--sizes", "recommend the worker's CPU and memory from what the succeeded jobs used")
    .option(
      "--cpu <units>",
      "with --sizes: the stack's workerCpu, for jobs whose history records no size",
      positiveInt,
    )
    .option("--memory <MiB>", "with --sizes: the stack's workerMemoryMb (with --cpu)", positiveInt)
    .addHelpText(
      "after",
      `\nOver the jobs submitted in the window. Times: ${TIME_FORMATS}.\nqueue wait: submitted -> first task created; run time: the worker running, summed over attempts.\nsuccess rate: SUCCEEDED of SUCCEEDED + FAILED + TIMED_OUT (cancelled and rejected left out).\n\n--sizes: over the SUCCEEDED jobs in the window, the peak memory and the CPU time the worker recorded for\nits successful attempt. Recommends the smallest Fargate size that covers the p${SIZE_PERCENTILE} of peak memory plus\n${MEMORY_HEADROOM * 100}% and the p${SIZE_PERCENTILE} of vCPUs used (CPU time / run time) plus ${CPU_HEADROOM * 100}%, once ${MIN_MEASURED_JOBS} jobs are measured; shows the\nsaving per job-hour against the size they ran with (On-Demand, the repository's price table) and how\nmany measured jobs would have run out of memory at the recommended size.\n${exitCodes()}\n\nExamples:\n  ${COMMAND} stats --since 7d\n  ${COMMAND} stats --sizes --since 7d\n  ${COMMAND} stats --sizes --since 7d --cpu 1024 --memory 2048 --json`,
    )
    .action((opts, command: Command) => run(command, (ctx) => statsCommand(ctx, opts)));

  program
    .command("replay")
    .description("re-publish the stored transitions of jobs changed since a time, as Job State Change events")
    .option("--since <time>", "transitions recorded at or after this time (required)")
    .option("--status <status...>", "only transitions into these statuses (repeatable, or comma-separated)")
    .option("--job <jobId...>", "only these jobs (repeatable)")
    .option("--webhook <url>", "POST them to this URL instead of the jobs bus")
    .option("--dry-run", "print them (JSON lines) instead of publishing")
    .option(
      "--outbox <dir>",
      "record in DIR what the receiver accepted and what is owed, per job; the same command again with the same DIR resumes (one DIR per replay: it keeps the last sequence delivered, so a wider --status would skip what lies below it)",
    )
    .option("--tries <n>", "tries of one event before its job is left owed", positiveInt, REPLAY_TRIES)
    .option("--limit <n>", "refuse to replay more jobs than this", positiveInt, 10_000)
    .addHelpText(
      "after",
      `\nThe jobs bus: JOBS_EVENT_BUS or --stack (output eventBusName). Each event keeps its original sequence,\nso consumers drop the ones they have (by job id and sequence). Times: ${TIME_FORMATS}.\nEvents of one job go out in order, the next only once the one before was accepted; one not accepted is\ntried again with backoff (--tries), then left owed with the rest of its job's. It reports what was sent,\nskipped (already delivered, per --outbox) and failed (owed), and exits 1 when anything is owed.\n\nExamples:\n  ${COMMAND} replay --since 2h --status SUCCEEDED --stack dev\n  ${COMMAND} replay --since 2026-11-01 --job s3-4f2a --dry-run\n  ${COMMAND} replay --since 1d --webhook http://127.0.0.1:9000/hook --outbox ./replay-outbox`,
    )
    .action((opts, command: Command) => run(command, (ctx) => replayCommand(ctx, opts)));

  program
    .command("watch")
    .description("follow a job, printing its events, until it finishes")
    .argument("<jobId>", JOB_ID_ARGUMENT)
    .option("--interval <seconds>", "seconds between reads", positiveNumber, 5)
    .option("--timeout <seconds>", "give up after this many seconds (0: never)", nonNegativeNumber, 0)
    .addHelpText("after", `\n${exitCodes(WATCH_EXIT_CODES)}`)
    .action((jobId: string, opts, command: Command) => run(command, (ctx) => watchCommand(ctx, jobId, opts)));

  program
    .command("submit")
    .description(
      "send a job message per input to the jobs queue (local files are uploaded to the uploads bucket first)",
    )
    .argument("<input...>", "s3://bucket/key, https://url, or a local file; several make several jobs")
    .option("--params <json>", "parameters for the worker, a JSON object (JOB_PARAMS)")
    .option(
      "--job-id <id>",
      "the job's id, refused if a job has it already (default: from the SQS message id)",
    )
    .option("--video-id <id>", "your own id for the video, kept with the job")
    .option("--watch", "then follow the jobs until they end, as `watch` does")
    .option("--interval <seconds>", "with --watch: seconds between reads", positiveNumber, 5)
    .option(
      "--timeout <seconds>",
      "with --watch: give up after this many seconds (0: never)",
      nonNegativeNumber,
      0,
    )
    .addHelpText(
      "after",
      `\nEverything is checked before anything is uploaded or sent: each message as the dispatcher would check it, a --job-id already in use, and an upload key that already holds an object (an upload never overwrites one).\nA local file goes to s3://<bucket>/<JOBS_UPLOAD_PREFIX>cli/<job id or random id>/<file name>.upload, its name kept as it is; the ".upload" suffix keeps the bucket's upload notification from submitting it a second time.\n${exitCodes(SUBMIT_EXIT_CODES)}\n\nExamples:\n  ${COMMAND} submit s3://my-uploads/uploads/clip.mp4\n  ${COMMAND} --local submit ./clip.mp4 --params '{"maxThumbnails":10}' --watch\n  ${COMMAND} --local submit ./a.mp4 ./b.mov`,
    )
    .action((inputs: string[], opts, command: Command) =>
      run(command, (ctx) => submitCommand(ctx, inputs, opts)),
    );

  program
    .command("outputs")
    .description(
      "what the worker wrote for a job (result.json, thumbnails, contact sheet); --download fetches them",
    )
    .argument("<jobId>", JOB_ID_ARGUMENT)
    .option("--download <dir>", "download every object into this directory (created if needed)")
    .option("--force", "with --download: overwrite files that exist (without it, nothing is overwritten)")
    .addHelpText(
      "after",
      `\nThe outputs are under s3://<bucket>/<JOBS_OUTPUT_PREFIX><job id>/ (default prefix ${CONFIG_SCHEMA.outputPrefix.default}).\nIn local mode this is how to get them: the local S3 keeps objects as ._S3rver_object files.\n${exitCodes()}\n\nExamples:\n  ${COMMAND} outputs s3-3f9a\n  ${COMMAND} --local outputs s3-3f9a --download ./results`,
    )
    .action((jobId: string, opts, command: Command) =>
      run(command, (ctx) => outputsCommand(ctx, jobId, opts)),
    );

  program
    .command("logs")
    .description("the worker's log of a job's attempt, as readable lines (CloudWatch Logs, or local files)")
    .argument("<jobId>", JOB_ID_ARGUMENT)
    .option("--attempt <n>", "which attempt (default: the latest that launched a task)", positiveInt)
    .option("-f, --follow", "keep reading until the job is finished (moving on to a retry's attempt)")
    .option("--interval <seconds>", "with -f: seconds between reads", positiveNumber, 2)
    .addHelpText(
      "after",
      `\nDeployed: the stream <JOBS_LOG_STREAM_PREFIX>/<WORKER_CONTAINER_NAME>/<task id> of the worker log group (--log-group, JOBS_LOG_GROUP or --stack).\nLocal mode (--local): the file <task id>.log in local mode's log directory.\n${exitCodes()}`,
    )
    .action((jobId: string, opts, command: Command) => run(command, (ctx) => logsCommand(ctx, jobId, opts)));

  program
    .command("retry")
    .description("a new attempt of a FAILED, TIMED_OUT or CANCELLED job, its history kept")
    .argument("<jobId>", JOB_ID_ARGUMENT)
    .option("--reason <text>", "why, recorded in the history")
    .option(
      "--force",
      "retry a job whose failure says a retry will likely fail again (a non-retryable exit code)",
    )
    .addHelpText(
      "after",
      `\nRefused for a job that ran out of memory at the largest size maxWorkerMemoryMb allows (raise it first;\nthe limit is known in local mode, or from MAX_WORKER_MEMORY_MB).\n${exitCodes()}`,
    )
    .action((jobId: string, opts, command: Command) => run(command, (ctx) => retryCommand(ctx, jobId, opts)));

  program
    .command("cancel")
    .description("record the job's cancellation and stop its task (ECS StopTask)")
    .argument("<jobId>", JOB_ID_ARGUMENT)
    .option("--reason <text>", "why, recorded in the history and given to ECS")
    .addHelpText("after", `\n${exitCodes()}`)
    .action((jobId: string, opts, command: Command) =>
      run(command, (ctx) => cancelCommand(ctx, jobId, opts)),
    );

  program
    .command("check")
    .description(
      "check stack files offline (Pulumi.<stack>.yaml): settings spelt right, values the program accepts",
    )
    .argument("<stack-file...>", "stack files, e.g. Pulumi.mystack.yaml")
    .addHelpText(
      "after",
      `\nEvery key of the video-jobs namespace must be a setting (docs/settings.md): a misspelt one is named with the\nsetting it most likely meant. Values pass the checks \`pulumi up\` and \`npm run local -- --stack NAME\` apply.\nKeys of other namespaces (aws:region) are left to their providers; encrypted values are not read.\nNeeds no AWS credentials and no Pulumi CLI.\n${exitCodes(CHECK_EXIT_CODES)}\n\nExamples:\n  ${COMMAND} check Pulumi.mystack.yaml\n  ${COMMAND} check Pulumi.*.yaml --json`,
    )
    .action((files: string[], _opts, command: Command) => {
      // Reads files only: no AWS configuration to resolve, so it runs outside `run`.
      const globals = command.optsWithGlobals<GlobalOptions>();
      finish(
        checkCommand(
          io,
          files,
          globals.json === true,
          painter(colourEnabled(io.stdout, io.env, globals.color !== false)),
        ),
      );
    });

  return program;
}

function generalHelp(): string {
  const width = Math.max(...Object.keys(ENVIRONMENT_VARIABLES).map((name) => name.length));
  const variables = Object.entries(ENVIRONMENT_VARIABLES)
    .map(([name, meaning]) => `  ${name.padEnd(width)}  ${meaning}`)
    .join("\n");
  return `
Configuration, highest precedence first: flags, --local, environment variables, --stack outputs.
The AWS region, credentials and endpoints come from the standard AWS environment
(AWS_REGION, AWS_PROFILE, AWS_ACCESS_KEY_ID, AWS_ENDPOINT_URL_DYNAMODB, ...).

Environment variables:
${variables}

A <jobId> may be the start of an id, when one job submitted in the last ${PREFIX_WINDOW_DAYS} days has an id
starting with it (an older job needs its whole id).
Exit codes: 0 ok (watch: the job succeeded); 1 error (AWS, unknown or ambiguous job id, a refused
transition or submission); 2 usage (flags, time window, missing configuration); watch and submit --watch:
3 the job ended without success, 4 --timeout passed while it was still active.
Run \`${COMMAND} <command> --help\` for a command's options and exit codes (in the repository:
npm run jobs -- <command> --help).`;
}

/** The CLI's version: package.json's, read where the CLI runs from (a repository or an installed package). */
function packageVersion(): string {
  const text = readFileSync(join(PROJECT_ROOT, "package.json"), "utf8");
  return z.object({ version: z.string().min(1) }).parse(JSON.parse(text)).version;
}

const JOB_ID_ARGUMENT = `the job's id, or the start of a recent one (see \`${COMMAND} list\`)`;

/** Every command's exit codes (docs/jobs-cli.md lists the same). */
const COMMON_EXIT_CODES = [
  "0 ok",
  "1 error (AWS, unknown or ambiguous job id, a refused transition or submission)",
  "2 usage (flags, time window, missing configuration)",
];
const WATCH_EXIT_CODES = [
  "0 the job succeeded",
  ...COMMON_EXIT_CODES.slice(1),
  "3 the job ended without success (FAILED, TIMED_OUT, CANCELLED, REJECTED)",
  "4 --timeout passed while the job was still active",
];
const SUBMIT_EXIT_CODES = [
  ...COMMON_EXIT_CODES,
  "with --watch, as watch: 0 every job succeeded, 3 one did not, 4 --timeout passed",
];

function exitCodes(codes: readonly string[] = COMMON_EXIT_CODES): string {
  return `Exit codes: ${codes.join("; ")}.`;
}

function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError("must be a whole number >= 1");
  return Number(value);
}

function outputFormat(value: string): "wide" {
  if (value !== "wide") throw new InvalidArgumentError('the one format is "wide" (machine output: --json)');
  return value;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError("must be a number > 0");
  return n;
}

function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError("must be a number >= 0");
  return n;
}

/** The process's own io: what bin.js uses. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}

/** Runs the process's command line and exits with its code (after output is flushed). */
export async function main(): Promise<void> {
  // `jobs list | head`: the reader went away; that is not an error of ours.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(process.exitCode ?? EXIT_OK);
      throw error;
    });
  }
  // The SDK warns on every run under Node 20 that its releases after January 2027 need Node 22: news for
  // the project's maintainers (package.json engines), not for someone reading a job's history.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  let code: number;
  try {
    code = await runCli(process.argv.slice(2), processIo());
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).stack ?? String(error)}\n`);
    code = EXIT_ERROR;
  }
  process.exitCode = code;
}
