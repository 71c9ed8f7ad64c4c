// Local DynamoDB: dynalite on loopback, in memory or persisted in a LevelDB folder (local mode keeps its
// job histories under .local/ across restarts). The tests start theirs through this too.

import type { AddressInfo } from "node:net";
import dynalite from "dynalite";

export interface RunningDynamoDb {
  readonly endpoint: string;
  stop(): Promise<void>;
}

export async function startDynamoDb(
  options: { readonly path?: string; readonly port?: number } = {},
): Promise<RunningDynamoDb> {
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.path === undefined ? {} : { path: options.path }),
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections?.();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
