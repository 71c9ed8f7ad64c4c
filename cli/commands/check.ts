// `jobs check <stack-file...>`: a stack file checked offline before `pulumi up` (or `npm run local --
// --stack NAME`) meets it: each key of the project's namespace is a setting (a misspelt one is named
// with the setting it most likely meant) and every value passes the program's own validation. Needs no
// AWS and no Pulumi CLI. Exit codes: 0 every file is valid; 1 a file has problems; 2 a file cannot be
// read as a stack file.

import { resolve } from "node:path";
import type { Command } from "commander";
import { checkStackFile, StackFileError } from "../../config/stack-check";
import { COMMAND } from "../command-name";
import { exitCodes, type Registration } from "../command-options";
import type { GlobalOptions } from "../config";
import type { CliIo } from "../context";
import { EXIT_ERROR, EXIT_OK, EXIT_USAGE } from "../errors";
import { colourEnabled, type Painter, painter } from "../format";

export const CHECK_EXIT_CODES = [
  "0 every file is valid",
  "1 a file has problems (each named, with its key)",
  "2 a file cannot be read as a stack file (missing, not YAML)",
];

export function checkCommand(io: CliIo, files: readonly string[], json: boolean, paint: Painter): number {
  let code = EXIT_OK;
  const reports: object[] = [];
  for (const file of files) {
    try {
      const check = checkStackFile(resolve(io.cwd, file));
      if (check.problems.length > 0 && code === EXIT_OK) code = EXIT_ERROR;
      reports.push({ ...check, file, ok: check.problems.length === 0 });
      if (!json) io.stdout.write(describe(file, check, paint));
    } catch (error) {
      if (!(error instanceof StackFileError)) throw error;
      code = EXIT_USAGE;
      reports.push({ file, ok: false, error: error.message });
      if (!json) io.stderr.write(`${paint.paint(["bold", "red"], "error:")} ${error.message}\n`);
    }
  }
  if (json) io.stdout.write(`${JSON.stringify({ files: reports }, null, 2)}\n`);
  return code;
}

function describe(
  file: string,
  check: {
    readonly problems: readonly string[];
    readonly settings: readonly string[];
    readonly otherNamespaces: readonly string[];
    readonly encrypted: readonly string[];
  },
  paint: Painter,
): string {
  const notes = [
    `${check.settings.length} video-jobs ${check.settings.length === 1 ? "setting" : "settings"}`,
    ...(check.otherNamespaces.length === 0
      ? []
      : [`not checked, other namespaces: ${check.otherNamespaces.join(", ")}`]),
    ...(check.encrypted.length === 0 ? [] : [`encrypted, value not checked: ${check.encrypted.join(", ")}`]),
  ].join("; ");
  if (check.problems.length === 0) return `${file}: ${paint.paint("green", "ok")} (${notes})\n`;
  const count = `${check.problems.length} ${check.problems.length === 1 ? "problem" : "problems"}`;
  return `${file}: ${paint.paint("red", count)} (${notes})\n${check.problems.map((p) => `  - ${p}\n`).join("")}`;
}

/** Declares `check` on the program: its arguments, options, help and action. */
export function registerCheckCommand(program: Command, { io, finish }: Registration): void {
  program
    .command("check")
    .description(
      "check stack files offline (Pulumi.<stack>.yaml): settings spelt right, values the program accepts",
    )
    .argument("<stack-file...>", "stack files, e.g. Pulumi.mystack.yaml")
    .addHelpText(
      "after",
      `\nEvery key of the video-jobs namespace must be a setting (docs/settings.md): a misspelt one is named with the\nsetting it most likely meant. Values pass the checks \`pulumi up\` and \`npm run local -- --stack NAME\` apply.\nKeys of other namespaces (aws:region) are left to their providers; encrypted values are not read.\nNeeds no AWS credentials and no Pulumi CLI.\n${exitCodes(CHECK_EXIT_CODES)}\n\nExamples:\n  ${COMMAND} check Pulumi.mystack.yaml\n  ${COMMAND} check Pulumi.*.yaml --json`,
    )
    .action((files: string[], _opts, command: Command) => {
      // Reads files only: no AWS configuration to resolve, so it runs outside `run`.
      const globals = command.optsWithGlobals<GlobalOptions>();
      finish(
        checkCommand(
          io,
          files,
          globals.json === true,
          painter(colourEnabled(io.stdout, io.env, globals.color !== false)),
        ),
      );
    });
}
