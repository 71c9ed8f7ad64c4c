// Benchmark: the job console's page weight — the script and style the console serves (bundled from
// console/page/ by esbuild, minified), in bytes as served and gzipped (what a compressing proxy would send).
// The page loads nothing else: no fonts, no images of its own, no CDN.

import { gzipSync } from "node:zlib";
import { bundlePage } from "../console/server/assets";

export const name = "console-page";

export async function run(): Promise<void> {
  const started = performance.now();
  const assets = await bundlePage();
  const bundled = performance.now() - started;
  const row = (what: string, bytes: Buffer) =>
    console.log(
      `${what.padEnd(8)} ${String(bytes.length).padStart(7)} B   gzip ${String(gzipSync(bytes).length).padStart(6)} B`,
    );
  row("script", assets.script);
  row("style", assets.style);
  row("total", Buffer.concat([assets.script, assets.style]));
  console.log(`bundled in ${bundled.toFixed(0)} ms (once per console start)`);
}
