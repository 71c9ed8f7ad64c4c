// Benchmark runner (`npm run bench [-- name ...] [--small]`): runs each benchmark module in turn, or only
// those named. A benchmark module exports `name` and `run(size): Promise<void>`, prints its own
// measurements and throws when one of its checks fails. `--small` runs them at the size their tests use
// (bench-size.ts). The list (benchmarks.ts) names them before loading, so an unknown one is refused before
// any benchmark is loaded (they start servers).

import type { BenchSize } from "./bench-size";
import { benchmarks } from "./benchmarks";

/** Exit code of a command line naming no known benchmark (as the jobs CLI's usage errors). */
const EXIT_USAGE = 2;

async function main(): Promise<void> {
  // The SDK versions locked here support this Node 20; its notice about later versions is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const args = process.argv.slice(2);
  const size: BenchSize = args.includes("--small") ? "small" : "full";
  const wanted = args.filter((arg) => arg !== "--small");
  const known = benchmarks.map((b) => b.name);
  const unknown = wanted.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    console.error(
      `error: unknown benchmark${unknown.length === 1 ? "" : "s"} ${unknown.map((n) => `"${n}"`).join(", ")}; ` +
        `the benchmarks are: ${known.join(", ")} (npm run bench -- <name ...> [--small]; none: all of them)`,
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
    await benchmark.run(size);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
