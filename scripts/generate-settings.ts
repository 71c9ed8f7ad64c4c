// `npm run settings:generate`: writes Pulumi.yaml's config block and docs/settings.md from the settings'
// one definition (scripts/settings-files.ts renders them).

import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../config/stack-files";
import { GENERATED_FILES, renderProjectFile, renderSettingsDoc } from "./settings-files";

const project = path.join(REPO_ROOT, GENERATED_FILES.project);
writeFileSync(project, renderProjectFile(readFileSync(project, "utf8")));
writeFileSync(path.join(REPO_ROOT, GENERATED_FILES.docs), renderSettingsDoc());
process.stdout.write(`wrote ${GENERATED_FILES.project} (config block) and ${GENERATED_FILES.docs}\n`);
