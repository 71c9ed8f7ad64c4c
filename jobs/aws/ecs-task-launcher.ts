// TaskLauncher on ECS: one RunTask per launch, `startedBy` = job id (so task events name their job) and
// `clientToken` = <jobId>.<attempt> (so a repeated call returns the same task). A 200 answer with
// failures[] and the service's own errors are launch failures, read by the retry policy; errors that are
// not ECS's (a bug) are left to propagate.

import { type ECSClient, ECSServiceException, RunTaskCommand } from "@aws-sdk/client-ecs";
import type { LaunchRequest, LaunchResult, TaskLauncher } from "../ports";
import { readLaunchFailure } from "../retry-policy";

export interface EcsTaskLauncherOptions {
  readonly clusterArn: string;
  /** Full ARN with revision: retries run the revision their job started with. */
  readonly taskDefinitionArn: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
  readonly assignPublicIp: "ENABLED" | "DISABLED";
}

const NETWORK_ERROR = /ECONNRESET|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|EPIPE|socket hang up|TimeoutError/;

export class EcsTaskLauncher implements TaskLauncher {
  constructor(
    private readonly ecs: ECSClient,
    private readonly options: EcsTaskLauncherOptions,
  ) {}

  async launch(request: LaunchRequest): Promise<LaunchResult> {
    try {
      const response = await this.ecs.send(
        new RunTaskCommand({
          cluster: this.options.clusterArn,
          taskDefinition: this.options.taskDefinitionArn,
          launchType: "FARGATE",
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
      if (error instanceof ECSServiceException) {
        return { launched: false, failure: readLaunchFailure(`${error.name}: ${error.message}`) };
      }
      if (error instanceof Error && (NETWORK_ERROR.test(error.name) || NETWORK_ERROR.test(error.message))) {
        return { launched: false, failure: { reason: `${error.name}: ${error.message}`, retryable: true } };
      }
      throw error;
    }
  }
}
