// Local mode's handlers run in a process of their own (local/handlers/handler-host.ts): a handler's error comes back
// with its name and message, and a process that dies is replaced, as Lambda replaces an execution
// environment, so local mode keeps working after it.

import { createServer, type Server } from "node:net";
import { afterEach, expect, it } from "vitest";
import { type HandlerProcess, startHandlerProcess } from "../../local/handlers/handler-process";
import { handlerEnvironment } from "../support/handler-env";

let handlers: HandlerProcess | undefined;
afterEach(async () => handlers?.stop());

it("answers with a handler's error, and replaces a process that died", async () => {
  const restarts: string[] = [];
  // No handler environment at all: the sweeper refuses to start, naming what is missing.
  handlers = await startHandlerProcess(
    {},
    () => {},
    (reason) => restarts.push(reason),
  );
  const refused = handlers.invoke("sweeper", {}, 60_000);
  await expect(refused).rejects.toMatchObject({ name: "ConfigurationError" });
  await expect(refused).rejects.toThrow(/invalid handler environment: JOBS_TABLE is not set/);

  // Signals to the process group are local mode's to act on: the handlers' process stays for the last events.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.kill(handlers.pid as number, signal);
  await expect(handlers.invoke("sweeper", {}, 60_000)).rejects.toMatchObject({ name: "ConfigurationError" });
  expect(restarts).toEqual([]);

  const first = handlers.pid;
  process.kill(first as number, "SIGKILL");
  await expect
    .poll(() => restarts, { timeout: 20_000 })
    .toEqual(["the handlers' process ended (SIGKILL); starting a new one"]);
  await expect(handlers.invoke("sweeper", {}, 60_000)).rejects.toMatchObject({ name: "ConfigurationError" });
  expect(handlers.pid).not.toBe(first);
}, 60_000);

it("fails an invocation past its timeout as Lambda does, and replaces the process", async () => {
  // A DynamoDB that accepts connections and never answers: the sweeper's first read hangs.
  const silent: Server = createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  const { port } = silent.address() as { port: number };
  const restarts: string[] = [];
  try {
    handlers = await startHandlerProcess(
      { ...handlerEnvironment(`http://127.0.0.1:${port}`, "jobs"), AWS_MAX_ATTEMPTS: "1" },
      () => {},
      (reason) => restarts.push(reason),
    );
    await expect(handlers.invoke("sweeper", {}, 2_000)).rejects.toMatchObject({
      name: "TimeoutError",
      message: "Task timed out after 2 seconds",
    });
    await expect.poll(() => restarts.length, { timeout: 20_000 }).toBe(1);
  } finally {
    silent.close();
  }
}, 60_000);
