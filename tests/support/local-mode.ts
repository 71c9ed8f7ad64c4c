// What tests of local mode share about its ECS stand-in and the processes it runs: the cluster and task
// definition a test's LocalEcs stands for (each test adds its launcher and event sink), and whether a worker
// process is still there.

import type { LocalEcsOptions } from "../../local/aws/ecs";

/** One cluster and task family, as local mode names them; the stop timeout of an On-Demand stack. */
export const TEST_CLUSTER = {
  region: "us-east-1",
  account: "000000000000",
  clusterName: "video-jobs",
  family: "video-jobs-worker",
  containerName: "worker",
  stopTimeoutSeconds: 30,
} as const satisfies Partial<LocalEcsOptions>;

/** Whether a process with this pid still exists (signal 0 asks without signalling). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
