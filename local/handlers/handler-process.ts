// Local mode's side of the handlers' process (handler-host.ts): forks it with the handlers' environment,
// invokes a handler and waits for its answer, and stops it. A handler's error comes back as an Error with
// the same name and message, so retries and logs read as they would in-process. A process that ends on its
// own (killed, crashed) fails the invocations in flight — their message or event comes back, as with a
// Lambda that died — and a new one is started, as Lambda starts a new execution environment. An invocation
// past its function's timeout fails as Lambda's does ("Task timed out"), and its process is replaced.

import { type ChildProcess, fork } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { type HandlerReply, type HandlerRequest, isHandlerReply } from "./handler-protocol";

export interface HandlerProcess {
  invoke<Result>(handler: HandlerRequest["handler"], event: unknown, timeoutMs: number): Promise<Result>;
  stop(): Promise<void>;
  /** The current process's id (a new one after a restart). */
  readonly pid: number | undefined;
}

export class HandlerError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

export async function startHandlerProcess(
  environment: Readonly<Record<string, string>>,
  onMetric: (line: string) => void,
  onRestart: (reason: string) => void = () => {},
): Promise<HandlerProcess> {
  let stopping = false;
  let current: { child: ChildProcess; pending: Map<string, Pending>; ready: Promise<void> } = spawn();

  function spawn() {
    const child = fork(path.join(__dirname, "handler-host.ts"), [], {
      // Node's own options reach it as a child process's would (a debugger's --inspect, a test's recorder of
      // the handlers' AWS calls); nothing else of local mode's environment does.
      env: {
        PATH: process.env.PATH ?? "",
        ...(process.env.NODE_OPTIONS === undefined ? {} : { NODE_OPTIONS: process.env.NODE_OPTIONS }),
        ...environment,
      },
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const pending = new Map<string, Pending>();
    // A send on a channel closing as the process dies fails that call (its callback); never local mode.
    child.on("error", () => {});
    const ready = new Promise<void>((resolve, reject) => {
      child.on("message", (message: unknown) => {
        if (isHandlerReply(message)) settle(message, pending, resolve);
      });
      child.once("exit", (code, signal) => {
        const ended = new Error(`the handlers' process ended (${signal ?? `exit ${code}`})`);
        reject(ended);
        for (const { reject: fail } of pending.values()) fail(ended);
        pending.clear();
        if (stopping) return;
        onRestart(`${ended.message}; starting a new one`);
        current = spawn();
        current.ready.catch(() => {}); // its own end is reported when it comes
      });
    });
    return { child, pending, ready };
  }

  function settle(message: HandlerReply, pending: Map<string, Pending>, onReady: () => void): void {
    switch (message.kind) {
      case "ready":
        onReady();
        return;
      case "metric":
        onMetric(message.line);
        return;
      case "result":
        pending.get(message.id)?.resolve(message.result);
        pending.delete(message.id);
        return;
      case "error":
        pending.get(message.id)?.reject(new HandlerError(message.error.name, message.error.message));
        pending.delete(message.id);
        return;
    }
  }

  await current.ready;
  return {
    get pid() {
      return current.child.pid;
    },
    async invoke<Result>(handler: HandlerRequest["handler"], event: unknown, timeoutMs: number) {
      const { child, pending, ready } = current;
      await ready;
      const id = randomUUID();
      const request: HandlerRequest = { kind: "invoke", id, handler, event, timeoutMs };
      return new Promise<Result>((resolve, reject) => {
        const timer = setTimeout(() => {
          if (!pending.delete(id)) return;
          reject(new HandlerError("TimeoutError", `Task timed out after ${timeoutMs / 1000} seconds`));
          child.kill("SIGKILL"); // as Lambda ends the environment of a timed-out invocation
        }, timeoutMs);
        const done =
          <T>(settle: (value: T) => void) =>
          (value: T) => {
            clearTimeout(timer);
            settle(value);
          };
        pending.set(id, { resolve: done(resolve as (value: unknown) => void), reject: done(reject) });
        if (!child.connected) {
          pending.delete(id);
          done(reject)(new Error("the handlers' process is not running (it is being replaced)"));
          return;
        }
        child.send(request, (error) => {
          if (error === null || !pending.delete(id)) return;
          done(reject)(error);
        });
      });
    },
    async stop() {
      stopping = true;
      const { child } = current;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      if (child.connected) child.disconnect();
      else child.kill("SIGKILL");
      await gone;
    },
  };
}
