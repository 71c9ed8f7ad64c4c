// Writes docs/aws/*.json from the generator in bootstrap/policies.ts (`npm run generate:ci-policies`):
// the committed copies of the CI roles' documents, with placeholders, for people who create the roles
// without the bootstrap program. tests/bootstrap/policy-documents.test.ts fails when they drift.

import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { committedDocuments } from "../bootstrap/policies";

const PROJECT = "video-jobs";
const dir = path.join(__dirname, "..", "docs", "aws");
const files = Object.entries(committedDocuments(PROJECT)).map(([file, document]) => {
  const target = path.join(dir, file);
  writeFileSync(target, `${JSON.stringify(document, null, 2)}\n`);
  return target;
});
// The repository's formatter owns the layout (biome formats JSON too).
execFileSync(process.execPath, [require.resolve("@biomejs/biome/bin/biome"), "format", "--write", ...files], {
  stdio: "inherit",
});
console.info(`wrote ${files.map((file) => path.relative(process.cwd(), file)).join(", ")}`);
