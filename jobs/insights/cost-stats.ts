// What a set of jobs cost on Fargate: the total, the cost per successful job (everything spent, failed
// attempts included, over the jobs that succeeded) and the share spent on attempts that did not succeed.
// Pure, over the histories `jobs stats` reads; the recorded costs come from cost.ts.

import { jobCost, roundUsd } from "../model/cost";
import type { JobHistory } from "./stats";

export interface CostStats {
  readonly totalUsd: number;
  /** Attempts that carry a cost; `unpriced` stopped attempts carry none (no size or no price). */
  readonly pricedAttempts: number;
  readonly unpriced: number;
  readonly succeededJobs: number;
  /** totalUsd / succeededJobs; absent when none succeeded. */
  readonly perSucceededJobUsd?: number;
  /** Spent on attempts whose task did not succeed (failed, infrastructure, stopped), in USD and of the total. */
  readonly failedAttemptsUsd: number;
  readonly failedShare?: number;
}

export function costStats(histories: readonly JobHistory[]): CostStats {
  let total = 0;
  let failed = 0;
  let priced = 0;
  let unpriced = 0;
  let succeededJobs = 0;
  for (const { state, events } of histories) {
    if (state.status === "SUCCEEDED") succeededJobs++;
    const cost = jobCost(events);
    total += cost.totalUsd;
    priced += cost.attempts.length;
    unpriced += cost.unpriced;
    for (const event of events) {
      if (event.type === "TaskStopped" && event.failure !== undefined && event.cost !== undefined)
        failed += event.cost.usd;
    }
  }
  const totalUsd = roundUsd(total);
  return {
    totalUsd,
    pricedAttempts: priced,
    unpriced,
    succeededJobs,
    ...(succeededJobs === 0 ? {} : { perSucceededJobUsd: roundUsd(totalUsd / succeededJobs) }),
    failedAttemptsUsd: roundUsd(failed),
    ...(totalUsd === 0 ? {} : { failedShare: roundUsd(failed) / totalUsd }),
  };
}
