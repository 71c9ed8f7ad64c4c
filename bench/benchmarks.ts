// The benchmarks, by name, loaded on demand (each starts servers or simulations): what the runner (run.ts)
// runs and what tests/bench/benchmarks.test.ts runs at the small size, so a benchmark added here is tested.

import type { BenchSize } from "./bench-size";

export interface Benchmark {
  readonly name: string;
  run(size: BenchSize): Promise<void>;
}

export const benchmarks: ReadonlyArray<{ readonly name: string; readonly load: () => Promise<Benchmark> }> = [
  { name: "lifecycle", load: () => import("./lifecycle.js") },
  { name: "worker", load: () => import("./worker.js") },
  { name: "sweep", load: () => import("./sweep.js") },
  { name: "burst", load: () => import("./burst.js") },
  { name: "capacity", load: () => import("./capacity.js") },
  { name: "console-page", load: () => import("./console-page.js") },
];
