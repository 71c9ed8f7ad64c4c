// Records every AWS call the code under test makes: an SDK v3 middleware on every client (added on a
// client's first send, so the handlers' own clients are recorded without any change to them), and, for
// clients a test replaced with aws-sdk-client-mock (whose stub answers before any middleware runs), the
// mock's own call history. Only calls made inside `recording.during(...)` count, so a test's own setup
// and assertions (creating tables, reading a job back) are not taken for the handler's.

import { AsyncLocalStorage } from "node:async_hooks";
import { createRequire } from "node:module";
import type { AwsStub } from "aws-sdk-client-mock";

export interface AwsCall {
  /** The SDK client class, e.g. `ECSClient`. */
  readonly client: string;
  /** The command class, e.g. `RunTaskCommand`. */
  readonly command: string;
  readonly input: unknown;
}

export type RecordCall = (call: AwsCall) => void;

interface MiddlewareStack {
  add(middleware: unknown, options: { step: string; name: string; priority?: string }): void;
}
interface SmithyClient {
  middlewareStack: MiddlewareStack;
  send(...args: unknown[]): unknown;
}

/** The middleware: the client and command names the SDK puts in the handler context, and the input. */
export function recordingMiddleware(record: RecordCall) {
  return (
    next: (args: { input: unknown }) => Promise<unknown>,
    context: { clientName?: string; commandName?: string },
  ) =>
    async (args: { input: unknown }) => {
      record({
        client: context.clientName ?? "unknown",
        command: context.commandName ?? "unknown",
        input: args.input,
      });
      return next(args);
    };
}

/** Marks the code whose calls count: everything `during(f)` runs, through every await. */
const scope = new AsyncLocalStorage<true>();

/** `f` itself, whose AWS calls (and those of everything it awaits) are recorded. */
export function during<Args extends unknown[], Result>(
  f: (...args: Args) => Result,
): (...args: Args) => Result {
  return (...args) => scope.run(true, () => f(...args));
}

/** Whether the current code runs inside `during`. */
export const recording = (): boolean => scope.getStore() === true;

/**
 * Adds the middleware to every SDK client on its first call (the one Client class of @smithy/core every
 * v3 client extends); it records the calls made inside `during`. Returns the function that stops it.
 */
export function recordEveryClient(record: RecordCall): () => void {
  const { Client } = createRequire(__filename)("@smithy/core/client") as {
    Client: { prototype: SmithyClient };
  };
  const prototype = Client.prototype;
  const original = prototype.send;
  // A document client shares its DynamoDB client's stack: one middleware per stack.
  const recorded = new WeakSet<MiddlewareStack>();
  const middleware = recordingMiddleware((call) => {
    if (recording()) record(call);
  });
  prototype.send = function (this: SmithyClient, ...args: unknown[]) {
    if (!recorded.has(this.middlewareStack)) {
      this.middlewareStack.add(middleware, { step: "initialize", name: "recordAwsCall", priority: "high" });
      recorded.add(this.middlewareStack);
    }
    return original.apply(this, args);
  };
  return () => {
    prototype.send = original;
  };
}

/** The calls a mocked client received since its last reset, as the middleware would have recorded them. */
// biome-ignore lint/suspicious/noExplicitAny: aws-sdk-client-mock's stub of any client
export function mockedCalls(mock: AwsStub<any, any, any>): AwsCall[] {
  return mock.calls().map((call) => {
    const command = call.args[0] as { constructor: { name: string }; input: unknown };
    const client = (call.thisValue as { constructor: { name: string } } | undefined)?.constructor.name;
    return { client: client ?? "unknown", command: command.constructor.name, input: command.input };
  });
}
