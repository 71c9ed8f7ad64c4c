// The worker's published progress: the steps of a job, in order, and the log line that starts each one
// (`{"msg":"step started","step":"probe","stepNumber":3,"steps":5}`; log.ts ends each with a "step" line).
// Constants only, so the jobs CLI can tell where a RUNNING job is from its log without importing the worker.

/** The steps of one job, in the order the worker runs them (job.ts). */
export const WORKER_STEPS = ["tools", "fetch", "probe", "analyse", "upload"] as const;
export type WorkerStep = (typeof WORKER_STEPS)[number];

/** The `msg` of the line a step starts with, and of the line it ends with. */
export const STEP_STARTED_MESSAGE = "step started";
export const STEP_ENDED_MESSAGE = "step";

/** What a step's log lines say of it, for the step started line. */
export function stepPosition(step: WorkerStep): { readonly stepNumber: number; readonly steps: number } {
  return { stepNumber: WORKER_STEPS.indexOf(step) + 1, steps: WORKER_STEPS.length };
}
