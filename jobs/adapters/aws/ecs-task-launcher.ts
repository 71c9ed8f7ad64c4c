// TaskLauncher on ECS: one RunTask per launch, `startedBy` = job id (so task events name their job) and
// `clientToken` = <jobId>.<attempt> (so a repeated call returns the same task). The attempt runs where the job
// model placed it: a capacity provider strategy (FARGATE or FARGATE_SPOT, no launch type) and task-level
// cpu/memory overrides (the worker's container sets no memory limit of its own, so the task's is the one
// that counts). A launch recorded before attempts had a placement is sent as it was then (launchType FARGATE,
// the task definition's size): ECS answers a client token reused with other parameters with
// ConflictException. A 200 answer with
// failures[] and ECS refusing the call are launch failures, read by the retry policy; when the outcome is
// unknown the error propagates, to be retried with the same token.

import { ConflictException, type ECSClient, ECSServiceException, RunTaskCommand } from "@aws-sdk/client-ecs";
import { readLaunchFailure } from "../../model/retry-policy";
import type { LaunchRequest, LaunchResult, TaskLauncher } from "../../store/ports";
import { stopEcsTask } from "./stop-task";

export interface EcsTaskLauncherOptions {
  readonly clusterArn: string;
  /** Full ARN with revision: retries run the revision their job started with. */
  readonly taskDefinitionArn: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
  readonly assignPublicIp: "ENABLED" | "DISABLED";
}

export class EcsTaskLauncher implements TaskLauncher {
  constructor(
    private readonly ecs: ECSClient,
    private readonly options: EcsTaskLauncherOptions,
  ) {}

  async launch(request: LaunchRequest): Promise<LaunchResult> {
    const { placement } = request;
    try {
      const response = await this.ecs.send(
        new RunTaskCommand({
          cluster: this.options.clusterArn,
          taskDefinition: this.options.taskDefinitionArn,
          ...(placement === undefined
            ? { launchType: "FARGATE" }
            : { capacityProviderStrategy: [{ capacityProvider: placement.capacity, weight: 1 }] }),
          count: 1,
          startedBy: request.jobId,
          clientToken: request.clientToken,
          networkConfiguration: {
            awsvpcConfiguration: {
              subnets: [...this.options.subnetIds],
              securityGroups: [...this.options.securityGroupIds],
              assignPublicIp: this.options.assignPublicIp,
            },
          },
          overrides: {
            ...(placement === undefined
              ? {}
              : { cpu: String(placement.size.cpu), memory: String(placement.size.memoryMib) }),
            containerOverrides: [
              {
                name: request.override.name,
                environment: request.override.environment.map((v) => ({ ...v })),
              },
            ],
          },
          tags: [
            { key: "jobId", value: request.jobId },
            { key: "attempt", value: String(request.attempt) },
          ],
          enableECSManagedTags: true,
        }),
      );
      const taskArn = response.tasks?.[0]?.taskArn;
      if (taskArn !== undefined) return { launched: true, taskArn };
      const failures = (response.failures ?? []).map((f) => [f.reason, f.detail].filter(Boolean).join(": "));
      const reason =
        failures.length > 0 ? failures.join("; ") : "RunTask returned neither a task nor a failure";
      return { launched: false, failure: readLaunchFailure(reason) };
    } catch (error) {
      // A client error means ECS refused the call: no task was started (throttling included). Anything else
      // — a timeout, a dropped connection, a 5xx — leaves the outcome unknown: the error propagates, the
      // job stays LAUNCHING, and the message's redelivery calls RunTask again with the same client token.
      // The client token already started a task, for a request that differs from this one (e.g. a task
      // definition revision deployed since the first call): that task is the attempt's.
      const started = error instanceof ConflictException ? error.resourceIds?.[0] : undefined;
      if (started !== undefined) return { launched: true, taskArn: started };
      if (error instanceof ECSServiceException && error.$fault === "client") {
        return { launched: false, failure: readLaunchFailure(`${error.name}: ${error.message}`) };
      }
      throw error;
    }
  }

  stop(taskArn: string, reason: string): Promise<boolean> {
    return stopEcsTask(this.ecs, this.options.clusterArn, taskArn, reason);
  }
}
