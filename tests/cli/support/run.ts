// Runs the jobs CLI in-process (runCli) with captured output, a fixed clock and an explicit environment.

import { type RunOptions, runCli } from "../../../cli/main";

export const NOW = new Date("2026-11-26T12:00:00.000Z");

export interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as JSON (for --json runs). */
  json<T = Record<string, unknown>>(): T;
}

export interface RunSettings extends RunOptions {
  readonly env?: Record<string, string | undefined>;
  readonly now?: () => Date;
  readonly tty?: boolean;
  /** The terminal's width (only read when `tty`). */
  readonly columns?: number;
  /** Called instead of waiting (jobs watch): lets a test move the job on. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly cwd?: string;
}

export async function jobs(argv: readonly string[], settings: RunSettings = {}): Promise<Result> {
  let stdout = "";
  let stderr = "";
  const tty = settings.tty ?? false;
  const code = await runCli(
    argv,
    {
      stdout: {
        write: (text: string) => (stdout += text),
        isTTY: tty,
        ...(settings.columns === undefined ? {} : { columns: settings.columns }),
      },
      stderr: { write: (text: string) => (stderr += text), isTTY: tty },
      env: settings.env ?? {},
      cwd: settings.cwd ?? process.cwd(),
      now: settings.now ?? (() => NOW),
      sleep: settings.sleep ?? (async () => {}),
    },
    settings,
  );
  return {
    code,
    stdout,
    stderr,
    json<T>() {
      return JSON.parse(stdout) as T;
    },
  };
}

/** The environment for a local DynamoDB: region, test credentials, endpoint and table. */
export function dynamoEnv(endpoint: string, table: string): Record<string, string> {
  return {
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    JOBS_TABLE: table,
  };
}
