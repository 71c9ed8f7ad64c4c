// A command's <jobId> argument: the whole id, or a unique prefix of a recent job's id (jobs/store/find-job.ts),
// with or without the "…" that `list` puts after an id it shortened.

import type { StoredJob } from "../jobs/store";
import { findJob } from "../jobs/store";
import type { CommandContext } from "./context";

export function lookUpJob(ctx: CommandContext, idOrPrefix: string): Promise<StoredJob> {
  return findJob(ctx.aws.store(), withoutEllipsis(idOrPrefix), { now: ctx.io.now() });
}

/** An id `list` cut to fit ("s3-d7023a3f…", or "..." where a terminal has no "…") is the prefix it shows. */
export function withoutEllipsis(given: string): string {
  return given.trim().replace(/(…|\.\.\.)$/, "");
}

/** The whole id of the job the argument names. */
export async function resolveJobId(ctx: CommandContext, idOrPrefix: string): Promise<string> {
  return (await lookUpJob(ctx, idOrPrefix)).state.jobId;
}
