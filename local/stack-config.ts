// The settings local mode runs with: a stack's (`--stack dev` reads Pulumi.dev.yaml, as `pulumi up` would
// see it), or Pulumi.yaml's defaults; validated by the same parser the Pulumi program uses.

import { existsSync } from "node:fs";
import path from "node:path";
import { type PipelineConfig, parsePipelineConfig } from "../config/parse";
import { otherNamespaceConfig, projectRawConfig } from "../config/stack-files";

export function loadStackConfig(root: string, stack: string | undefined): PipelineConfig {
  if (stack === undefined) return parsePipelineConfig({});
  const file = path.join(root, `Pulumi.${stack}.yaml`);
  if (!existsSync(file)) throw new Error(`--stack ${stack}: no ${path.relative(root, file)} in ${root}`);
  return parsePipelineConfig(projectRawConfig(stack, root), otherNamespaceConfig(stack, root));
}
