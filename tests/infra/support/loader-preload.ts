// Preloaded (`node -r`) into the process that runs the program the way Pulumi's Node.js language host
// does. It answers the engine's calls with the shared mocks and, at exit, writes what the program
// registered to $LOADER_RECORD_FILE. It loads @pulumi/pulumi from the project directory (the working
// directory, as under Pulumi), so it shares the one copy the program and cmd/run use.

import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { installRecordingMocks, type PulumiModules } from "./pulumi-mocks";

interface ResourceOutputsRequest {
  getUrn(): string;
  getOutputs(): unknown;
}

type Callback = (error: unknown, response: unknown) => void;

const requireFromProject = createRequire(path.join(process.cwd(), "package.json"));
const modules: PulumiModules = {
  pulumi: requireFromProject("@pulumi/pulumi"),
  mocks: requireFromProject("@pulumi/pulumi/runtime/mocks"),
  rpc: requireFromProject("@pulumi/pulumi/runtime/rpc"),
};

/** The value of `--name value` in the arguments the language host passes to cmd/run. */
function argument(name: string): string {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? process.argv[index + 1] : undefined;
  if (value === undefined) throw new Error(`loader preload: missing --${name}`);
  return value;
}

const run = installRecordingMocks(modules, {
  project: argument("project"),
  stack: argument("stack"),
  preview: process.argv.includes("--dry-run"),
});

const stackOutputs: Record<string, unknown> = {};
const monitor = modules.mocks.MockMonitor.prototype as {
  registerResourceOutputs(req: ResourceOutputsRequest, callback: Callback): void;
  signalAndWaitForShutdown?(req: unknown, callback: Callback): void;
};
const registerResourceOutputs = monitor.registerResourceOutputs;
monitor.registerResourceOutputs = function (this: unknown, req, callback) {
  if (req.getUrn().includes("::pulumi:pulumi:Stack::")) {
    Object.assign(stackOutputs, modules.rpc.deserializeProperties(req.getOutputs()));
  }
  registerResourceOutputs.call(this, req, callback);
};
// cmd/run signals the engine when the program is done; the mock monitor has no such call.
monitor.signalAndWaitForShutdown = (_req, callback) => callback(null, {});

process.on("exit", () => {
  const file = process.env.LOADER_RECORD_FILE;
  if (file !== undefined) writeFileSync(file, JSON.stringify({ ...run, stackOutputs }));
});
