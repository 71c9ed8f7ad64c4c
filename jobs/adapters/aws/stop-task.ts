// StopTask on the worker's cluster, shared by the ECS adapters (the launcher stops a task its cancelled
// job no longer wants; TaskControl stops tasks past a deadline or cancelled). A task ECS does not know is
// gone: false, not an error.

import { type ECSClient, ECSServiceException, StopTaskCommand } from "@aws-sdk/client-ecs";

/** ECS keeps at most 255 characters of a stop reason. */
const MAX_STOP_REASON = 255;

export async function stopEcsTask(
  ecs: ECSClient,
  cluster: string,
  taskArn: string,
  reason: string,
): Promise<boolean> {
  try {
    await ecs.send(new StopTaskCommand({ cluster, task: taskArn, reason: reason.slice(0, MAX_STOP_REASON) }));
    return true;
  } catch (error) {
    if (error instanceof ECSServiceException && /not found|MISSING/i.test(error.message)) return false;
    throw error;
  }
}
