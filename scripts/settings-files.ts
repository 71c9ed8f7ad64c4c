// The files generated from the settings' one definition (config/schema.ts, config/handler-variables.ts):
// Pulumi.yaml's config block (so the Pulumi CLI documents and type-checks stack files) and docs/settings.md
// (every setting, and every handler variable with the functions given it). `npm run settings:generate`
// writes them; tests/config/generated-settings.test.ts keeps them equal to what this renders.

import { dump } from "js-yaml";
import { HANDLER_FUNCTIONS } from "../config/handler-functions";
import { HANDLER_VARIABLES, variablesOf } from "../config/handler-variables";
import { CONFIG_KEYS, CONFIG_SCHEMA, PROJECT_NAME } from "../config/schema";

export const GENERATED_FILES = { project: "Pulumi.yaml", docs: "docs/settings.md" } as const;

const CONFIG_HEADER = `# Generated from config/schema.ts by \`npm run settings:generate\` (tests/config/generated-settings.test.ts
# keeps it equal): edit a setting there, not here. config/parse.ts validates values beyond their type.
`;

/** Pulumi.yaml with its config block rendered from the schema; what precedes the block is kept. */
export function renderProjectFile(current: string): string {
  const lines = current.split("\n");
  let start = lines.findIndex((line) => line === "config:");
  if (start === -1) start = lines.length;
  // The block's own header comment (the lines of comment just above it) is the generator's to write.
  while (start > 0 && lines[start - 1]?.startsWith("#")) start--;
  const kept = lines.slice(0, start).join("\n").replace(/\n*$/, "\n");
  const config = Object.fromEntries(
    CONFIG_KEYS.map((key) => {
      const spec = CONFIG_SCHEMA[key];
      return [
        key,
        {
          type: spec.type,
          ...(spec.type === "array" ? { items: { type: "string" } } : {}),
          description: spec.description,
          default: spec.default,
        },
      ];
    }),
  );
  return `${kept}${CONFIG_HEADER}${dump({ config }, { lineWidth: 118, noRefs: true, quotingType: '"' })}`;
}

/** docs/settings.md: every setting, then every handler variable, then what each function is given. */
export function renderSettingsDoc(): string {
  const settings = CONFIG_KEYS.map((key) => {
    const spec = CONFIG_SCHEMA[key];
    const variable: { readonly name: string; readonly functions: readonly string[] } | undefined =
      "variable" in spec ? spec.variable : undefined;
    return row([
      `\`${key}\``,
      spec.type,
      `\`${JSON.stringify(spec.default)}\``,
      spec.description,
      variable === undefined ? "" : `\`${variable.name}\` (${variable.functions.join(", ")})`,
    ]);
  });
  const variables = HANDLER_VARIABLES.map((variable) =>
    row([
      `\`${variable.name}\``,
      variable.setting === undefined
        ? "a resource"
        : `\`${variable.setting}\`${variable.scale ? ` × ${variable.scale}` : ""}`,
      variable.functions.join(", "),
      variable.readBy ?? "the handler",
      variable.setting === undefined ? variable.description : "",
    ]),
  );
  const perFunction = HANDLER_FUNCTIONS.map((fn) =>
    row([
      fn,
      String(variablesOf(fn).length),
      variablesOf(fn)
        .map((n) => `\`${n}\``)
        .join(", "),
    ]),
  );
  return `# Settings

<!-- Generated from config/schema.ts and config/handler-variables.ts by \`npm run settings:generate\`;
tests/config/generated-settings.test.ts keeps it equal. Edit a setting there, not here. -->

Every setting of a stack, as \`${PROJECT_NAME}:<setting>\` in \`Pulumi.<stack>.yaml\`. A key of the
\`${PROJECT_NAME}\` namespace that is not listed here is refused, naming the setting it most likely meant
(\`pulumi up\`, \`npm run local -- --stack NAME\`, and \`npm run jobs -- check Pulumi.<stack>.yaml\`).
Values are checked beyond their type by config/parse.ts, which names the key and the fix.

| Setting | Type | Default | Meaning | Handler variable (functions given it) |
| --- | --- | --- | --- | --- |
${settings.join("\n")}

## Handler variables

The Lambdas' configuration comes only from these environment variables. Each function is given exactly
the variables its handler reads (handlers/environment.ts parses them; tests check the two are equal).

| Variable | Carries | Functions | Read by | Meaning |
| --- | --- | --- | --- | --- |
${variables.join("\n")}

## What each function is given

| Function | Variables | Names |
| --- | --- | --- |
${perFunction.join("\n")}
`;
}

function row(cells: readonly string[]): string {
  return `| ${cells.map((cell) => cell.replaceAll("|", "\\|").replaceAll("\n", " ")).join(" | ")} |`;
}
