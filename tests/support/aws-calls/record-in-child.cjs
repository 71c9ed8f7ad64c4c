// Preload (`NODE_OPTIONS=--require <a file calling start(file)>`) recording the AWS calls of a process local
// mode starts, for the tests' role checks (tests/support/aws-calls): the same SDK middleware as recorder.ts,
// plain CommonJS so it loads before tsx. In the handlers' host each invocation arrives as an IPC message
// naming its handler; every call made while it runs is recorded as that handler's. One JSON line a call,
// appended synchronously so nothing is lost when the process is killed.

const { AsyncLocalStorage } = require("node:async_hooks");
const { appendFileSync } = require("node:fs");

/** Resource variables are all the check needs; credentials and the like stay out of the file. */
const SECRET = /SECRET|TOKEN|PASSWORD|ACCESS_KEY/;

exports.start = (file) => {
  const write = (line) => appendFileSync(file, `${JSON.stringify(line)}\n`);
  const handler = new AsyncLocalStorage();
  const on = process.on.bind(process);
  process.on = function recordInvocations(event, listener) {
    if (event !== "message") return on(event, listener);
    return on(event, (message, ...rest) =>
      handler.run(typeof message?.handler === "string" ? message.handler : "none", () =>
        listener(message, ...rest),
      ),
    );
  };
  const environment = Object.fromEntries(Object.entries(process.env).filter(([name]) => !SECRET.test(name)));
  write({ kind: "process", pid: process.pid, script: process.argv[1] ?? "", environment });

  const { Client } = require("@smithy/core/client");
  const send = Client.prototype.send;
  const recorded = new WeakSet();
  const middleware = (next, context) => async (args) => {
    write({
      kind: "call",
      pid: process.pid,
      handler: handler.getStore() ?? "none",
      client: context.clientName ?? "unknown",
      command: context.commandName ?? "unknown",
      input: args.input,
    });
    return next(args);
  };
  Client.prototype.send = function (...args) {
    if (!recorded.has(this.middlewareStack)) {
      this.middlewareStack.add(middleware, { step: "initialize", name: "recordAwsCall", priority: "high" });
      recorded.add(this.middlewareStack);
    }
    return send.apply(this, args);
  };
};
