// Regenerates docs/events/job-state-change.schema.json, the JSON Schema of the "Job State Change" event's
// detail, from jobs/boundary/outcome-events.ts, formatted the repository's way:  npx tsx docs/events/write-schema.ts
// A test fails when the committed file no longer matches the code.

import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { jobStateChangeJsonSchema } from "../../jobs/boundary";

export const OUTCOME_SCHEMA_FILE = path.join(__dirname, "job-state-change.schema.json");

if (require.main === module) {
  writeFileSync(OUTCOME_SCHEMA_FILE, `${JSON.stringify(jobStateChangeJsonSchema(), null, 2)}\n`);
  execFileSync(path.join(__dirname, "..", "..", "node_modules", ".bin", "biome"), [
    "format",
    "--write",
    OUTCOME_SCHEMA_FILE,
  ]);
  console.log(`written: ${path.relative(process.cwd(), OUTCOME_SCHEMA_FILE)}`);
}
