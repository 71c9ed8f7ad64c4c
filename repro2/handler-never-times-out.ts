// Review 2: local mode gives each handler its Lambda's timeout (HANDLER_TIMEOUT_MS, local/pipeline.ts) only
// as getRemainingTimeInMillis; nothing enforces it (local/handler-process.ts invoke has no timer, nothing
// kills the handlers' process). A handler whose call never answers (here DynamoDB accepting and never
// replying; the SDK sets no request timeout) keeps its invocation, and the queue consumer's or sweep's slot,
// pending forever, where Lambda would end it at the timeout and the message would be retried.
// Run: node --import tsx repro2/handler-never-times-out.ts   (exit 1 = still pending 20 s after a 2 s timeout)
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import path from "node:path";
import { startHandlerProcess } from "../local/handler-process";
import { startLocalPipeline } from "../local/pipeline";
import { loadStackConfig } from "../local/stack-config";

const REPO = path.join(__dirname, "..");

async function main() {
  // The handlers' real environment, read from the process local mode starts.
  const state = await mkdtemp(path.join(REPO, "dist", "review2-hang-"));
  const pipeline = await startLocalPipeline({
    stateDirectory: state,
    reset: false,
    config: loadStackConfig(REPO, undefined),
  });
  const ps = execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(process.pid)], { encoding: "utf8" });
  const pid = ps
    .split("\n")
    .find((l) => l.includes("handler-host"))
    ?.trim()
    .split(/\s+/)[0];
  const environment = Object.fromEntries(
    readFileSync(`/proc/${pid}/environ`, "utf8")
      .split("\0")
      .filter((entry) => entry.includes("="))
      .map((entry) => [entry.slice(0, entry.indexOf("=")), entry.slice(entry.indexOf("=") + 1)]),
  );
  await pipeline.stop();
  await rm(state, { recursive: true, force: true });

  // A DynamoDB that accepts connections and never answers.
  const silent = createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  const handlers = await startHandlerProcess(
    { ...environment, AWS_ENDPOINT_URL_DYNAMODB: endpoint },
    () => {},
  );
  const outcome = await Promise.race([
    handlers.invoke("sweeper", {}, 2000).then(
      () => "resolved",
      (error: Error) => `rejected: ${error.message}`,
    ),
    new Promise<string>((resolve) => setTimeout(() => resolve("PENDING"), 20_000)),
  ]);
  console.log(
    outcome === "PENDING"
      ? "BUG: the sweeper invocation (timeout 2 s) is still pending after 20 s"
      : `ok: ${outcome}`,
  );
  process.exit(outcome === "PENDING" ? 1 : 0);
}
void main();
