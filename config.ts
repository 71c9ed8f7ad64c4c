// The stack's configuration: the only reader of Pulumi's config in the program. Hands the pure parser
// every key the stack sets in the project's namespace (not only the known ones, so a misspelt key is an
// error naming the setting it meant rather than a default in silence); the parser applies defaults and
// validates. Keys of other namespaces (aws:region) are the providers'.

import * as pulumi from "@pulumi/pulumi";
import { type PipelineConfig, parsePipelineConfig, type RawConfig } from "./config/parse";
import { PROJECT_NAME } from "./config/schema";

export type { PipelineConfig } from "./config/parse";

export function loadConfig(
  all: Readonly<Record<string, string>> = pulumi.runtime.allConfig(),
): PipelineConfig {
  const prefix = `${PROJECT_NAME}:`;
  const others = Object.fromEntries(Object.entries(all).filter(([key]) => !key.startsWith(prefix)));
  return parsePipelineConfig(projectKeys(all), others);
}

/** The project's own keys of Pulumi's config (`video-jobs:workerCpu`), namespace stripped. */
export function projectKeys(all: Readonly<Record<string, string>>): RawConfig {
  const prefix = `${PROJECT_NAME}:`;
  return Object.fromEntries(
    Object.entries(all)
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, value]) => [key.slice(prefix.length), value]),
  );
}
