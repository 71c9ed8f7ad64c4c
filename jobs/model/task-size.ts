// Fargate task sizes and where an attempt runs: AWS's table of valid CPU/memory combinations, the capacity
// providers, and the size ladder an attempt that ran out of memory climbs. Pure; the stack's config rules
// (config/fargate.ts) and the job model's retry decisions (decide.ts) both read this one table.

/** A Fargate task size: CPU units (1024 = 1 vCPU) and memory in MiB, a valid pair of the table below. */
export interface TaskSize {
  readonly cpu: number;
  readonly memoryMib: number;
}

/** Fargate's capacity providers: On-Demand, and Spot (about 70% cheaper, interruptible). */
export const CAPACITY_PROVIDERS = ["FARGATE", "FARGATE_SPOT"] as const;
export type CapacityProvider = (typeof CAPACITY_PROVIDERS)[number];

/**
 * Where a stack runs its attempts (stack config `capacity`): all On-Demand; all Spot (an interrupted or
 * refused Spot launch is retried on Spot); or Spot first, the rest of a job on On-Demand once Spot lets it down.
 */
export const CAPACITY_MODES = ["on-demand", "spot", "spot-with-fallback"] as const;
export type CapacityMode = (typeof CAPACITY_MODES)[number];

/** The largest memory a Fargate task may have (16 vCPU, 120 GiB). */
export const FARGATE_MAX_MEMORY_MIB = 122_880;

interface MemoryRange {
  readonly min: number;
  readonly max: number;
  readonly step: number;
}

// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
const MEMORY_BY_CPU: ReadonlyMap<number, MemoryRange | readonly number[]> = new Map<
  number,
  MemoryRange | readonly number[]
>([
  [256, [512, 1024, 2048]],
  [512, { min: 1024, max: 4096, step: 1024 }],
  [1024, { min: 2048, max: 8192, step: 1024 }],
  [2048, { min: 4096, max: 16384, step: 1024 }],
  [4096, { min: 8192, max: 30720, step: 1024 }],
  [8192, { min: 16384, max: 61440, step: 4096 }],
  [16384, { min: 32768, max: 122880, step: 8192 }],
]);

export const FARGATE_CPU_SIZES: readonly number[] = [...MEMORY_BY_CPU.keys()];

/** The memory sizes (MiB) Fargate accepts with `cpu` units; empty when `cpu` is not a Fargate size. */
export function fargateMemoryOptions(cpu: number): number[] {
  const allowed = MEMORY_BY_CPU.get(cpu);
  if (allowed === undefined) return [];
  if (Array.isArray(allowed)) return [...allowed];
  const { min, max, step } = allowed as MemoryRange;
  const sizes: number[] = [];
  for (let memory = min; memory <= max; memory += step) sizes.push(memory);
  return sizes;
}

/** Every valid Fargate size, smallest CPU first, then smallest memory. */
export function fargateSizes(): TaskSize[] {
  return FARGATE_CPU_SIZES.flatMap((cpu) =>
    fargateMemoryOptions(cpu).map((memoryMib) => ({ cpu, memoryMib })),
  );
}

export function isFargateSize(size: TaskSize): boolean {
  return fargateMemoryOptions(size.cpu).includes(size.memoryMib);
}

/**
 * The size an attempt that ran out of memory at `size` is retried with, or undefined when none larger fits
 * `maxMemoryMib` (stack config maxWorkerMemoryMb).
 *
 * The next rung has at least TWICE the memory: the smallest valid Fargate memory >= 2x. A deliberate choice
 * over the next 1 GiB step: a job that needed more than 2 GiB rarely fits in 3, and every rung costs an
 * attempt (the goal is that 95% of out-of-memory jobs succeed within two). CPU is raised only when the
 * memory requires it: the current CPU if it takes that memory, else the smallest CPU that does (CPU never
 * goes down). When doubling overshoots the cap, the largest valid size within the cap is the last rung.
 */
export function nextTaskSize(size: TaskSize, maxMemoryMib: number): TaskSize | undefined {
  if (size.memoryMib >= maxMemoryMib) return undefined;
  const memories = memoryRungs(size.cpu).filter(
    (memory) => memory > size.memoryMib && memory <= maxMemoryMib,
  );
  if (memories.length === 0) return undefined;
  const doubled = memories.find((memory) => memory >= 2 * size.memoryMib);
  const memoryMib = doubled ?? Math.max(...memories);
  return { cpu: cpuFor(size.cpu, memoryMib), memoryMib };
}

/** The memories a task of `cpu` units can grow to: those of its own CPU and of every larger one, ascending. */
function memoryRungs(cpu: number): number[] {
  const memories = FARGATE_CPU_SIZES.filter((other) => other >= cpu).flatMap(fargateMemoryOptions);
  return [...new Set(memories)].sort((a, b) => a - b);
}

/** `cpu` if it takes `memoryMib`, else the smallest larger CPU that does. */
function cpuFor(cpu: number, memoryMib: number): number {
  const fits = FARGATE_CPU_SIZES.find(
    (other) => other >= cpu && fargateMemoryOptions(other).includes(memoryMib),
  );
  if (fits === undefined) throw new Error(`no Fargate CPU from ${cpu} units takes ${memoryMib} MiB`);
  return fits;
}

/**
 * `size` within the stack's bounds as they are now: never smaller than the task definition's size (`least`),
 * never above `maxMemoryMib`. Above it, the largest valid size within it (CPU raised only as that memory needs).
 * A job's grown size may outlive a change of workerMemoryMb or maxWorkerMemoryMb; its next attempt keeps to both.
 */
export function fitTaskSize(size: TaskSize, least: TaskSize, maxMemoryMib: number): TaskSize {
  if (size.memoryMib <= least.memoryMib) return least;
  if (size.memoryMib <= maxMemoryMib) return size;
  const memories = memoryRungs(least.cpu).filter(
    (memory) => memory >= least.memoryMib && memory <= maxMemoryMib,
  );
  const memoryMib = memories.at(-1);
  return memoryMib === undefined ? least : { cpu: cpuFor(least.cpu, memoryMib), memoryMib };
}

/** "2 vCPU 8 GiB": a size as people read it. */
export function describeTaskSize(size: TaskSize): string {
  const vcpu = size.cpu / 1024;
  const gib = size.memoryMib / 1024;
  return `${vcpu} vCPU ${Number.isInteger(gib) ? gib : gib.toFixed(1)} GiB`;
}

/** "Spot" or "On-Demand". */
export function describeCapacity(capacity: CapacityProvider): string {
  return capacity === "FARGATE_SPOT" ? "Spot" : "On-Demand";
}
