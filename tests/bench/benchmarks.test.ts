// Every benchmark the runner lists (bench/benchmarks.ts), run at its small size (bench-size.ts) through the runner's own module:
// a benchmark that breaks (a check of its own fails, or it throws) fails here before it lands. The numbers
// are the benchmarks' business; only that they ran and their checks held is asserted.

import { describe, expect, it } from "vitest";
import { BenchmarkCheckFailed, requireChecks } from "../../bench/bench-size";
import { benchmarks } from "../../bench/benchmarks";

describe.each(benchmarks.map((b) => [b.name, b.load] as const))("the %s benchmark", (benchmark, load) => {
  it("runs at its small size with its own checks holding", { timeout: 120_000 }, async () => {
    const module = await load();
    expect(module.name).toBe(benchmark);
    const log = console.log;
    const printed: string[] = [];
    console.log = (...parts: unknown[]) => printed.push(parts.join(" "));
    try {
      await module.run("small");
    } finally {
      console.log = log;
    }
    expect(printed.length).toBeGreaterThan(3);
  });
});

it("a failed check throws, naming it", () => {
  expect(() =>
    requireChecks("demo", [
      { name: "jobs lost", ok: false, value: "3" },
      { name: "fine", ok: true },
    ]),
  ).toThrow(new BenchmarkCheckFailed("demo", ["jobs lost: 3"]));
  expect(() => requireChecks("demo", [{ name: "fine", ok: true }])).not.toThrow();
});
