// `jobs check <stack-file...>`: a stack file checked offline before `pulumi up` (or `npm run local --
// --stack NAME`) meets it: each key of the project's namespace is a setting (a misspelt one is named
// with the setting it most likely meant) and every value passes the program's own validation. Needs no
// AWS and no Pulumi CLI. Exit codes: 0 every file is valid; 1 a file has problems; 2 a file cannot be
// read as a stack file.

import { resolve } from "node:path";
import { checkStackFile, StackFileError } from "../../config/stack-check";
import type { CliIo } from "../context";
import { EXIT_ERROR, EXIT_OK, EXIT_USAGE } from "../errors";
import type { Painter } from "../format";

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
