// Runs the policy pack's policies over resources the way Pulumi's analyzer does (@pulumi/policy's
// server.js, makeAnalyzeRpcFun and makeAnalyzeStackRpcFun): every resource policy over each resource's
// inputs, every stack policy over all resources' outputs linked by parent and dependencies; properties
// behind @pulumi/policy's unknown-checking proxy, so an unknown value read is "can't run during preview";
// policy config as `--policy-pack-config` gives it. tests/policy/pack-loader.test.ts checks the real
// server agrees on the cases that matter.

import {
  type Policies,
  type PolicyPackConfig,
  type PolicyResource,
  type ResourceValidationArgs,
  type StackValidationArgs,
  unknownCheckingProxy,
} from "@pulumi/policy";
import { isUnknownValueError } from "../../../policy/rules/props";
import { mockResourceState, type RecordedResource } from "../../infra/support/pulumi-mocks";

export interface PackResource {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  /** What the engine would analyze before creating it. */
  readonly inputs: Record<string, unknown>;
  /** What it would hold after: inputs plus computed outputs. */
  readonly outputs: Record<string, unknown>;
  readonly parent?: string;
  readonly dependencies: readonly string[];
  readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
  readonly protect?: boolean;
}

export interface PackDiagnostic {
  readonly policy: string;
  /** The resource reported, undefined for the stack as a whole. */
  readonly urn: string | undefined;
  readonly message: string;
}

export interface PackEvaluation {
  /** Violations at the policy's enforcement level (all mandatory in this pack). */
  readonly violations: PackDiagnostic[];
  /** Policies that could not run because they read a value unknown during a preview. */
  readonly cannotRun: PackDiagnostic[];
  /** Policies that declared themselves not applicable, with the reason. */
  readonly notApplicable: PackDiagnostic[];
}

class NotApplicable extends Error {}

const notApplicable = (reason?: string): never => {
  throw new NotApplicable(reason ?? "");
};

export async function evaluatePack(
  policies: Policies,
  resources: readonly PackResource[],
  config: PolicyPackConfig = {},
): Promise<PackEvaluation> {
  const evaluation: PackEvaluation = { violations: [], cannotRun: [], notApplicable: [] };
  const noTags: ReadonlyMap<string, string> = new Map();
  for (const policy of policies) {
    const policyConfig = config[policy.name];
    const level =
      (typeof policyConfig === "string" ? policyConfig : policyConfig?.enforcementLevel) ?? "mandatory";
    if (level === "disabled") continue;
    const getConfig = <T extends object>(): T => {
      if (typeof policyConfig !== "object") return {} as T;
      const { enforcementLevel: _level, ...properties } = policyConfig;
      return properties as T;
    };
    const record = async (
      urn: string | undefined,
      run: (report: (message: string, urn?: string) => void) => unknown,
    ) => {
      try {
        await run((message, reportedUrn) =>
          evaluation.violations.push({ policy: policy.name, urn: reportedUrn ?? urn, message }),
        );
      } catch (error) {
        if (isUnknownValueError(error)) {
          evaluation.cannotRun.push({ policy: policy.name, urn, message: error.message });
        } else if (error instanceof NotApplicable) {
          evaluation.notApplicable.push({ policy: policy.name, urn, message: error.message });
        } else {
          throw error;
        }
      }
    };

    if ("validateStack" in policy) {
      await record(undefined, (report) =>
        policy.validateStack(
          {
            resources: linkedResources(resources),
            getConfig,
            stackTags: noTags,
            notApplicable,
          } satisfies StackValidationArgs,
          report,
        ),
      );
      continue;
    }
    const validations = [policy.validateResource ?? []].flat();
    for (const resource of resources) {
      for (const validate of validations) {
        const props = unknownCheckingProxy(resource.inputs);
        const args: ResourceValidationArgs = {
          type: resource.type,
          props,
          urn: resource.urn,
          name: resource.name,
          opts: optionsOf(resource),
          stackTags: noTags,
          isType: (resourceClass) => typeOf(resourceClass) === resource.type,
          asType: ((resourceClass: unknown) =>
            typeOf(resourceClass) === resource.type ? props : undefined) as ResourceValidationArgs["asType"],
          getConfig,
          notApplicable,
        };
        await record(resource.urn, (report) => validate(args, (message) => report(message, resource.urn)));
      }
    }
  }
  return evaluation;
}

/** The stack's resources as a stack policy sees them: outputs, parent and dependencies as objects. */
function linkedResources(resources: readonly PackResource[]): PolicyResource[] {
  const byUrn = new Map<string, PolicyResource>();
  const linked = resources.map((resource) => {
    const props = unknownCheckingProxy(resource.outputs);
    const policyResource: PolicyResource = {
      type: resource.type,
      props,
      urn: resource.urn,
      name: resource.name,
      opts: optionsOf(resource),
      dependencies: [],
      propertyDependencies: {},
      isType: (resourceClass) => typeOf(resourceClass) === resource.type,
      asType: ((resourceClass: unknown) =>
        typeOf(resourceClass) === resource.type ? props : undefined) as PolicyResource["asType"],
    };
    byUrn.set(resource.urn, policyResource);
    return policyResource;
  });
  resources.forEach((resource, index) => {
    const policyResource = linked[index] as PolicyResource;
    const find = (urns: readonly string[]) =>
      urns.map((urn) => byUrn.get(urn)).filter((found): found is PolicyResource => found !== undefined);
    const parent = resource.parent === undefined ? undefined : byUrn.get(resource.parent);
    if (parent !== undefined) policyResource.parent = parent;
    policyResource.dependencies = find(resource.dependencies);
    for (const [property, urns] of Object.entries(resource.propertyDependencies ?? {})) {
      policyResource.propertyDependencies[property] = find(urns);
    }
  });
  return linked;
}

function optionsOf(resource: PackResource): ResourceValidationArgs["opts"] {
  return {
    protect: resource.protect ?? false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
    ...(resource.parent === undefined ? {} : { parent: resource.parent }),
  };
}

function typeOf(resourceClass: unknown): unknown {
  return (resourceClass as { __pulumiType?: unknown }).__pulumiType;
}

/**
 * What the program registered under the mocks, as the analyzer would get it. Inputs are recorded as
 * the engine receives them; outputs are what the mocks answer (inputs plus names, ARNs, URLs), as a real
 * provider would after creating the resource. The mocks do not record which resources each property
 * came from (`propertyDependencies`): the stack policies then match references by value, as they do for
 * literal values; the propertyDependencies path is covered by the rules' own tests.
 */
export function packResourcesOf(recorded: readonly RecordedResource[]): PackResource[] {
  return recorded.map((resource) => ({
    type: resource.type,
    name: resource.name,
    urn: resource.urn,
    inputs: resource.inputs,
    outputs: mockResourceState({
      type: resource.type,
      name: resource.name,
      inputs: resource.inputs,
      custom: resource.custom,
    }).state as Record<string, unknown>,
    parent: resource.parent,
    dependencies: resource.dependencies,
    protect: resource.protect,
  }));
}

/** A resource for the rules' tests; outputs default to the inputs. */
export function packResource(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  extra: Partial<Omit<PackResource, "type" | "name" | "inputs">> = {},
): PackResource {
  return {
    type,
    name,
    urn: `urn:pulumi:test::video-jobs::${type}::${name}`,
    inputs,
    outputs: inputs,
    dependencies: [],
    ...extra,
  };
}
