// Fargate sizing rules as pure functions: which CPU/memory pairs, storage sizes and architectures
// a task definition may use. Checked at config time so `pulumi up` never fails on RegisterTaskDefinition.

export const FARGATE_CPU_ARCHITECTURES = ["ARM64", "X86_64"] as const;
export type FargateCpuArchitecture = (typeof FARGATE_CPU_ARCHITECTURES)[number];

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

/** Docker build platform for an ECS CPU architecture. */
export function dockerPlatform(architecture: FargateCpuArchitecture): string {
  return architecture === "ARM64" ? "linux/arm64" : "linux/amd64";
}

function stepOf(options: readonly number[]): number {
  const [first, second] = options;
  return first !== undefined && second !== undefined ? second - first : 0;
}
