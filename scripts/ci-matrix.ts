// What the pull-request workflow runs over, printed as GitHub step outputs (`name=value` lines for
// $GITHUB_OUTPUT): `stacks`, every Pulumi.<stack>.yaml, each previewed with its policy config
// policy/config/<stack>.json; and `worker-platforms`, the Docker platforms of the stacks' worker
// architectures, which the image build targets. The stack files are read and validated by the same code
// local mode and the tests use (config/), so CI builds what `pulumi up` would.
//
//   npx tsx scripts/ci-matrix.ts >> "$GITHUB_OUTPUT"

import { existsSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { dockerPlatform } from "../config/fargate";
import { parsePipelineConfig } from "../config/parse";
import { projectRawConfig, REPO_ROOT } from "../config/stack-files";

export interface CiMatrix {
  /** Stack names, sorted. */
  readonly stacks: readonly string[];
  /** Docker platforms of their worker images, sorted and without repeats (`linux/arm64`). */
  readonly workerPlatforms: readonly string[];
}

const STACK_FILE = /^Pulumi\.([a-z0-9-]+)\.yaml$/;

/** The stacks and platforms of the repository at `root`; throws when a stack has no policy config. */
export function ciMatrix(root = REPO_ROOT): CiMatrix {
  const stacks = readdirSync(root)
    .map((file) => STACK_FILE.exec(file)?.[1])
    .filter((stack): stack is string => stack !== undefined)
    .sort();
  if (stacks.length === 0) throw new Error(`no Pulumi.<stack>.yaml in ${root}`);
  const missing = stacks.filter((stack) => !existsSync(path.join(root, "policy", "config", `${stack}.json`)));
  if (missing.length > 0) {
    throw new Error(
      `no policy config for stack ${missing.join(", ")}: add policy/config/<stack>.json (see docs/deploying.md)`,
    );
  }
  const platforms = stacks.map((stack) =>
    dockerPlatform(parsePipelineConfig(projectRawConfig(stack, root)).worker.architecture),
  );
  return { stacks, workerPlatforms: [...new Set(platforms)].sort() };
}

/** The step outputs: `stacks` as a JSON array (for a matrix), `worker-platforms` comma-separated. */
export function stepOutputs(matrix: CiMatrix): string {
  return `stacks=${JSON.stringify(matrix.stacks)}\nworker-platforms=${matrix.workerPlatforms.join(",")}\n`;
}

if (require.main === module) process.stdout.write(stepOutputs(ciMatrix()));
