// Benchmark runner (`npm run bench [-- name ...]`): runs each benchmark module in turn, or only those named.
// A benchmark module exports `name` and `run(): Promise<void>`, and prints its own measurements.

interface Benchmark {
  name: string;
  run(): Promise<void>;
}

const benchmarks: Array<() => Promise<Benchmark>> = [
  () => import("./lifecycle.js"),
  () => import("./worker.js"),
];

async function main(): Promise<void> {
  // The SDK versions locked here support this Node 20; its notice about later versions is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const wanted = process.argv.slice(2);
  for (const load of benchmarks) {
    const benchmark = await load();
    if (wanted.length > 0 && !wanted.includes(benchmark.name)) continue;
    console.log(`\n## ${benchmark.name}`);
    await benchmark.run();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
