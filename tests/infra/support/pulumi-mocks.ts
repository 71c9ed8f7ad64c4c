// Pulumi mocks shared by the in-process component tests and the program-loader child processes.
// `mockResourceState` gives each resource the outputs AWS would (names, ARNs, URLs) so wiring can be
// asserted end to end; `installRecordingMocks` also records, per resource, what the engine would
// receive: inputs, parent, dependencies and `protect`. Pulumi is passed in (not imported) so the
// loader's preload can hand over the exact copy the program itself loads.

import { createHash } from "node:crypto";
import type * as pulumiModule from "@pulumi/pulumi";
import type { MockCallArgs, MockResourceArgs, MockResourceResult } from "@pulumi/pulumi/runtime/mocks";

export const ACCOUNT_ID = "123456789012";
export const REGION = "us-east-1";
export const DEFAULT_VPC_ID = "vpc-0defa017";
/** Returned out of order: the program must sort them for a stable Lambda environment. */
export const DEFAULT_SUBNET_IDS = ["subnet-0ccc", "subnet-0aaa", "subnet-0bbb"];
export const NEW_VPC_ID = "vpc-0new";
export const NEW_VPC_PRIVATE_SUBNET_IDS = ["subnet-0priv1", "subnet-0priv2", "subnet-0priv3"];
/** The route table awsx gives a subnet, as the getRouteTables mock answers it. */
export function routeTableIdOf(subnetId: string): string {
  return subnetId.replace(/^subnet-/, "rtb-");
}

export interface RecordedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  readonly parent: string;
  readonly dependencies: readonly string[];
  readonly protect: boolean;
  /** The `deleteBeforeReplace` option (false: a replacement is created before the old one is deleted). */
  readonly deleteBeforeReplace: boolean;
  /** The `customTimeouts` option's delete timeout, e.g. "95m"; "" when not set. */
  readonly deleteTimeout: string;
  readonly inputs: Record<string, unknown>;
}

export interface RecordedRun {
  readonly resources: RecordedResource[];
  readonly invokes: string[];
}

/** A stand-in for the random suffix Pulumi appends to auto-named resources, but deterministic. */
function physicalName(logicalName: string): string {
  return `${logicalName}-${createHash("sha256").update(logicalName).digest("hex").slice(0, 7)}`;
}

