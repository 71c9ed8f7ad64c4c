// Regenerates the worker's published JSON Schemas from their zod schemas, formatted the repository's way:
//   npx tsx worker/write-schemas.ts
// result.schema.json (result.json, src/result.ts), outcome.schema.json (outcome-<attempt>.json,
// src/outcome-schema.ts) and params.schema.json (JOB_PARAMS, src/params-schema.ts). A test fails when a
// committed file no longer matches the code.

import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { outcomeJsonSchema } from "../contracts/outcome-schema";
import { paramsJsonSchema } from "../contracts/params-schema";
import { resultJsonSchema } from "./src/result";

export const RESULT_SCHEMA_FILE = path.join(__dirname, "result.schema.json");
export const OUTCOME_SCHEMA_FILE = path.join(__dirname, "outcome.schema.json");
export const PARAMS_SCHEMA_FILE = path.join(__dirname, "params.schema.json");

/** Each published file with the schema it must hold. */
export const PUBLISHED_SCHEMAS: ReadonlyArray<readonly [file: string, schema: () => unknown]> = [
  [RESULT_SCHEMA_FILE, resultJsonSchema],
  [OUTCOME_SCHEMA_FILE, outcomeJsonSchema],
  [PARAMS_SCHEMA_FILE, paramsJsonSchema],
];

if (require.main === module) {
  for (const [file, schema] of PUBLISHED_SCHEMAS) {
    writeFileSync(file, `${JSON.stringify(schema(), null, 2)}\n`);
    execFileSync(path.join(__dirname, "..", "node_modules", ".bin", "biome"), ["format", "--write", file]);
    console.log(`written: ${path.relative(process.cwd(), file)}`);
  }
}
