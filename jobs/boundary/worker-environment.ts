// The worker contract's environment (contracts/worker-environment.ts), built for one job attempt and passed to
// RunTask as container overrides. ECS caps the overrides at 8192 characters, so a job whose params would
// exceed it is rejected before it is recorded as submitted.

import type { WorkerVariable } from "../../contracts/worker-environment";
import type { JobInput } from "../model/events";

/** ECS limit on the JSON of `overrides` in RunTask. */
export const ECS_OVERRIDES_MAX_CHARS = 8192;

export interface ContainerOverride {
  readonly name: string;
  readonly environment: ReadonlyArray<{ readonly name: string; readonly value: string }>;
}

export interface WorkerTarget {
  readonly containerName: string;
  /** Outputs of a job go under s3://<bucket>/<prefix><jobId>/. */
  readonly outputBucket: string;
  readonly outputPrefix: string;
}

/** The key prefix of a job's outputs in the output bucket: `<prefix><jobId>/`. */
export function outputKeyPrefix(jobId: string, target: Pick<WorkerTarget, "outputPrefix">): string {
  return `${target.outputPrefix}${jobId}/`;
}

export function outputUrl(jobId: string, target: WorkerTarget): string {
  return `s3://${target.outputBucket}/${outputKeyPrefix(jobId, target)}`;
}

export function workerOverride(
  jobId: string,
  attempt: number,
  input: JobInput,
  target: WorkerTarget,
): ContainerOverride {
  const environment: Array<{ name: WorkerVariable; value: string }> = [
    { name: "JOB_ID", value: jobId },
    { name: "JOB_ATTEMPT", value: String(attempt) },
    { name: "INPUT_URL", value: input.videoUrl },
    { name: "OUTPUT_URL", value: outputUrl(jobId, target) },
  ];
  if (input.params !== undefined)
    environment.push({ name: "JOB_PARAMS", value: JSON.stringify(input.params) });
  return { name: target.containerName, environment };
}

/** Characters the RunTask `overrides` would take for this job (the largest attempt number it can have). */
export function overridesSize(jobId: string, input: JobInput, target: WorkerTarget): number {
  return JSON.stringify({ containerOverrides: [workerOverride(jobId, 9999, input, target)] }).length;
}
