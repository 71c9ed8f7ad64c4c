// What every command file in cli/commands/ shares to declare its own commander command: the registration
// it is given (how to run a handler with the resolved configuration), the parsers of option values, and
// the help text pieces (the job id argument, exit codes) so every command's help reads the same.

import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import { COMMAND } from "./command-name";
import type { CliIo, CommandContext } from "./context";

export type Handler = (ctx: CommandContext) => Promise<number>;

/** What main.ts gives each command's `register`. */
export interface Registration {
  readonly io: CliIo;
  /** Resolves the configuration and connects to AWS, runs the handler, and records its exit code. */
  readonly run: (command: Command, handler: Handler) => Promise<void>;
  /** Records the exit code of a command that needs no AWS configuration (check). */
  readonly finish: (code: number) => void;
}

export const JOB_ID_ARGUMENT = `the job's id, or the start of a recent one (see \`${COMMAND} list\`)`;

/** Every command's exit codes (docs/jobs-cli.md lists the same). */
export const COMMON_EXIT_CODES = [
  "0 ok",
  "1 error (AWS, unknown or ambiguous job id, a refused transition or submission)",
  "2 usage (flags, time window, missing configuration)",
];

export function exitCodes(codes: readonly string[] = COMMON_EXIT_CODES): string {
  return `Exit codes: ${codes.join("; ")}.`;
}

export function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError("must be a whole number >= 1");
  return Number(value);
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError("must be a number > 0");
  return n;
}

export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError("must be a number >= 0");
  return n;
}
