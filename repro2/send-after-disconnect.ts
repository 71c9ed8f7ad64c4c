// Review 2: an invoke while the handlers' process is going away (its IPC channel closed, its 'exit' not yet
// seen) makes child.send emit 'error' (write EPIPE, or ERR_IPC_CHANNEL_CLOSED) on the ChildProcess, which
// has no 'error' listener (local/handler-process.ts): local mode dies with an uncaught "write EPIPE" instead
// of the invoke being rejected. A race: about 1 run in 4 here, so loop it:
//   for i in $(seq 8); do node --import tsx repro2/send-after-disconnect.ts; echo rc=$?; done
// (rc=1 and "BUG: uncaught ... EPIPE" = the bug; rc=0 every time = invokes rejected cleanly)
import { execFileSync } from "node:child_process";
import { startHandlerProcess } from "../local/handler-process";

process.on("uncaughtException", (error) => {
  console.error(
    `BUG: uncaught in local mode's process: ${(error as NodeJS.ErrnoException).code ?? ""} ${error.message}`,
  );
  process.exit(1);
});

async function main() {
  const handlers = await startHandlerProcess({}, () => {});
  const ps = execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(process.pid)], { encoding: "utf8" });
  const pid = Number(
    ps
      .split("\n")
      .find((l) => l.includes("handler-host"))
      ?.trim()
      .split(/\s+/)[0],
  );
  process.kill(pid, "SIGKILL");
  // Invocations keep coming (the queue consumer, the sweeps, task events) while the process goes away.
  const outcomes: Array<Promise<string>> = [];
  for (let i = 0; i < 5000; i++) {
    outcomes.push(
      handlers.invoke("sweeper", {}, 1000).then(
        () => "resolved",
        (error: Error) => error.message,
      ),
    );
    const last = await Promise.race([outcomes.at(-1), new Promise<string>((r) => setImmediate(() => r("")))]);
    if (last?.includes("process ended")) break;
  }
  const settled = await Promise.all(outcomes);
  console.log(`ok: invokes settled (${settled.length}), last: ${settled.at(-1)}`);
  process.exit(0);
}
void main();
