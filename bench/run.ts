// Benchmark runner (`npm run bench [-- name ...]`): runs each benchmark module in turn, or only those named.
// A benchmark module exports `name` and `run(): Promise<void>`, and prints its own measurements. The names
// are listed here too, so an unknown one is refused before any benchmark is loaded (they start servers).

interface Benchmark {
  name: string;
  run(): Promise<void>;
}

const benchmarks: ReadonlyArray<{ readonly name: string; readonly load: () => Promise<Benchmark> }> = [
  { name: "lifecycle", load: () => import("./lifecycle.js") },
  { name: "worker", load: () => import("./worker.js") },
  { name: "sweep", load: () => import("./sweep.js") },
  { name: "burst", load: () => import("./burst.js") },
  { name: "capacity", load: () => import("./capacity.js") },
  { name: "console-page", load: () => import("./console-page.js") },
];

/** Exit code of a command line naming no known benchmark (as the jobs CLI's usage errors). */
const EXIT_USAGE = 2;

async function main(): Promise<void> {
  // The SDK versions locked here support this Node 20; its notice about later versions is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const wanted = process.argv.slice(2);
  const known = benchmarks.map((b) => b.name);
  const unknown = wanted.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    console.error(
      `error: unknown benchmark${unknown.length === 1 ? "" : "s"} ${unknown.map((n) => `"${n}"`).join(", ")}; ` +
        `the benchmarks are: ${known.join(", ")} (npm run bench -- <name ...>; none: all of them)`,
    );
    process.exitCode = EXIT_USAGE;
    return;
  }
  for (const entry of benchmarks) {
    if (wanted.length > 0 && !wanted.includes(entry.name)) continue;
    const benchmark = await entry.load();
    if (benchmark.name !== entry.name) {
      throw new Error(`bench/run.ts lists "${entry.name}" but its module is named "${benchmark.name}"`);
    }
    console.log(`\n## ${benchmark.name}`);
    await benchmark.run();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
