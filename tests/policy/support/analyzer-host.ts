// Starts the policy pack the way `pulumi preview --policy-pack policy` does, minus the engine: Pulumi's
// policy-pack runner (`@pulumi/pulumi/cmd/run-policy-pack <engine> .`, resolved from the pack's directory
// and run there), which registers ts-node with this project's typescript, type-checks the pack as it
// loads it, and serves the analyzer over gRPC on the port it prints. The test is the engine: it calls the
// analyzer's RPCs with requests built as the engine builds them.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type * as grpcModule from "@grpc/grpc-js";
import type { PolicyPackConfig } from "@pulumi/policy";
import type * as analyzerGrpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import type * as analyzerProto from "@pulumi/pulumi/proto/analyzer_pb";
import type * as emptyProto from "google-protobuf/google/protobuf/empty_pb";
import type * as structProto from "google-protobuf/google/protobuf/struct_pb";

/** The modules @pulumi/pulumi itself uses (one copy of grpc and protobuf across client and server). */
const requireFromPulumi = createRequire(require.resolve("@pulumi/pulumi/package.json"));
export const grpc = requireFromPulumi("@grpc/grpc-js") as typeof grpcModule;
export const proto = requireFromPulumi("@pulumi/pulumi/proto/analyzer_pb") as typeof analyzerProto;
const services = requireFromPulumi("@pulumi/pulumi/proto/analyzer_grpc_pb") as typeof analyzerGrpc;
const { Empty } = requireFromPulumi("google-protobuf/google/protobuf/empty_pb") as typeof emptyProto;
export const { Struct } = requireFromPulumi(
  "google-protobuf/google/protobuf/struct_pb",
) as typeof structProto;

export interface AnalyzerHost {
  readonly client: analyzerGrpc.AnalyzerClient;
  /** Seconds from start to the port being printed (load and type-check included). */
  readonly startSeconds: number;
  stop(): void;
}

export async function startPolicyPack(policyDir: string, timeoutMs = 60_000): Promise<AnalyzerHost> {
  const runner = createRequire(path.join(policyDir, "package.json")).resolve(
    "@pulumi/pulumi/cmd/run-policy-pack",
  );
  const cache = mkdtempSync(path.join(tmpdir(), "policy-pack-ts-node-"));
  const started = Date.now();
  const child: ChildProcess = spawn(process.execPath, [runner, "127.0.0.1:0", "."], {
    cwd: policyDir,
    // A fresh ts-node cache: every file of the pack is type-checked, as on a fresh machine.
    env: { PATH: process.env.PATH, HOME: process.env.HOME, TS_NODE_CACHE_DIRECTORY: cache },
  });
  const stop = () => {
    if (child.exitCode === null) child.kill("SIGKILL");
    rmSync(cache, { recursive: true, force: true });
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let stdout = "";
      let stderr = "";
      const timer = setTimeout(
        () => reject(new Error(`no port after ${timeoutMs} ms: ${stderr}`)),
        timeoutMs,
      );
      child.stdout?.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /^(\d+)\s*$/m.exec(stdout);
        if (match !== null) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
      child.stderr?.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      child.on("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`policy pack exited with ${code}: ${stdout}${stderr}`));
      });
    });
    const client = new services.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return {
      client,
      startSeconds: (Date.now() - started) / 1000,
      stop: () => {
        client.close();
        stop();
      },
    };
  } catch (error) {
    stop();
    throw error;
  }
}

/** One unary call as a promise. */
function call<Request, Response>(
  method: (
    request: Request,
    callback: (error: grpcModule.ServiceError | null, response: Response) => void,
  ) => unknown,
  request: Request,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    method(request, (error, response) => (error === null ? resolve(response) : reject(error)));
  });
}

export function getAnalyzerInfo(host: AnalyzerHost): Promise<analyzerProto.AnalyzerInfo> {
  return call<emptyProto.Empty, analyzerProto.AnalyzerInfo>(
    (request, callback) => host.client.getAnalyzerInfo(request, callback),
    new Empty(),
  );
}