export function mockResourceState(args: MockResourceArgs): MockResourceResult {
  const inputs: Record<string, unknown> = args.inputs;
  const name = typeof inputs.name === "string" ? inputs.name : physicalName(args.name);
  const regional = (service: string, resource: string) =>
    `arn:aws:${service}:${REGION}:${ACCOUNT_ID}:${resource}`;
  const state = (id: string, extra: Record<string, unknown>): MockResourceResult => ({
    id,
    state: { ...inputs, ...extra },
  });
  switch (args.type) {
    case "aws:s3/bucket:Bucket":
      return state(name, { bucket: name, arn: `arn:aws:s3:::${name}` });
    case "aws:sqs/queue:Queue": {
      const url = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT_ID}/${name}`;
      return state(url, { name, url, arn: regional("sqs", name) });
    }
    case "aws:dynamodb/table:Table":
      return state(name, {
        name,
        arn: regional("dynamodb", `table/${name}`),
        ...(inputs.streamEnabled === true
          ? { streamArn: regional("dynamodb", `table/${name}/stream/2026-11-29T00:00:00.000`) }
          : {}),
      });
    case "aws:cloudwatch/eventBus:EventBus":
      return state(name, { name, arn: regional("events", `event-bus/${name}`) });
    case "aws:sns/topic:Topic":
      return state(regional("sns", name), { name, arn: regional("sns", name) });
    case "aws:ecs/cluster:Cluster":
      return state(regional("ecs", `cluster/${name}`), { name, arn: regional("ecs", `cluster/${name}`) });
    case "aws:ecs/taskDefinition:TaskDefinition": {
      const family = String(inputs.family);
      const arn = regional("ecs", `task-definition/${family}:1`);
      return state(family, { arn, revision: 1, arnWithoutRevision: arn.replace(/:1$/, "") });
    }
    case "aws:iam/role:Role":
      return state(name, { name, arn: `arn:aws:iam::${ACCOUNT_ID}:role/${name}` });
    case "aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
      const arn = `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/${String(inputs.url).replace(/^https:\/\//, "")}`;
      return state(arn, { arn });
    }
    case "aws:cloudwatch/logGroup:LogGroup":
      return state(name, { name, arn: regional("logs", `log-group:${name}`) });
    case "aws:lambda/function:Function":
      return state(name, { name, arn: regional("lambda", `function:${name}`) });
    case "aws:cloudwatch/eventRule:EventRule":
      return state(name, { name, arn: regional("events", `rule/${name}`) });
    case "aws:ecr/repository:Repository":
      return state(name, {
        name,
        arn: regional("ecr", `repository/${name}`),
        repositoryUrl: `${ACCOUNT_ID}.dkr.ecr.${REGION}.amazonaws.com/${name}`,
      });
    case "aws:ec2/securityGroup:SecurityGroup":
      return state(`sg-${physicalName(args.name).slice(-7)}`, {});
    case "aws:lambda/eventSourceMapping:EventSourceMapping":
      return state(`uuid-${physicalName(args.name).slice(-7)}`, {
        uuid: `uuid-${physicalName(args.name).slice(-7)}`,
      });
    // awsx components are remote: the awsx plugin builds their children, the mocks return their outputs.
    case "awsx:ec2:Vpc":
      return state("", {
        vpcId: NEW_VPC_ID,
        privateSubnetIds: NEW_VPC_PRIVATE_SUBNET_IDS,
        publicSubnetIds: ["subnet-0pub1", "subnet-0pub2", "subnet-0pub3"],
      });
    case "awsx:ecr:Image":
      return state("", {
        imageUri: `${String(inputs.repositoryUrl)}@sha256:${createHash("sha256").update(args.name).digest("hex")}`,
      });
    default:
      return args.custom === false ? { id: undefined, state: {} } : state(`${name}-id`, {});
  }
}

export function mockCall(args: MockCallArgs): Record<string, unknown> {
  switch (args.token) {
    case "aws:index/getPartition:getPartition":
      return { id: "aws", partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
    case "aws:index/getRegion:getRegion":
      return {
        id: REGION,
        name: REGION,
        region: REGION,
        endpoint: `ec2.${REGION}.amazonaws.com`,
        description: "",
      };
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return {
        id: ACCOUNT_ID,
        accountId: ACCOUNT_ID,
        arn: `arn:aws:iam::${ACCOUNT_ID}:user/ci`,
        userId: "AIDA",
      };
    case "aws:ec2/getVpc:getVpc":
      return { id: DEFAULT_VPC_ID, default: true, cidrBlock: "172.31.0.0/16" };
    case "aws:ec2/getSubnets:getSubnets":
      return { id: REGION, ids: DEFAULT_SUBNET_IDS };
    case "aws:ec2/getRouteTables:getRouteTables": {
      // awsx gives each subnet its own route table: one per subnet asked for, in the asked VPC only.
      const filters = (args.inputs.filters ?? []) as { name: string; values: string[] }[];
      const valuesOf = (name: string) => filters.find((filter) => filter.name === name)?.values ?? [];
      if (!valuesOf("vpc-id").includes(NEW_VPC_ID)) return { id: REGION, ids: [] };
      return { id: REGION, ids: valuesOf("association.subnet-id").map(routeTableIdOf).reverse() };
    }
    default:
      throw new Error(`unexpected invoke ${args.token}`);
  }
}

interface MockMonitorPrototype {
  registerResource(req: RegisterResourceRequest, callback: unknown): Promise<void>;
}

interface RegisterResourceRequest {
  getType(): string;
  getName(): string;
  getCustom(): boolean;
  getParent(): string;
  getDependenciesList(): string[];
  getProtect(): boolean | undefined;
  getDeletebeforereplace(): boolean;
  getCustomtimeouts(): { getDelete(): string } | undefined;
  getObject(): unknown;
}

export interface PulumiModules {
  readonly pulumi: typeof pulumiModule;
  /** `@pulumi/pulumi/runtime/mocks` */
  readonly mocks: { MockMonitor: { prototype: unknown } };
  /** `@pulumi/pulumi/runtime/rpc` */
  readonly rpc: { deserializeProperties(outputsStruct: unknown): Record<string, unknown> };
}

/** Sets the mocks and records every resource registration and invoke. */
export function installRecordingMocks(
  modules: PulumiModules,
  options: { project: string; stack: string; preview: boolean },
): RecordedRun {
  const run: RecordedRun = { resources: [], invokes: [] };
  const prototype = modules.mocks.MockMonitor.prototype as MockMonitorPrototype;
  const register = prototype.registerResource;
  prototype.registerResource = function (this: unknown, req, callback) {
    const type = req.getType();
    const name = req.getName();
    run.resources.push({
      urn: urnOf(options, req.getParent(), type, name),
      type,
      name,
      custom: req.getCustom(),
      parent: req.getParent(),
      dependencies: req.getDependenciesList(),
      protect: req.getProtect() ?? false,
      deleteBeforeReplace: req.getDeletebeforereplace(),
      deleteTimeout: req.getCustomtimeouts()?.getDelete() ?? "",
      inputs: modules.rpc.deserializeProperties(req.getObject()),
    });
    return register.call(this, req, callback);
  };
  modules.pulumi.runtime.setMocks(
    {
      newResource: mockResourceState,
      call: (args) => {
        run.invokes.push(args.token);
        return mockCall(args);
      },
    },
    options.project,
    options.stack,
    options.preview,
  );
  return run;
}

/** The URN the mock monitor gives a resource (MockMonitor.newUrn). */
function urnOf(
  options: { project: string; stack: string },
  parent: string,
  type: string,
  name: string,
): string {
  const qualifiedType = parent === "" ? type : `${parent.split("::")[2]?.split("$").pop()}$${type}`;
  return `urn:pulumi:${options.stack}::${options.project}::${qualifiedType}::${name}`;
}
