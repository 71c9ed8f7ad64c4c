// The line of WAITING jobs, oldest first: the order in which they start (start-waiting.ts), and each one's
// place in it for `jobs show` and `jobs list`. Read from the status index (never a scan), bounded.

import type { JobStore } from "../store/store";

/** Waiting jobs a place is counted among, at most: past it, a place reads "beyond". */
export const LINE_READ_LIMIT = 10_000;

export interface WaitingLine {
  /** Job ids, oldest first (the first starts next). */
  readonly jobIds: readonly string[];
  /** More jobs wait than were read. */
  readonly truncated: boolean;
}

export async function readWaitingLine(store: JobStore, limit = LINE_READ_LIMIT): Promise<WaitingLine> {
  const jobIds: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listByStatus("WAITING", {
      limit: Math.min(1000, limit - jobIds.length),
      oldestFirst: true,
      ...(cursor === undefined ? {} : { cursor }),
    });
    jobIds.push(...page.jobs.map((job) => job.jobId));
    cursor = page.cursor;
  } while (cursor !== undefined && jobIds.length < limit);
  return { jobIds, truncated: cursor !== undefined };
}

/** A job's place in the line (1: starts next), or undefined when it is not among those read. */
export function placeIn(line: WaitingLine, jobId: string): number | undefined {
  const index = line.jobIds.indexOf(jobId);
  return index < 0 ? undefined : index + 1;
}
