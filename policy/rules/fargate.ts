// Fargate tasks of a production stack run without a public IP, in private subnets. They are started by
// an ECS service, an EventBridge or Scheduler target, or (in this project) by the dispatcher Lambda's
// RunTask call, whose network settings come from its ASSIGN_PUBLIC_IP variable (handlers/environment.ts).

import { type Props, valueAt } from "./props";

/** The dispatcher's variable for RunTask's awsvpcConfiguration.assignPublicIp (ENABLED or DISABLED). */
export const ASSIGN_PUBLIC_IP_VARIABLE = "ASSIGN_PUBLIC_IP";

const PRIVATE_NETWORK_FIX =
  "Fix: run the tasks in private subnets without a public IP (this project: pulumi config set video-jobs:network new-vpc, or existing-vpc with existingVpcId and existingSubnetIds).";

/** How each resource type that starts Fargate tasks says whether they get a public IP. */
const PUBLIC_IP_SETTINGS: Readonly<Record<string, { kind: string; publicIp: (props: Props) => boolean }>> = {
  "aws:ecs/service:Service": {
    kind: "ECS service",
    publicIp: (props) => valueAt(props, "networkConfiguration", "assignPublicIp") === true,
  },
  "aws:cloudwatch/eventTarget:EventTarget": {
    kind: "EventBridge target",
    publicIp: (props) => valueAt(props, "ecsTarget", "networkConfiguration", "assignPublicIp") === true,
  },
  "aws:scheduler/schedule:Schedule": {
    kind: "EventBridge Scheduler schedule",
    publicIp: (props) =>
      valueAt(props, "target", "ecsParameters", "networkConfiguration", "assignPublicIp") === true,
  },
  "aws:lambda/function:Function": {
    kind: "Lambda function",
    publicIp: (props) => valueAt(props, "environment", "variables", ASSIGN_PUBLIC_IP_VARIABLE) === "ENABLED",
  },
};

export const TASK_LAUNCHER_TYPES: readonly string[] = Object.keys(PUBLIC_IP_SETTINGS);

/** Why a resource (its inputs) starts Fargate tasks with a public IP, or undefined. */
export function publicIpProblem(type: string, name: string, props: Props): string | undefined {
  const setting = PUBLIC_IP_SETTINGS[type];
  if (setting === undefined || !setting.publicIp(props)) return undefined;
  const how =
    type === "aws:lambda/function:Function"
      ? ` (${ASSIGN_PUBLIC_IP_VARIABLE}=ENABLED, used for RunTask)`
      : " (assignPublicIp: true)";
  return `${setting.kind} "${name}" starts Fargate tasks with a public IP${how} on a stack marked production. ${PRIVATE_NETWORK_FIX}`;
}
