// Reading a local-mode state folder while local mode is stopped (`video-jobs --local list/show/stats`
// with no local mode running): the folder's DynamoDB files are opened with a dynalite of this process's
// own, on loopback, for as long as the command runs — the state lock held meanwhile, so a local mode
// started then waits its turn instead of finding LevelDB locked. Only the job histories (and the worker
// logs, which are plain files) are there to read: S3, SQS and ECS are local mode's own, and stopped with it.

import { existsSync } from "node:fs";
import path from "node:path";
import type { LocalEndpoints } from "../config/local-endpoints";
import { type RunningDynamoDb, startDynamoDb } from "./aws/dynamodb";
import { LOCAL_NAMES, LOCAL_REGION } from "./pipeline";
import { acquireStateLock } from "./state-lock";

/** A port nothing listens on (discard): a call to a service local mode runs fails at once, clearly. */
const STOPPED = "http://127.0.0.1:9";

export interface StoppedState {
  readonly endpoints: LocalEndpoints;
  close(): Promise<void>;
}

/** The folder's histories, readable; undefined when the folder holds none (local mode never ran there). */
export async function openStoppedState(stateDirectory: string): Promise<StoppedState | undefined> {
  const data = path.join(stateDirectory, "dynamodb");
  if (!existsSync(data)) return undefined;
  const release = acquireStateLock(stateDirectory);
  let dynamodb: RunningDynamoDb;
  try {
    dynamodb = await startDynamoDb({ path: data });
  } catch (error) {
    release();
    throw error;
  }
  return {
    endpoints: {
      region: LOCAL_REGION,
      endpoints: { dynamodb: dynamodb.endpoint, s3: STOPPED, sqs: STOPPED, ecs: STOPPED },
      tableName: LOCAL_NAMES.table,
      queueUrl: `${STOPPED}/000000000000/${LOCAL_NAMES.queue}`,
      clusterArn: `arn:aws:ecs:${LOCAL_REGION}:000000000000:cluster/${LOCAL_NAMES.cluster}`,
      bucket: LOCAL_NAMES.bucket,
      workerLogDirectory: path.join(stateDirectory, "logs"),
    },
    async close() {
      await dynamodb.stop();
      release();
    },
  };
}
