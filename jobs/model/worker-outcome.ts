// The worker's own account of an attempt in the job's history: fetched when its task stops (track-task.ts,
// through the WorkerOutcomeReader port) and carried on the observation; decide.ts records it on TaskStopped
// and words the failure with it. Pure, apart from the one read through the port.

import type { WorkerOutcomeReader } from "../store/ports";
import { defined } from "./defined";
import type { WorkerOutcome } from "./events";
import { exitCodeMeaning, type StopReading } from "./retry-policy";
import type { TaskObservation } from "./task-observation";

/** The observation with the worker's outcome of its attempt, when the task stopped and the worker left one. */
export async function withWorkerOutcome(
  observation: TaskObservation,
  jobId: string,
  reader: WorkerOutcomeReader | undefined,
): Promise<TaskObservation> {
  if (reader === undefined || observation.lastStatus !== "STOPPED" || observation.attempt === undefined) {
    return observation;
  }
  const workerOutcome = await reader.read(jobId, observation.attempt);
  return workerOutcome === undefined ? observation : { ...observation, workerOutcome };
}

/**
 * What the history keeps of the worker's report: only when it explains the exit ECS reports. A report for
 * another exit code (the worker wrote it, then ECS killed the container) would explain the wrong thing.
 */
export function recordedOutcome(task: TaskObservation): WorkerOutcome | undefined {
  const report = task.workerOutcome;
  if (report === undefined || task.exitCode === undefined || report.exitCode !== task.exitCode)
    return undefined;
  return {
    code: report.code,
    message: report.message,
    ...defined({ hint: report.hint, peakMemoryMb: report.peakMemoryMb, cpuSeconds: report.cpuSeconds }),
  };
}

/**
 * The failure in the worker's words when it explained its exit ("input is not a processable video:
 * truncated: the moov atom is missing"). Out of memory, infrastructure and outside stops keep ECS's account,
 * and an exit the worker did not explain keeps the policy's generic text.
 */
export function explainStop(
  reading: StopReading,
  outcome: WorkerOutcome | undefined,
  exitCode: number | undefined,
): StopReading {
  if (reading.outcome !== "failed" || outcome === undefined || exitCode === undefined) return reading;
  switch (reading.kind) {
    case "non-retryable-exit-code":
      return { ...reading, description: `${exitCodeMeaning(exitCode)}: ${outcome.message}` };
    case "exit-code":
      return { ...reading, description: `worker exited with code ${exitCode}: ${outcome.message}` };
    default:
      return reading;
  }
}