/** The diagnostics of one resource's analysis (its inputs, before it is created or updated). */
export async function analyze(host: AnalyzerHost, resource: AnalyzedResource) {
  const response = await call<analyzerProto.AnalyzeRequest, analyzerProto.AnalyzeResponse>(
    (request, callback) => host.client.analyze(request, callback),
    analyzeRequest(resource),
  );
  return response.getDiagnosticsList();
}

/** The diagnostics of the stack's analysis (every resource's outputs, at the end). */
export async function analyzeStack(host: AnalyzerHost, resources: readonly AnalyzedResource[]) {
  const response = await call<analyzerProto.AnalyzeStackRequest, analyzerProto.AnalyzeResponse>(
    (request, callback) => host.client.analyzeStack(request, callback),
    analyzeStackRequest(resources),
  );
  return response.getDiagnosticsList();
}

/** Policy config as the engine sends it once it has read `--policy-pack-config`. */
export async function configure(host: AnalyzerHost, config: PolicyPackConfig): Promise<void> {
  await call<analyzerProto.ConfigureAnalyzerRequest, emptyProto.Empty>(
    (request, callback) => host.client.configure(request, callback),
    configureRequest(config),
  );
}

export interface AnalyzedResource {
  readonly type: string;
  readonly name: string;
  readonly properties: Record<string, unknown>;
  readonly propertyDependencies?: Record<string, string[]>;
}

export const urnOf = (resource: Pick<AnalyzedResource, "type" | "name">) =>
  `urn:pulumi:test::video-jobs::${resource.type}::${resource.name}`;

function options(): analyzerProto.AnalyzerResourceOptions {
  const result = new proto.AnalyzerResourceOptions();
  result.setProtect(false);
  return result;
}

function analyzeRequest(resource: AnalyzedResource): analyzerProto.AnalyzeRequest {
  const request = new proto.AnalyzeRequest();
  request.setType(resource.type);
  request.setName(resource.name);
  request.setUrn(urnOf(resource));
  request.setProperties(Struct.fromJavaScript(resource.properties as never));
  request.setOptions(options());
  return request;
}

function analyzeStackRequest(resources: readonly AnalyzedResource[]): analyzerProto.AnalyzeStackRequest {
  const request = new proto.AnalyzeStackRequest();
  request.setResourcesList(
    resources.map((resource) => {
      const analyzed = new proto.AnalyzerResource();
      analyzed.setType(resource.type);
      analyzed.setName(resource.name);
      analyzed.setUrn(urnOf(resource));
      analyzed.setProperties(Struct.fromJavaScript(resource.properties as never));
      analyzed.setOptions(options());
      const dependencies = Object.values(resource.propertyDependencies ?? {}).flat();
      analyzed.setDependenciesList([...new Set(dependencies)]);
      for (const [property, urns] of Object.entries(resource.propertyDependencies ?? {})) {
        const entry = new proto.AnalyzerPropertyDependencies();
        entry.setUrnsList(urns);
        analyzed.getPropertydependenciesMap().set(property, entry);
      }
      return analyzed;
    }),
  );
  return request;
}

function configureRequest(config: PolicyPackConfig): analyzerProto.ConfigureAnalyzerRequest {
  const levels: Record<string, number> = {
    advisory: proto.EnforcementLevel.ADVISORY,
    mandatory: proto.EnforcementLevel.MANDATORY,
    disabled: proto.EnforcementLevel.DISABLED,
    remediate: proto.EnforcementLevel.REMEDIATE,
  };
  const request = new proto.ConfigureAnalyzerRequest();
  for (const [policy, value] of Object.entries(config)) {
    const { enforcementLevel = "mandatory", ...properties } =
      typeof value === "string" ? { enforcementLevel: value } : value;
    const policyConfig = new proto.PolicyConfig();
    policyConfig.setEnforcementlevel(levels[enforcementLevel] as analyzerProto.EnforcementLevel);
    policyConfig.setProperties(Struct.fromJavaScript(properties as never));
    request.getPolicyconfigMap().set(policy, policyConfig);
  }
  return request;
}
