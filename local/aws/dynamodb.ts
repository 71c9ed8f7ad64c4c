// Local DynamoDB: dynalite on loopback, in memory or persisted in a LevelDB folder (local mode keeps its
// job histories under .local/ across restarts). The tests start theirs through this too.

import dynalite from "dynalite";
import { type LoopbackEndpoint, listenOnLoopback } from "./loopback";

export type RunningDynamoDb = LoopbackEndpoint;

export async function startDynamoDb(
  options: { readonly path?: string; readonly port?: number } = {},
): Promise<RunningDynamoDb> {
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.path === undefined ? {} : { path: options.path }),
  });
  return listenOnLoopback(server, options.port);
}
