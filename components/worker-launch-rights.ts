// What a Lambda that launches worker tasks (the dispatcher, and the sweeper resuming a launch) must be told
// about them, and those inputs resolved into the arguments of its launch permissions
// (lib/policies.ts: dispatcherPermissions, which sweeperPermissions builds on). One list for both.

import * as pulumi from "@pulumi/pulumi";
import type { AwsContext } from "./lib/arns";
import type { DispatcherPermissionsArgs } from "./lib/policies";

export interface WorkerLaunchArgs {
  /**
   * The jobs table. Required.
   * @example table.tableArn
   */
  readonly tableArn: pulumi.Input<string>;
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

/** The launch inputs, resolved: what dispatcherPermissions (and sweeperPermissions) take. */
export function workerLaunchRights(args: WorkerLaunchArgs): pulumi.Output<DispatcherPermissionsArgs> {
  return pulumi
    .all([
      args.aws,
      args.tableArn,
      args.queueArn,
      args.cluster.arn,
      args.cluster.name,
      args.taskRoleArn,
      args.executionRoleArn,
    ])
    .apply(([aws, tableArn, queueArn, clusterArn, clusterName, taskRoleArn, executionRoleArn]) => ({
      aws,
      tableArn,
      queueArn,
      clusterArn,
      clusterName,
      taskFamily: args.taskFamily,
      taskRoleArn,
      executionRoleArn,
    }));
}
