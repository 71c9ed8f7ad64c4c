// Builds a Lambda handler into one minified CommonJS file with esbuild's API, inside the Pulumi
// program, so `pulumi up` needs no build step. The output is byte-identical for the same sources in
// any checkout directory (no absolute paths, no timestamps, no source maps): an unchanged handler
// gives an unchanged archive hash, and the preview shows no diff.

import { createHash } from "node:crypto";
import * as path from "node:path";
import { build } from "esbuild";

export interface HandlerBundle {
  /** The bundled `index.js`. */
  readonly code: string;
  /** SHA-256 of `code`, hex. */
  readonly sha256: string;
  /** Source files in the bundle, relative to the source root, sorted. */
  readonly inputs: readonly string[];
}

/**
 * Node.js major version of the Lambdas: 24, the active LTS (Node 20 reached end of life in April 2026).
 * The bundle targets the same version; tests/handlers/lambda-runtime.test.ts loads every handler bundle
 * under this Node version, installed from the npm registry.
 */
export const LAMBDA_NODE_MAJOR = 24;
export const LAMBDA_NODE_RUNTIME = `nodejs${LAMBDA_NODE_MAJOR}.x`;
const ESBUILD_TARGET = `node${LAMBDA_NODE_MAJOR}`;

/**
 * Bundles `entryPoint` (relative to `sourceRoot`, e.g. `handlers/dispatcher.ts`) with its imports,
 * the AWS SDK included: the SDK in the Lambda runtime drifts, the bundled one is the one tested.
 */
export async function bundleHandler(sourceRoot: string, entryPoint: string): Promise<HandlerBundle> {
  if (path.isAbsolute(entryPoint))
    throw new Error(`entry point must be relative to the source root: ${entryPoint}`);
  const absWorkingDir = path.resolve(sourceRoot);
  const result = await build({
    absWorkingDir,
    entryPoints: [entryPoint],
    bundle: true,
    platform: "node",
    target: ESBUILD_TARGET,
    format: "cjs",
    // ESM builds first: they tree-shake; the SDK ships both.
    mainFields: ["module", "main"],
    minify: true,
    sourcemap: false,
    legalComments: "none",
    charset: "utf8",
    metafile: true,
    write: false,
    logLevel: "silent",
  }).catch((error: unknown) => {
    throw new Error(
      `bundling ${entryPoint} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  });
  const [output] = result.outputFiles;
  if (output === undefined || result.outputFiles.length !== 1) {
    throw new Error(`bundling ${entryPoint} produced ${result.outputFiles.length} files, expected 1`);
  }
  const code = output.text;
  // A checkout path in the bundle would change its hash per machine and leak the build host's layout.
  if (code.includes(absWorkingDir))
    throw new Error(`bundle of ${entryPoint} contains the path ${absWorkingDir}`);
  return {
    code,
    sha256: createHash("sha256").update(code).digest("hex"),
    inputs: Object.keys(result.metafile.inputs).sort(),
  };
}
