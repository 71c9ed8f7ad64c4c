// Serving an HTTP server on loopback (a given port, or a free one) and stopping it, for every local endpoint.

import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface LoopbackEndpoint {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  /** Closes the server and its open connections. */
  stop(): Promise<void>;
}

export async function listenOnLoopback(server: Server, port = 0): Promise<LoopbackEndpoint> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
