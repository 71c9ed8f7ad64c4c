// Local mode's side of the handlers' process (handler-host.ts): forks it with the handlers' environment,
// invokes a handler and waits for its answer, and stops it. A handler's error comes back as an Error with
// the same name and message, so retries and logs read as they would in-process.

import { type ChildProcess, fork } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { type HandlerReply, type HandlerRequest, isHandlerReply } from "./handler-protocol";

export interface HandlerProcess {
  invoke<Result>(handler: HandlerRequest["handler"], event: unknown, timeoutMs: number): Promise<Result>;
  stop(): Promise<void>;
}

export class HandlerError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export async function startHandlerProcess(
  environment: Readonly<Record<string, string>>,
  onMetric: (line: string) => void,
): Promise<HandlerProcess> {
  const child: ChildProcess = fork(path.join(__dirname, "handler-host.ts"), [], {
    env: { PATH: process.env.PATH ?? "", ...environment },
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const pending = new Map<string, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let exited: Error | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    child.on("message", (message: unknown) => {
      if (!isHandlerReply(message)) return;
      settle(message, resolve);
    });
    child.once("exit", (code, signal) => {
      exited = new Error(`the handlers' process ended (${signal ?? `exit ${code}`})`);
      reject(exited);
      for (const { reject: fail } of pending.values()) fail(exited);
      pending.clear();
    });
  });
  const settle = (message: HandlerReply, onReady: () => void) => {
    switch (message.kind) {
      case "ready":
        return onReady();
      case "metric":
        return onMetric(message.line);
      case "result":
        pending.get(message.id)?.resolve(message.result);
        pending.delete(message.id);
        return;
      case "error":
        pending.get(message.id)?.reject(new HandlerError(message.error.name, message.error.message));
        pending.delete(message.id);
        return;
    }
  };
  await ready;
  return {
    invoke<Result>(handler: HandlerRequest["handler"], event: unknown, timeoutMs: number) {
      if (exited !== undefined) return Promise.reject(exited);
      const id = randomUUID();
      const request: HandlerRequest = { kind: "invoke", id, handler, event, timeoutMs };
      return new Promise<Result>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        child.send(request);
      });
    },
    async stop() {
      if (exited !== undefined) return;
      const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.disconnect();
      await gone;
    },
  };
}
