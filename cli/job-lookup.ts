// A command's <jobId> argument: the whole id, or a unique prefix of a recent job's id (jobs/find-job.ts).

import { findJob } from "../jobs/find-job";
import type { StoredJob } from "../jobs/store";
import type { CommandContext } from "./context";

export function lookUpJob(ctx: CommandContext, idOrPrefix: string): Promise<StoredJob> {
  return findJob(ctx.aws.store(), idOrPrefix, { now: ctx.io.now() });
}

/** The whole id of the job the argument names. */
export async function resolveJobId(ctx: CommandContext, idOrPrefix: string): Promise<string> {
  return (await lookUpJob(ctx, idOrPrefix)).state.jobId;
}
