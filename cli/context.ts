// What a command runs with: the process's streams, environment and clock (injected, so tests run commands
// in-process), the resolved configuration, the AWS connections, and output helpers for the two modes
// (a readable text for people, one JSON document with --json).

import { userInfo } from "node:os";
import type { AwsConnections } from "./aws";
import type { CliConfig, Env } from "./config";
import type { ErrorContext } from "./errors";
import type { Painter } from "./format";
import { commandLine, type Invocation } from "./invocation";

export interface OutputStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  /** A terminal's width (tables fit it; 80 when not a terminal). */
  readonly columns?: number;
}

export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: Env;
  readonly cwd: string;
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
}

export interface CommandContext {
  readonly io: CliIo;
  readonly config: CliConfig;
  readonly aws: AwsConnections;
  readonly json: boolean;
  readonly paint: Painter;
  /** `-o wide`: tables at their natural width, nothing shortened. */
  readonly wide: boolean;
  /** How the user ran the CLI: what follow-up commands are printed with. */
  readonly invocation: Invocation;
  /** A follow-up command line, as the user would type it (`npm run jobs -- --local watch ID`, ...). */
  command(...args: readonly string[]): string;
  /** Writes a line (or lines) of human output; nothing in --json mode. */
  say(text: string): void;
  /** Writes the one JSON document of --json mode. */
  emit(value: unknown): void;
  /** A note for people on stderr (progress, hints), painted dim; in --json mode too. */
  note(text: string): void;
}

export function commandContext(
  io: CliIo,
  config: CliConfig,
  aws: AwsConnections,
  json: boolean,
  paint: Painter,
  invocation: Invocation,
  wide = false,
): CommandContext {
  return {
    io,
    config,
    aws,
    json,
    paint,
    wide,
    invocation,
    command: (...args) => commandLine(invocation, ...args),
    say(text) {
      if (!json) io.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
    },
    emit(value) {
      io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
    note(text) {
      io.stderr.write(`${text}\n`);
    },
  };
}

export function errorContext(config: CliConfig | undefined, invocation: Invocation): ErrorContext {
  return {
    invocation,
    tableName: config?.table?.value,
    tableSource: config?.table?.source,
    region: config?.region?.value,
    endpoint: config?.endpoints.dynamodb,
    endpoints: config?.endpoints,
  };
}

/** Who ran the command, for the reasons recorded in a history (retry, cancel). */
export function whoRanIt(ctx: CommandContext): string {
  const fromEnv = ctx.io.env.USER ?? ctx.io.env.USERNAME ?? ctx.io.env.LOGNAME;
  if (fromEnv) return `user ${fromEnv}`;
  try {
    return `user ${userInfo().username}`;
  } catch {
    return "unknown user";
  }
}
