// A webhook receiver on 127.0.0.1 for tests of outcome delivery: a real HTTP server that records every POST
// it answered 2xx (what it accepted) and every one it refused, and misbehaves on demand — answers 500 to
// every second request, or is down (its port closed, so connections are refused) until told to come up.

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { JobStateChange } from "../../jobs/boundary/outcome-events";

export interface Received {
  readonly id: string;
  readonly detail: JobStateChange;
}

export type ReceiverMode = "ok" | "fail-every-second" | "fail-always";

export class WebhookReceiver {
  /** POSTs answered 2xx, in the order they arrived. */
  readonly accepted: Received[] = [];
  /** POSTs answered 500. */
  readonly refused: Received[] = [];
  private requests = 0;
  private server: Server | undefined;
  /** When set, only this many more POSTs are accepted; every later one is answered 500. */
  acceptLimit: number | undefined;

  private constructor(
    private port: number,
    public mode: ReceiverMode,
  ) {}

  /** Listening on a free port (or `port`), unless `down`: then the port is reserved and closed. */
  static async start(
    mode: ReceiverMode = "ok",
    { down = false }: { down?: boolean } = {},
  ): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver(0, mode);
    await receiver.up();
    if (down) await receiver.down();
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  /** Sequences of `jobId` as accepted, in arrival order. */
  sequencesOf(jobId: string): number[] {
    return this.accepted.filter((r) => r.detail.jobId === jobId).map((r) => r.detail.sequence);
  }

  /** What a receiver de-duplicating by the event's identity keeps: the first of each id. */
  deduplicated(jobId: string): number[] {
    const seen = new Set<string>();
    return this.accepted
      .filter((r) => r.detail.jobId === jobId && !seen.has(r.id) && seen.add(r.id) !== undefined)
      .map((r) => r.detail.sequence);
  }

  async up(): Promise<void> {
    if (this.server !== undefined) return;
    const server = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk) => {
        body += chunk;
      });
      request.on("end", () => {
        const received = JSON.parse(body) as Received;
        this.requests += 1;
        const refuse =
          this.mode === "fail-always" ||
          (this.mode === "fail-every-second" && this.requests % 2 === 0) ||
          (this.acceptLimit !== undefined && this.accepted.length >= this.acceptLimit);
        (refuse ? this.refused : this.accepted).push(received);
        response.statusCode = refuse ? 500 : 200;
        response.end(refuse ? "try again" : "ok");
      });
    });
    await new Promise<void>((resolve) => server.listen(this.port, "127.0.0.1", resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Closes the port: connections are refused until `up()`. */
  async down(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  async stop(): Promise<void> {
    await this.down();
  }
}
