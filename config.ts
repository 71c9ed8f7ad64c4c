// The stack's configuration: the only reader of pulumi.Config. Reads every key of the schema as the
// string Pulumi holds and hands them to the pure parser, which applies defaults and validates.

import * as pulumi from "@pulumi/pulumi";
import { type PipelineConfig, parsePipelineConfig, type RawConfig } from "./config/parse";
import { CONFIG_KEYS, PROJECT_NAME } from "./config/schema";

export type { PipelineConfig } from "./config/parse";

export function loadConfig(): PipelineConfig {
  const config = new pulumi.Config(PROJECT_NAME);
  const raw: RawConfig = Object.fromEntries(CONFIG_KEYS.map((key) => [key, config.get(key)]));
  return parsePipelineConfig(raw);
}
