// How the user ran the CLI, so every follow-up command the CLI prints ("watch it with ...") can be copied
// and run as it is: `npm run jobs -- ...` under npm (which sets npm_lifecycle_event to the script's name,
// npm_command to run-script and npm_package_name; this package's other scripts, such as `npm run local`,
// print the same),
// `npx video-jobs ...` under npx, else the installed `video-jobs`; with the configuration flags the user
// gave (--local, --stack, --table, ...), without which the follow-up would look somewhere else.

import { COMMAND } from "./command-name";
import { shellQuote } from "./quote";

export interface Invocation {
  /** The program as the user started it: `npm run jobs --`, `npx video-jobs` or `video-jobs`. */
  readonly program: string;
  /** The configuration flags to repeat, shell-quoted. */
  readonly flags: readonly string[];
}

/** The npm script that runs the CLI in this repository (package.json "scripts"). */
const NPM_SCRIPT = "jobs";

/** This package's name: under another of its npm scripts (`npm run local -- --once`), `npm run jobs --` works too. */
const PACKAGE_NAME = "video-jobs";

/** The configuration flags a follow-up repeats (main.ts's global options; declared here, not imported from
 * config.ts, which errors.ts and so this module sit below). */
export interface ConfigurationFlags {
  readonly local?: boolean;
  readonly stack?: string;
  readonly table?: string;
  readonly queueUrl?: string;
  readonly cluster?: string;
  readonly bucket?: string;
  readonly logGroup?: string;
  readonly region?: string;
}

export function invocationOf(
  env: Readonly<Record<string, string | undefined>>,
  globals: ConfigurationFlags = {},
): Invocation {
  const viaNpmScript =
    env.npm_command !== "exec" &&
    (env.npm_lifecycle_event === NPM_SCRIPT ||
      // npm 10 says "run-script" for `npm run`, npm 11 says "run".
      ((env.npm_command === "run-script" || env.npm_command === "run") &&
        env.npm_package_name === PACKAGE_NAME));
  const program = viaNpmScript
    ? `npm run ${NPM_SCRIPT} --`
    : env.npm_command === "exec"
      ? `npx ${COMMAND}`
      : COMMAND;
  const flags: string[] = [];
  const valued = (name: string, value: string | undefined) => {
    if (value !== undefined && value !== "") flags.push(name, shellQuote(value));
  };
  if (globals.local === true) flags.push("--local");
  valued("--stack", globals.stack);
  valued("--table", globals.table);
  valued("--queue-url", globals.queueUrl);
  valued("--cluster", globals.cluster);
  valued("--bucket", globals.bucket);
  valued("--log-group", globals.logGroup);
  valued("--region", globals.region);
  return { program, flags };
}

/** A command line to print: the program, the configuration flags, then `args` (each shell-quoted). */
export function commandLine(invocation: Invocation, ...args: readonly string[]): string {
  return [invocation.program, ...invocation.flags, ...args.map(shellQuote)].join(" ");
}
