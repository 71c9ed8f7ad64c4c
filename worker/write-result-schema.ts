// Regenerates worker/result.schema.json, the JSON Schema of result.json, from worker/src/result.ts, and
// formats it the repository's way:  npx tsx worker/write-result-schema.ts
// A test fails when the committed file no longer matches the code.

import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { resultJsonSchema } from "./src/result";

export const RESULT_SCHEMA_FILE = path.join(__dirname, "result.schema.json");

if (require.main === module) {
  writeFileSync(RESULT_SCHEMA_FILE, `${JSON.stringify(resultJsonSchema(), null, 2)}\n`);
  execFileSync(path.join(__dirname, "..", "node_modules", ".bin", "biome"), [
    "format",
    "--write",
    RESULT_SCHEMA_FILE,
  ]);
  console.log(`written: ${path.relative(process.cwd(), RESULT_SCHEMA_FILE)}`);
}
