// Where the console reads from: the CLI's own configuration and connections (cli/config.ts, cli/aws.ts), so
// `--local` and `--stack NAME` mean exactly what they mean to the jobs CLI, with the user's own AWS
// credentials. Resolved on first use and again whenever it failed, so a console started before local mode
// (or while the stack is unreachable) recovers by itself; local mode's endpoints file is read again when it
// changes (a restarted local mode has new ports).

import { statSync } from "node:fs";
import { type AwsConnections, connect } from "../../cli/aws";
import { type CliConfig, type Env, resolveConfig } from "../../cli/config";
import { type CliIo, type CommandContext, commandContext, errorContext } from "../../cli/context";
import { type CliError, explainError } from "../../cli/errors";
import { painter } from "../../cli/format";
import { invocationOf } from "../../cli/invocation";
import { localEndpointsPath } from "../../config/local-endpoints";

export interface Target {
  readonly local?: boolean;
  readonly stack?: string;
}

export interface Connection {
  readonly config: CliConfig;
  readonly aws: AwsConnections;
  /** A command context for the CLI helpers the console shares (progress, log locations). */
  readonly ctx: CommandContext;
}

export class Connector {
  private current: { connection: Connection; stamp: string } | undefined;

  constructor(
    readonly target: Target,
    private readonly env: Env,
  ) {}

  /** Where the console reads, for the page: "local mode" or "stack dev". */
  describe(): string {
    return this.target.local
      ? "local mode"
      : this.target.stack
        ? `stack ${this.target.stack}`
        : "the configured tables";
  }

  async connection(): Promise<Connection> {
    const stamp = this.stamp();
    if (this.current !== undefined && this.current.stamp === stamp) return this.current.connection;
    this.close();
    const config = await resolveConfig(this.target, { env: this.env });
    const aws = connect(config);
    const io: CliIo = {
      stdout: { write: () => true },
      stderr: { write: () => true },
      env: this.env,
      cwd: process.cwd(),
      now: () => new Date(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    };
    const ctx = commandContext(io, config, aws, false, painter(false), invocationOf(this.env, this.target));
    const connection = { config, aws, ctx };
    this.current = { connection, stamp };
    return connection;
  }

  /** Forgets the connection after a failure: the next request resolves it again. */
  reset(): void {
    this.close();
  }

  /** A failure explained as the CLI explains it, with the fix. */
  explain(error: unknown): CliError {
    const config = this.current?.connection.config;
    return explainError(error, errorContext(config, invocationOf(this.env, this.target)));
  }

  close(): void {
    this.current?.connection.aws.close();
    this.current = undefined;
  }

  /** Changes when local mode's endpoints file does. */
  private stamp(): string {
    if (!this.target.local) return "";
    try {
      const stat = statSync(localEndpointsPath(this.env));
      return `${stat.mtimeMs}:${stat.size}`;
    } catch {
      return "missing";
    }
  }
}
