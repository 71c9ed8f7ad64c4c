// Scaffolding of the dispatch and launch tests: the dispatcher's dependencies over an in-memory store
// and capacity, with a launcher whose answer each test chooses.

import type { Capacity } from "../../jobs/capacity/admission";
import { slotReleasingStore } from "../../jobs/capacity/slots";
import type { LaunchRequest, LaunchResult, TaskLauncher } from "../../jobs/store/ports";
import type { JobStore } from "../../jobs/store/store";
import type { DispatchDeps } from "../../jobs/workflows/dispatch";
import { CONTAINER, TEST_POLICY } from "./factories";

export const silent = { info: () => {}, warn: () => {} };

/** A launcher answering each RunTask with `answer(request)`; it records every call. */
export class ScriptedLauncher implements TaskLauncher {
  readonly calls: LaunchRequest[] = [];
  readonly stopped: string[] = [];
  constructor(private readonly answer: (request: LaunchRequest) => LaunchResult) {}
  async launch(request: LaunchRequest): Promise<LaunchResult> {
    this.calls.push(request);
    return this.answer(request);
  }
  async stop(taskArn: string): Promise<boolean> {
    this.stopped.push(taskArn);
    return true;
  }
}

export const launchedTask = (request: LaunchRequest): LaunchResult => ({
  launched: true,
  taskArn: `arn:aws:ecs:us-west-2:111122223333:task/c/${request.clientToken}`,
});

export const throttled = (): LaunchResult => ({
  launched: false,
  failure: { reason: "ThrottlingException: Rate exceeded", retryable: true, throttled: true },
});

/** A clock that moves one millisecond per reading, so every decision has its own time. */
export function tickingClock(start = "2026-11-30T01:00:00.000Z"): () => string {
  let tick = 0;
  const t0 = Date.parse(start);
  return () => new Date(t0 + tick++).toISOString();
}

export function dispatchDeps(
  store: JobStore,
  launcher: TaskLauncher,
  capacity: Capacity,
  clock: () => string = tickingClock(),
): DispatchDeps & { readonly sent: Array<{ jobId: string; attempt: number }> } {
  const sent: Array<{ jobId: string; attempt: number }> = [];
  return {
    store: slotReleasingStore(store, capacity.slots),
    capacity,
    launcher,
    retryQueue: {
      sendRetry: async (jobId, attempt) => {
        sent.push({ jobId, attempt });
      },
    },
    target: { containerName: CONTAINER, outputBucket: "outputs", outputPrefix: "outputs/" },
    policy: TEST_POLICY,
    clock,
    log: silent,
    sent,
  };
}

export const jobMessage = (jobId: string) => JSON.stringify({ videoUrl: `s3://uploads/${jobId}.mp4`, jobId });
