// `--stack NAME`: the deployed stack's resources, read from `pulumi stack output --json` (the Pulumi CLI,
// when installed). The output names are those index.ts exports.

import { execFile } from "node:child_process";
import { PROJECT_ROOT } from "../config/local-endpoints";
import { CliError } from "./errors";

/** The stack outputs (index.ts) the CLI reads, by what it uses them for. */
export const STACK_OUTPUTS = {
  tableName: "tableName",
  queueUrl: "queueUrl",
  cluster: "clusterName",
  bucket: "bucketName",
  logGroup: "workerLogGroupName",
  region: "region",
  eventBus: "eventBusName",
} as const;

export type StackValues = Partial<Record<keyof typeof STACK_OUTPUTS, string>>;

export async function readStackOutputs(
  stack: string,
  env: Readonly<Record<string, string | undefined>>,
  cwd = PROJECT_ROOT,
): Promise<StackValues> {
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      "pulumi",
      ["stack", "output", "--json", "--stack", stack],
      { cwd, env: env as NodeJS.ProcessEnv, maxBuffer: 16 * 1024 * 1024, timeout: 60_000 },
      (error, out, err) => {
        if (error === null) return resolve(out);
        if ((error as NodeJS.ErrnoException).code === "ENOENT") {
          return reject(
            new CliError("--stack needs the Pulumi CLI, which is not installed", {
              hint: "install it (https://www.pulumi.com/docs/install/), or pass --table/--queue-url/--cluster/--bucket, or set JOBS_TABLE, JOBS_QUEUE_URL, ...",
            }),
          );
        }
        reject(
          new CliError(`pulumi stack output --stack ${stack} failed: ${(err || error.message).trim()}`, {
            hint: "check the stack name (`pulumi stack ls`) and that you are logged in (`pulumi whoami`)",
          }),
        );
      },
    );
  });
  let outputs: unknown;
  try {
    outputs = JSON.parse(stdout);
  } catch {
    throw new CliError(`pulumi stack output --json --stack ${stack} printed something that is not JSON`);
  }
  if (typeof outputs !== "object" || outputs === null) return {};
  const record = outputs as Record<string, unknown>;
  const values: StackValues = {};
  for (const [field, output] of Object.entries(STACK_OUTPUTS)) {
    const value = record[output];
    if (typeof value === "string" && value !== "") values[field as keyof StackValues] = value;
  }
  return values;
}
