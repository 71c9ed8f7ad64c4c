// Bundles the worker into one CommonJS file with esbuild: the AWS SDK, zod and the worker's code inlined,
// so the image needs no node_modules at all. The npm-packaged ffmpeg/ffprobe stay external: the image uses
// Debian's (on PATH), and a bundle run from a checkout still finds the packages in node_modules.
// The Dockerfile, the tests and the benchmark all run this same bundle.
//   npx tsx worker/build.ts [outfile]     (default dist/worker/main.js)

import path from "node:path";
import { build } from "esbuild";

export const DEFAULT_BUNDLE = path.join(__dirname, "..", "dist", "worker", "main.js");

export async function bundleWorker(outfile: string = DEFAULT_BUNDLE): Promise<string> {
  await build({
    entryPoints: [path.join(__dirname, "src", "main.ts")],
    outfile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    external: ["@ffmpeg-installer/ffmpeg", "@ffprobe-installer/ffprobe"],
    legalComments: "none",
    logLevel: "warning",
  });
  return outfile;
}

if (require.main === module) {
  bundleWorker(process.argv[2] ? path.resolve(process.argv[2]) : DEFAULT_BUNDLE).then(
    (outfile) => console.log(`worker bundled: ${path.relative(process.cwd(), outfile)}`),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
