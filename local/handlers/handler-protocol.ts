// What local mode and its handler process (handler-host.ts) say to each other over the IPC channel.

export interface HandlerRequest {
  readonly kind: "invoke";
  readonly id: string;
  readonly handler: "dispatcher" | "task-state" | "sweeper";
  readonly event: unknown;
  /** What the Lambda context's getRemainingTimeInMillis says: the function's timeout. */
  readonly timeoutMs: number;
}

export type HandlerReply =
  | { readonly kind: "ready" }
  | { readonly kind: "metric"; readonly line: string }
  | { readonly kind: "result"; readonly id: string; readonly result: unknown }
  | { readonly kind: "error"; readonly id: string; readonly error: { name: string; message: string } };

export function isHandlerRequest(message: unknown): message is HandlerRequest {
  return typeof message === "object" && message !== null && (message as { kind?: unknown }).kind === "invoke";
}

export function isHandlerReply(message: unknown): message is HandlerReply {
  const kind =
    typeof message === "object" && message !== null ? (message as { kind?: unknown }).kind : undefined;
  return kind === "ready" || kind === "metric" || kind === "result" || kind === "error";
}
