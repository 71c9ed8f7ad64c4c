// The policy config each stack's previews and updates pass to the pack (`--policy-pack-config
// policy/config/<stack>.json`, as the workflows do), read the way the tests need it.

import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import type { PolicyPackConfig } from "@pulumi/policy";
import { REPO_ROOT } from "../../infra/support/stack-config";

export const POLICY_DIR = path.join(REPO_ROOT, "policy");

export function policyConfigPath(stack: string): string {
  return path.join(POLICY_DIR, "config", `${stack}.json`);
}

export function hasPolicyConfig(stack: string): boolean {
  return existsSync(policyConfigPath(stack));
}

export function readPolicyConfig(stack: string): PolicyPackConfig {
  return JSON.parse(readFileSync(policyConfigPath(stack), "utf8")) as PolicyPackConfig;
}
