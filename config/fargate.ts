// Fargate rules as pure functions: which CPU/memory pairs, storage sizes, architectures and stop timeouts
// a task definition may use. Checked at config time so `pulumi up` never fails on RegisterTaskDefinition.
// Pulumi-free: local mode reads them too.

import { type CapacityMode, FARGATE_CPU_SIZES, fargateMemoryOptions } from "../jobs/model";

export const FARGATE_CPU_ARCHITECTURES = ["ARM64", "X86_64"] as const;
export type FargateCpuArchitecture = (typeof FARGATE_CPU_ARCHITECTURES)[number];

// AWS's table of valid CPU/memory pairs lives with the job model (jobs/model/task-size.ts), which also grows an
// attempt that ran out of memory along it; the config rules read the same table.
export { FARGATE_CPU_SIZES, FARGATE_MAX_MEMORY_MIB, fargateMemoryOptions } from "../jobs/model";

/** Why a cpu/memory pair is not a Fargate size, or undefined when it is. */
export function fargateSizeProblem(cpu: number, memoryMb: number): string | undefined {
  const options = fargateMemoryOptions(cpu);
  if (options.length === 0)
    return `cpu ${cpu} is not a Fargate size; use one of ${FARGATE_CPU_SIZES.join(", ")}`;
  if (options.includes(memoryMb)) return undefined;
  const allowed =
    options.length <= 4
      ? options.join(", ")
      : `${options[0]}-${options[options.length - 1]} in steps of ${stepOf(options)}`;
  return `memory ${memoryMb} MiB is not valid with cpu ${cpu}; use ${allowed} MiB`;
}

export const FARGATE_EPHEMERAL_STORAGE_GIB = { min: 21, max: 200 } as const;

/** Seconds the worker gets between SIGTERM and SIGKILL unless the stack says otherwise. */
export const DEFAULT_STOP_TIMEOUT_SECONDS = 30;

/**
 * The stop timeout of a stack that uses Spot: Fargate warns two minutes before it reclaims a Spot task (the
 * SIGTERM), and 120 s is also the most Fargate allows, so the worker can use the whole warning to stop cleanly.
 */
export const SPOT_STOP_TIMEOUT_SECONDS = 120;

/**
 * The worker container's stop timeout: the whole Spot warning when the stack uses Spot, else the configured
 * one. The stack's config resolves it (config.worker.stopTimeoutSeconds), so the deployed task definition
 * and local mode's ECS stop a worker alike.
 */
export function workerStopTimeoutSeconds(capacity: CapacityMode, configured: number | undefined): number {
  if (capacity !== "on-demand") return SPOT_STOP_TIMEOUT_SECONDS;
  return configured ?? DEFAULT_STOP_TIMEOUT_SECONDS;
}

/** Docker build platform for an ECS CPU architecture. */
export function dockerPlatform(architecture: FargateCpuArchitecture): string {
  return architecture === "ARM64" ? "linux/arm64" : "linux/amd64";
}

function stepOf(options: readonly number[]): number {
  const [first, second] = options;
  return first !== undefined && second !== undefined ? second - first : 0;
}
