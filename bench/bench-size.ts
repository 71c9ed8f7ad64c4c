// The size a benchmark runs at: `full` for its numbers (`npm run bench -- <name>`), `small` for the test
// that runs every benchmark (tests/bench/), so a broken benchmark fails a test before it lands. A benchmark
// whose own check fails throws (BenchmarkCheckFailed): the runner exits non-zero, the test fails.

export type BenchSize = "full" | "small";

export class BenchmarkCheckFailed extends Error {
  constructor(benchmark: string, failed: readonly string[]) {
    super(`benchmark ${benchmark}: ${failed.length} check(s) failed: ${failed.join("; ")}`);
    this.name = "BenchmarkCheckFailed";
  }
}

/** Throws when any check failed; the failed ones are named. */
export function requireChecks(
  benchmark: string,
  checks: ReadonlyArray<{ readonly name: string; readonly ok: boolean; readonly value?: string }>,
): void {
  const failed = checks
    .filter((c) => !c.ok)
    .map((c) => (c.value === undefined ? c.name : `${c.name}: ${c.value}`));
  if (failed.length > 0) throw new BenchmarkCheckFailed(benchmark, failed);
}
