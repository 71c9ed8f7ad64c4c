// The Lambda bundles run on the Lambdas' Node version, not only on this machine's: each handler is bundled
// exactly as the Pulumi program bundles it, then loaded by the Lambda runtime's Node major (installed from
// the npm registry as the `node-<platform>-<arch>` package that ships the binary, cached under
// node_modules/.cache), and must export a `handler` function. Loading runs the bundle's module scope:
// clients, logger and the SDK's own start-up code, which is where a runtime change breaks first.

import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleHandler, LAMBDA_NODE_MAJOR, LAMBDA_NODE_RUNTIME } from "../../components/lib/bundle";
import { HANDLER_ENTRY_POINTS } from "../../components/lib/handler-entry-points";

const run = promisify(execFile);
const REPO = path.resolve(__dirname, "..", "..");
const PACKAGE = `node-${process.platform}-${process.arch}`;
const CACHE = path.join(REPO, "node_modules", ".cache", `lambda-node-${LAMBDA_NODE_MAJOR}`);
const NODE = path.join(CACHE, "node_modules", PACKAGE, "bin", "node");

let scratch: string;
beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), "lambda-runtime-"));
  if (!existsSync(NODE)) {
    mkdirSync(CACHE, { recursive: true });
    writeFileSync(path.join(CACHE, "package.json"), '{ "private": true }\n');
    await run(
      "npm",
      [
        "install",
        "--no-save",
        "--no-audit",
        "--no-fund",
        "--ignore-scripts",
        `${PACKAGE}@${LAMBDA_NODE_MAJOR}`,
      ],
      { cwd: CACHE, timeout: 110_000 },
    );
  }
}, 120_000);
afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe(`the Lambda runtime, ${LAMBDA_NODE_RUNTIME}`, () => {
  it("is the Node major the installed binary runs", async () => {
    const { stdout } = await run(NODE, ["--version"]);
    expect(stdout.trim()).toMatch(new RegExp(`^v${LAMBDA_NODE_MAJOR}\\.`));
    expect(LAMBDA_NODE_RUNTIME).toBe(`nodejs${LAMBDA_NODE_MAJOR}.x`);
  });

  it.each(Object.entries(HANDLER_ENTRY_POINTS))(
    "loads the %s bundle and finds its handler",
    async (name, entry) => {
      const bundle = await bundleHandler(REPO, entry);
      const file = path.join(scratch, name, "index.js");
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, bundle.code);
      // As Lambda does: require index.js from the task root, with only the variables every function has.
      const probe = `const m = require(${JSON.stringify(file)}); process.stdout.write(JSON.stringify({ node: process.version, handler: typeof m.handler }));`;
      const { stdout } = await run(NODE, ["-e", probe], {
        cwd: path.dirname(file),
        env: { AWS_REGION: "eu-west-1", AWS_LAMBDA_FUNCTION_NAME: name, PATH: process.env.PATH ?? "" },
      });
      expect(JSON.parse(stdout)).toEqual({
        node: expect.stringMatching(new RegExp(`^v${LAMBDA_NODE_MAJOR}\\.`)),
        handler: "function",
      });
    },
  );
});
