// The runtime roles exactly as the Pulumi program builds them (the dev stack under the Pulumi mocks, run
// in the calling test's process): each function's role policy and environment, the worker task role, and
// the stack world a test's resource names are mapped onto (authorizations.ts).

import type { PolicyDocument } from "../../../components/lib/policies";
import { parsePipelineConfig } from "../../../config/parse";
import { ACCOUNT_ID, REGION } from "../../infra/support/pulumi-mocks";
import { json, type PipelineRun, referencesOf, runPipeline } from "../../infra/support/run-pipeline";
import { projectRawConfig } from "../../infra/support/stack-config";
import type { StackWorld } from "./authorizations";

export const RUNTIME_FUNCTIONS = ["dispatcher", "task-state", "sweeper", "publisher"] as const;
export type RuntimeFunction = (typeof RUNTIME_FUNCTIONS)[number];
export type RuntimeRole = RuntimeFunction | "worker-task" | "worker-execution";

export interface StackRoles {
  readonly policies: Readonly<Record<RuntimeRole, PolicyDocument>>;
  /** Each function's Lambda environment as the program sets it. */
  readonly environments: Readonly<Record<RuntimeFunction, Readonly<Record<string, string>>>>;
  readonly taskRoleArn: string;
  readonly executionRoleArn: string;
}

const LOGICAL: Record<RuntimeFunction, { function: string; policy: string }> = {
  dispatcher: { function: "dispatcher-handler-function", policy: "dispatcher-handler-policy" },
  "task-state": { function: "task-state-handler-function", policy: "task-state-handler-policy" },
  sweeper: { function: "sweeper-handler-function", policy: "sweeper-handler-policy" },
  publisher: { function: "outcomes-publisher-function", policy: "outcomes-publisher-policy" },
};

let roles: Promise<StackRoles> | undefined;

/** The dev stack's runtime roles (one Pulumi mocks run per test process). */
export function stackRoles(): Promise<StackRoles> {
  roles ??= (async () => {
    const run: PipelineRun = await runPipeline(parsePipelineConfig(projectRawConfig("dev")));
    const refs = await referencesOf(run.pipeline);
    const policyOf = (suffix: string) =>
      json<PolicyDocument>(run.one("aws:iam/rolePolicy:RolePolicy", suffix).inputs.policy);
    const environmentOf = (suffix: string) =>
      (
        run.one("aws:lambda/function:Function", suffix).inputs.environment as {
          variables: Record<string, string>;
        }
      ).variables;
    const policies = Object.fromEntries(RUNTIME_FUNCTIONS.map((f) => [f, policyOf(LOGICAL[f].policy)]));
    const environments = Object.fromEntries(
      RUNTIME_FUNCTIONS.map((f) => [f, environmentOf(LOGICAL[f].function)]),
    );
    return {
      policies: {
        ...policies,
        "worker-task": policyOf("worker-task-policy"),
        "worker-execution": policyOf("worker-execution-policy"),
      } as StackRoles["policies"],
      environments: environments as StackRoles["environments"],
      taskRoleArn: refs.taskRoleArn,
      executionRoleArn: refs.executionRoleArn,
    };
  })();
  return roles;
}

/** The resource names a handler's environment gives, by kind, for mapping a test's names onto the stack's. */
function namesIn(environment: Readonly<Record<string, string>>): string[] {
  const names: string[] = [];
  for (const [variable, value] of Object.entries(environment)) {
    if (variable.endsWith("_QUEUE_URL")) names.push(value.split("/").pop() ?? "");
    else if (variable === "CLUSTER_ARN") names.push(value.split("cluster/")[1] ?? "");
    else if (variable === "TASK_DEFINITION_ARN")
      names.push((value.split("task-definition/")[1] ?? "").split(":")[0] ?? "");
    else if (["JOBS_TABLE", "CAPACITY_TABLE", "OUTPUT_BUCKET", "JOBS_EVENT_BUS_NAME"].includes(variable))
      names.push(value);
    else names.push("");
  }
  return names;
}

/**
 * The stack world for calls made under `testEnvironment` by `fn`: each resource the test's environment
 * names (JOBS_TABLE, CLUSTER_ARN, ...) is the one the stack's environment names under the same variable.
 */
export function stackWorld(
  stack: StackRoles,
  fn: RuntimeFunction,
  testEnvironment: Readonly<Record<string, string | undefined>>,
): StackWorld {
  const deployed = stack.environments[fn];
  const variables = Object.keys(deployed);
  const stackNames = namesIn(deployed);
  const testNames = namesIn(Object.fromEntries(variables.map((v) => [v, testEnvironment[v] ?? ""])));
  const names = new Map<string, string>();
  testNames.forEach((name, i) => {
    const stackName = stackNames[i];
    if (name !== "" && stackName !== undefined && stackName !== "") names.set(name, stackName);
  });
  const prefixes = ["OUTPUT_PREFIX", "INPUT_PREFIX"].flatMap((v) =>
    testEnvironment[v] !== undefined && deployed[v] !== undefined
      ? [[testEnvironment[v] as string, deployed[v]] as const]
      : [],
  );
  return {
    partition: "aws",
    region: REGION,
    account: ACCOUNT_ID,
    name: (testName) => names.get(testName) ?? testName,
    key: (testKey) => {
      const prefix = prefixes.find(([from]) => testKey.startsWith(from));
      return prefix === undefined ? testKey : `${prefix[1]}${testKey.slice(prefix[0].length)}`;
    },
    passedRoles: [stack.taskRoleArn, stack.executionRoleArn],
  };
}
