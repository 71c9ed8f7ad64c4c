// The handler bundler on a small synthetic project: one minified CommonJS file exporting `handler`,
// the same bytes on every build, and never the checkout path.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleHandler } from "../../components/lib/bundle";

let root: string;

function write(relative: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
  writeFileSync(path.join(root, relative), text);
}

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), "bundle-test-"));
  write("package.json", JSON.stringify({ name: "fixture", private: true }));
  // Imports written the way jobs/ and handlers/ write them: `.js` specifiers for `.ts` files.
  write(
    "lib/greeting.ts",
    '/** a doc comment */\nexport function greet(name: string): string {\n  return "hello " + name;\n}\n',
  );
  write(
    "handlers/hello.ts",
    'import { createHash } from "node:crypto";\nimport { greet } from "../lib/greeting.js";\n\n' +
      "export const handler = async (event: { name: string }) => ({\n" +
      '  message: greet(event.name),\n  digest: createHash("sha256").update(event.name).digest("hex"),\n});\n',
  );
  write("handlers/leaky.ts", `export const handler = async () => ${JSON.stringify(root)};\n`);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("bundleHandler", () => {
  it("builds one minified CommonJS file that exports the handler", async () => {
    const bundle = await bundleHandler(root, "handlers/hello.ts");
    expect(bundle.inputs).toEqual(["handlers/hello.ts", "lib/greeting.ts"]);
    expect(bundle.code).not.toContain("a doc comment");
    expect(bundle.code.trim().split("\n")).toHaveLength(1);
    const module = { exports: {} as { handler?: (event: { name: string }) => Promise<{ message: string }> } };
    new Function("module", "exports", "require", bundle.code)(module, module.exports, require);
    await expect(module.exports.handler?.({ name: "video" })).resolves.toMatchObject({
      message: "hello video",
    });
  });

  it("gives the same bytes on every build, without the checkout path", async () => {
    const [first, second] = await Promise.all([
      bundleHandler(root, "handlers/hello.ts"),
      bundleHandler(root, "handlers/hello.ts"),
    ]);
    expect(second.code).toBe(first.code);
    expect(second.sha256).toBe(first.sha256);
    expect(first.code).not.toContain(root);
  });

  it("refuses a bundle that would embed the checkout path", async () => {
    await expect(bundleHandler(root, "handlers/leaky.ts")).rejects.toThrow(/contains the path/);
  });

  it("names the entry point when bundling fails, and wants it relative", async () => {
    await expect(bundleHandler(root, "handlers/missing.ts")).rejects.toThrow(
      /bundling handlers\/missing.ts failed/,
    );
    await expect(bundleHandler(root, path.join(root, "handlers/hello.ts"))).rejects.toThrow(
      /must be relative/,
    );
  });
});
