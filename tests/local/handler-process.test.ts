// Local mode's handlers run in a process of their own (local/handler-host.ts): a handler's error comes back
// with its name and message, and a process that dies is replaced, as Lambda replaces an execution
// environment, so local mode keeps working after it.

import { afterEach, expect, it } from "vitest";
import { type HandlerProcess, startHandlerProcess } from "../../local/handler-process";

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

  const first = handlers.pid;
  process.kill(first as number, "SIGKILL");
  await expect
    .poll(() => restarts, { timeout: 20_000 })
    .toEqual(["the handlers' process ended (SIGKILL); starting a new one"]);
  await expect(handlers.invoke("sweeper", {}, 60_000)).rejects.toMatchObject({ name: "ConfigurationError" });
  expect(handlers.pid).not.toBe(first);
}, 60_000);
