// The handlers' own process in local mode, as each Lambda has its own: local mode forks it with the
// handlers' environment (the variables the Pulumi program sets on the Lambdas, and the SDK's endpoint
// variables pointing at the stand-ins), so nothing configures them by changing local mode's own
// process.env. It runs each invocation it is sent (dispatcher, task-state, sweeper) and answers with the
// result or the error; the metrics the handlers emit go back as lines. Ctrl-C is local mode's to handle:
// this process ends when local mode disconnects (or dies).

import type { Context } from "aws-lambda";
import { useMetrics } from "../../handlers/clients";
import { handler as dispatcher } from "../../handlers/dispatcher";
import { handler as sweeper } from "../../handlers/sweeper";
import { handler as taskState } from "../../handlers/task-state";
import { type HandlerReply, type HandlerRequest, isHandlerRequest } from "./handler-protocol";
import { LOCAL_METRICS_SERVICE, MetricLines } from "./metric-lines";

/** An answer to local mode; dropped once local mode has gone (it no longer waits for it). */
const send = (message: HandlerReply) => {
  if (process.connected) process.send?.(message, undefined, {}, () => {});
};

useMetrics(new MetricLines(LOCAL_METRICS_SERVICE, (line) => send({ kind: "metric", line })));

const HANDLERS: Record<HandlerRequest["handler"], (event: unknown, context: Context) => Promise<unknown>> = {
  dispatcher: (event, context) => dispatcher(event as Parameters<typeof dispatcher>[0], context),
  "task-state": (event) => taskState(event as Parameters<typeof taskState>[0]),
  sweeper: () => sweeper(),
};

// Signals to the process group (Ctrl-C, `timeout`, a closed terminal) are local mode's to handle: it stops
// the pipeline, recording the last task events through this process, and then disconnects it.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => {});
process.on("disconnect", () => process.exit(0));
process.on("message", async (message: unknown) => {
  if (!isHandlerRequest(message)) return;
  const context = {
    functionName: message.handler,
    awsRequestId: message.id,
    getRemainingTimeInMillis: () => message.timeoutMs,
  } as unknown as Context;
  try {
    const result = await HANDLERS[message.handler](message.event, context);
    send({ kind: "result", id: message.id, result });
  } catch (error) {
    const { name, message: text } = error instanceof Error ? error : new Error(String(error));
    send({ kind: "error", id: message.id, error: { name, message: text } });
  }
});
send({ kind: "ready" });
