// What a Lambda that launches worker tasks (the dispatcher, the task-state handler starting waiting jobs into a
// freed slot, the sweeper resuming a launch) must be told about them, and those inputs resolved into the
// arguments of its launch permissions (lib/policies.ts: launcherPermissions, which the dispatcher's, the
// task-state handler's and the sweeper's permissions build on). One list for all three.

import * as pulumi from "@pulumi/pulumi";
import type { AwsContext } from "../lib/arns";
import type { LauncherPermissionsArgs } from "../lib/policies";

export interface WorkerLaunchArgs {
  /**
   * The jobs table. Required.
   * @example table.tableArn
   */
  readonly tableArn: pulumi.Input<string>;
  /**
   * The capacity table: running-task slots under maxRunningTasks and the shared launch rate. Required.
   * @example table.capacityTableArn
   */
  readonly capacityTableArn: pulumi.Input<string>;
  /**
   * The jobs queue: retries are sent to it, and the dispatcher consumes it. Required.
   * @example queue.queue.arn
   */
  readonly queueArn: pulumi.Input<string>;
  /**
   * The worker's cluster. Required.
   * @example { arn: worker.cluster.arn, name: worker.cluster.name }
   */
  readonly cluster: { readonly arn: pulumi.Input<string>; readonly name: pulumi.Input<string> };
  /**
   * The worker's task definition family: RunTask is allowed for its revisions only. Required.
   * @example "video-jobs-dev-worker"
   */
  readonly taskFamily: string;
  /**
   * The worker's task role, passed to the tasks it starts. Required.
   * @example worker.taskRole.arn
   */
  readonly taskRoleArn: pulumi.Input<string>;
  /**
   * The worker's execution role, passed to the tasks it starts. Required.
   * @example worker.executionRole.arn
   */
  readonly executionRoleArn: pulumi.Input<string>;
  /**
   * Account, region and partition. Required.
   * @example { partition: "aws", region: "eu-west-1", accountId: "123456789012" }
   */
  readonly aws: pulumi.Input<AwsContext>;
}

/** The launch inputs, resolved: what launcherPermissions (and the permissions built on it) take. */
export function workerLaunchRights(args: WorkerLaunchArgs): pulumi.Output<LauncherPermissionsArgs> {
  return pulumi
    .all([
      args.aws,
      args.tableArn,
      args.capacityTableArn,
      args.queueArn,
      args.cluster.arn,
      args.cluster.name,
      args.taskRoleArn,
      args.executionRoleArn,
    ])
    .apply(
      ([
        aws,
        tableArn,
        capacityTableArn,
        queueArn,
        clusterArn,
        clusterName,
        taskRoleArn,
        executionRoleArn,
      ]) => ({
        aws,
        tableArn,
        capacityTableArn,
        queueArn,
        clusterArn,
        clusterName,
        taskFamily: args.taskFamily,
        taskRoleArn,
        executionRoleArn,
      }),
    );
}
