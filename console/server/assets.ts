// The page's script and style, bundled from console/page/ with the esbuild the project already uses, once
// per console run, in memory: served by the console itself, nothing fetched from elsewhere at run time.

import path from "node:path";
import { build } from "esbuild";

export interface Assets {
  readonly script: Buffer;
  readonly style: Buffer;
}

const PAGE = path.join(__dirname, "..", "page");

export async function bundlePage(): Promise<Assets> {
  const result = await build({
    entryPoints: [path.join(PAGE, "main.ts"), path.join(PAGE, "style.css")],
    bundle: true,
    minify: true,
    format: "iife",
    target: "es2022",
    platform: "browser",
    outdir: "/console-assets",
    write: false,
    legalComments: "none",
    logLevel: "silent",
  });
  const out = (ext: string) => {
    const file = result.outputFiles.find((f) => f.path.endsWith(ext));
    if (file === undefined) throw new Error(`the page's bundle has no ${ext} file`);
    return Buffer.from(file.contents);
  };
  return { script: out(".js"), style: out(".css") };
}
