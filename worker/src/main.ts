// The worker process: reads the job from the environment (as ECS runs it) or from the command line (as a
// developer does), runs it, and exits with the contract's code for the outcome. Before exiting it says why,
// in `<OUTPUT_URL>outcome-<attempt>.json` (outcome.ts), with what the process tree used (resources.ts).
// SIGTERM (ECS stopping the task) or SIGINT aborts the job: ffmpeg is stopped, the working directory
// removed, the outcome written, and the process exits 143 (130 for SIGINT) well within ECS's stop timeout;
// a second signal, or a stop that overruns its deadline, exits at once.

import { helpText, locateOutcome, parseJob, USAGE } from "./env";
import { ContractError, ParamsError, TerminatedError, UsageError } from "./errors";
import { runningChildren } from "./exec";
import { exitFor } from "./exit-codes";
import { runJob } from "./job";
import { createLogger, describe, type LogFields, type Logger } from "./log";
import { buildOutcome, failureWords, type OutcomeWords, successWords, writeOutcome } from "./outcome";
import { startResourceMeter } from "./resources";

/** After a stop signal, the job gets this long to clean up before the process exits regardless. */
const STOP_DEADLINE_MS = 4000;

async function main(): Promise<void> {
  const started = performance.now();
  const startedAt = new Date();
  const meter = startResourceMeter({ children: runningChildren });
  const controller = new AbortController();
  const argv = process.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${helpText()}\n`);
    return;
  }
  // Until the contract is parsed, log whatever the environment says, so even that failure is findable.
  let log: Logger = createLogger({
    base: { jobId: process.env.JOB_ID ?? null, attempt: process.env.JOB_ATTEMPT ?? null },
  });
  // Where the outcome goes, known even when the job as a whole does not parse (bad params, say).
  const location = locateOutcome(argv, process.env);
  let exiting = false;

  const finish = async (code: number, fields: LogFields): Promise<void> => {
    const write = code === 0 ? log.info : log.error;
    write("exit", { exitCode: code, durationMs: Math.round(performance.now() - started), ...fields });
    await log.flush();
    process.exit(code);
  };

  const exit = async (code: number, words: OutcomeWords, fields: LogFields): Promise<void> => {
    if (exiting) return;
    exiting = true;
    const resources = meter.usage();
    meter.stop();
    let outcomeWritten = false;
    if (location !== undefined) {
      const outcome = buildOutcome({
        location,
        exitCode: code,
        words,
        startedAt,
        finishedAt: new Date(),
        resources,
      });
      outcomeWritten = await writeOutcome(location, outcome, { env: process.env, log });
    }
    await finish(code, {
      ...fields,
      code: words.code,
      message: words.message,
      ...resources,
      outcomeWritten,
    });
  };

  // A forced exit does not wait for anything, an outcome being written included.
  const forceExit = (signal: NodeJS.Signals): void => {
    void finish(exitFor(new TerminatedError(signal)).exitCode, {
      outcome: "terminated",
      signal,
      forced: true,
    });
  };

  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      forceExit(signal);
      return;
    }
    log.warn("signal", { signal });
    controller.abort(new TerminatedError(signal));
    setTimeout(() => forceExit(signal), STOP_DEADLINE_MS).unref();
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);

  try {
    const config = parseJob(argv, process.env);
    log = createLogger({ base: { jobId: config.jobId, attempt: config.attempt } });
    log.info("start", { input: config.input.kind, output: config.output.url, params: config.params });
    const result = await runJob(config, {
      env: process.env,
      log,
      signal: controller.signal,
      resources: () => meter.usage(),
    });
    await exit(0, successWords(result, config.output.url), {
      outcome: "succeeded",
      scenes: result.scenes.length,
    });
  } catch (error) {
    // Once stopped, whatever a step threw on the way out is a consequence of the stop.
    const failure = controller.signal.aborted ? controller.signal.reason : error;
    const { exitCode, outcome } = exitFor(failure);
    if (failure instanceof ContractError) process.stderr.write(`worker: ${failure.message}\n`);
    if (failure instanceof UsageError) process.stderr.write(`${USAGE}\n`);
    if (failure instanceof ParamsError) process.stderr.write(`${failureWords(failure).hint}\n`);
    await exit(exitCode, failureWords(failure), {
      outcome,
      reason: reasonOf(failure),
      error: describe(failure),
    });
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error && "reason" in error && typeof error.reason === "string"
    ? error.reason
    : "unexpected";
}

void main();
