// The worker process: reads the job from the environment (as ECS runs it) or from the command line (as a
// developer does), runs it, and exits with the contract's code for the outcome. SIGTERM (ECS stopping the
// task) or SIGINT aborts the job: ffmpeg is stopped, the working directory removed, and the process exits
// 143 (130 for SIGINT) well within ECS's stop timeout; a second signal, or a stuck cleanup, exits at once.

import { parseCommandLine, parseWorkerEnv, USAGE } from "./env";
import { ContractError, TerminatedError } from "./errors";
import { exitFor } from "./exit-codes";
import { runJob } from "./job";
import { createLogger, describe, type Logger } from "./log";

/** After a stop signal, the job gets this long to clean up before the process exits regardless. */
const STOP_DEADLINE_MS = 4000;

async function main(): Promise<void> {
  const started = performance.now();
  const controller = new AbortController();
  const argv = process.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  // Until the contract is parsed, log whatever the environment says, so even that failure is findable.
  let log: Logger = createLogger({
    base: { jobId: process.env.JOB_ID ?? null, attempt: process.env.JOB_ATTEMPT ?? null },
  });
  let exiting = false;

  const exit = async (code: number, fields: Record<string, unknown>): Promise<void> => {
    if (exiting) return;
    exiting = true;
    const write = code === 0 ? log.info : log.error;
    write("exit", { exitCode: code, durationMs: Math.round(performance.now() - started), ...fields });
    await log.flush();
    process.exit(code);
  };

  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      void exit(exitFor(new TerminatedError(signal)).exitCode, {
        outcome: "terminated",
        signal,
        forced: true,
      });
      return;
    }
    log.warn("signal", { signal });
    controller.abort(new TerminatedError(signal));
    setTimeout(() => {
      void exit(exitFor(new TerminatedError(signal)).exitCode, {
        outcome: "terminated",
        signal,
        forced: true,
      });
    }, STOP_DEADLINE_MS).unref();
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);

  try {
    const config = argv.length > 0 ? parseCommandLine(argv) : parseWorkerEnv(process.env);
    log = createLogger({ base: { jobId: config.jobId, attempt: config.attempt } });
    log.info("start", { input: config.input.kind, output: config.output.url, params: config.params });
    const result = await runJob(config, { env: process.env, log, signal: controller.signal });
    await exit(0, { outcome: "succeeded", scenes: result.scenes.length });
  } catch (error) {
    // Once stopped, whatever a step threw on the way out is a consequence of the stop.
    const failure = controller.signal.aborted ? controller.signal.reason : error;
    const { exitCode, outcome } = exitFor(failure);
    if (failure instanceof ContractError) process.stderr.write(`worker: ${failure.message}\n`);
    await exit(exitCode, { outcome, reason: reasonOf(failure), error: describe(failure) });
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error && "reason" in error && typeof error.reason === "string"
    ? error.reason
    : "unexpected";
}

void main();
