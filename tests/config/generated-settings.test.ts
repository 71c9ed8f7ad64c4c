// Pulumi.yaml's config block and docs/settings.md are generated from the settings' one definition
// (config/schema.ts, config/handler-variables.ts): a setting changed there and not regenerated fails here.

import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { HANDLER_FUNCTIONS } from "../../config/handler-functions";
import { HANDLER_VARIABLES, variablesOf } from "../../config/handler-variables";
import { CONFIG_KEYS, CONFIG_SCHEMA } from "../../config/schema";
import { REPO_ROOT } from "../../config/stack-files";
import { variablesReadBy } from "../../handlers/environment";
import { GENERATED_FILES, renderProjectFile, renderSettingsDoc } from "../../scripts/settings-files";

const read = (file: string) => readFileSync(path.join(REPO_ROOT, file), "utf8");
const REGENERATE = "out of date: run `npm run settings:generate`";

describe("generated from the settings' definition", () => {
  it("Pulumi.yaml's config block", () => {
    const current = read(GENERATED_FILES.project);
    expect(current, REGENERATE).toBe(renderProjectFile(current));
  });

  it("docs/settings.md", () => {
    expect(read(GENERATED_FILES.docs), REGENERATE).toBe(renderSettingsDoc());
  });

  it("the docs name every setting and every handler variable", () => {
    const docs = renderSettingsDoc();
    for (const key of CONFIG_KEYS) expect(docs, key).toContain(`| \`${key}\` |`);
    for (const { name } of HANDLER_VARIABLES) expect(docs, name).toContain(`| \`${name}\` |`);
    expect(HANDLER_VARIABLES).toHaveLength(38);
  });

  it("renders the block from the schema whatever the file held", () => {
    const header = "name: video-jobs\nruntime: nodejs\n";
    const rendered = renderProjectFile(`${header}# old comment\nconfig:\n  stale:\n    type: string\n`);
    expect(rendered.startsWith(`${header}# Generated from config/schema.ts`)).toBe(true);
    expect(rendered).not.toContain("stale");
    expect(rendered).toContain(`  maxAttempts:\n    type: integer\n`);
    expect(CONFIG_SCHEMA.maxAttempts.variable.name).toBe("MAX_ATTEMPTS");
  });
});

describe("each function's variables", () => {
  it.each(HANDLER_FUNCTIONS)(
    "%s is given exactly what its handler's parse reads, and Powertools' two",
    (fn) => {
      expect([...variablesOf(fn)].sort()).toEqual(
        [...variablesReadBy(fn), "POWERTOOLS_LOG_LEVEL", "POWERTOOLS_SERVICE_NAME"].sort(),
      );
    },
  );
});
