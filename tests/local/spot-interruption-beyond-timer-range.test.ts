// Why this is tested: as first written, `--spot-interruptions SHARE@SECONDS` accepts any number
// of seconds (parseSpotInterruptions), and the local ECS schedules the interruption with setTimeout. Node's
// timers take at most 2^31-1 ms (about 24.8 days): a longer delay is replaced by 1 ms (TimeoutOverflowWarning),
// so `--spot-interruptions 1@3000000` ("every Spot task, 3,000,000 s in": never, in practice) interrupts
// every Spot task at once — the opposite of what was asked.
// Expected: given interruptions 1@3000000, when a FARGATE_SPOT task starts running, then it is still running
// a moment later (or the flag is refused with a clear error: parseSpotInterruptions("1@3000000") throws).

import { expect, it } from "vitest";
import { LocalEcs, type TaskEvent, type WorkerLauncher } from "../../local/aws/ecs";
import { parseSpotInterruptions } from "../../local/aws/spot-interruptions";
import { waitFor } from "../support/wait-for";

it("a Spot interruption asked for 3,000,000 s in does not interrupt the task at once", async () => {
  let interruptions: ReturnType<typeof parseSpotInterruptions>;
  try {
    interruptions = parseSpotInterruptions("1@3000000");
  } catch (error) {
    // Refusing the value with a clear error is a fix too.
    expect((error as Error).message).toMatch(/--spot-interruptions/);
    return;
  }
  let stops = 0;
  let finish: (outcome: { exitCode: number }) => void = () => {};
  const launcher: WorkerLauncher = {
    start: () => ({
      started: Promise.resolve(),
      exited: new Promise((resolve) => {
        finish = resolve;
      }),
      stop: () => {
        stops++;
        finish({ exitCode: 143 });
      },
      kill: () => finish({ exitCode: 137 }),
    }),
  };
  const events: TaskEvent[] = [];
  const ecs = new LocalEcs({
    region: "us-east-1",
    account: "000000000000",
    clusterName: "video-jobs",
    family: "video-jobs-worker",
    containerName: "worker",
    stopTimeoutSeconds: 30,
    launcher,
    onEvent: async (event) => void events.push(event),
    spotInterruptions: interruptions,
    random: () => 0,
  });
  ecs.runTask({
    cluster: "video-jobs",
    taskDefinition: "video-jobs-worker",
    capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }],
    startedBy: "job-far",
  });
  await waitFor(
    async () => events.some((e) => (e.detail as { lastStatus?: string }).lastStatus === "RUNNING"),
    "the task RUNNING",
  );
  await new Promise((resolve) => setTimeout(resolve, 100));
  const interrupted = events.some((e) => (e.detail as { stopCode?: string }).stopCode === "SpotInterruption");
  finish({ exitCode: 0 });
  await ecs.settled();
  expect(stops).toBe(0);
  expect(interrupted).toBe(false);
});
