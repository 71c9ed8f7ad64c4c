// Benchmark (`npm run bench -- burst`): a burst of uploads at once against Fargate's launch limits and a cap
// on running tasks. The real dispatcher workflow (jobs/workflows/dispatch.ts), task-state workflow (jobs/workflows/track-task.ts),
// sweeper (jobs/workflows/sweep.ts) and job model run on the in-memory job store, on a virtual clock (virtual-clock.ts),
// inside a simulated AWS (burst-world.ts): minutes of the system in seconds of real time.
// Reported: the time until the last task launched against the floor the limits allow (launch-floor.ts), and,
// read from the stored histories (burst-checks.ts), that no job was lost, launched twice or FAILED, and that
// the tasks running at once never outnumbered the cap. A failed check throws (the runner exits non-zero).

import { readMessage } from "../jobs/boundary";
import { FARGATE_LAUNCH_LIMITS } from "../jobs/capacity";
import type { Log, StoredJob } from "../jobs/store";
import { type BenchSize, requireChecks } from "./bench-size";
import { checkHistories, type HistoryReport } from "./burst-checks";
import type { EcsStats, EventSourceStats, SimQueue } from "./burst-world";
import { launchFloor } from "./launch-floor";
import {
  type SimPipelineSettings,
  STACK_DEFAULTS,
  startSimPipeline,
  uploadNotification,
} from "./sim-pipeline";
import { VirtualClock } from "./virtual-clock";

export const name = "burst";

export interface BurstScenario extends SimPipelineSettings {
  readonly uploads: number;
}

/** The issue's burst: 2,000 uploads, a cap of 500, Fargate's limits, tasks of 10 s pending and 120 s running. */
export const BURST_SCENARIO: BurstScenario = {
  uploads: 2000,
  maxRunningTasks: 500,
  limits: FARGATE_LAUNCH_LIMITS,
  pendingMs: 10_000,
  runMs: 120_000,
  ...STACK_DEFAULTS,
  latencies: { dynamoDbMs: 5, runTaskMs: 100, eventMs: 1000 },
};

export interface BurstResult {
  readonly scenario: BurstScenario;
  readonly histories: HistoryReport;
  /** ms from the burst to the last launch (ECS createdAt), and the floor's. */
  readonly lastLaunchMs: number;
  readonly floorMs: number;
  /** ms until every job had ended (or the simulation gave up). */
  readonly endMs: number;
  readonly finished: boolean;
  /** Jobs ECS started more than one task for (its own count, beside the histories'). */
  readonly ecsTasksTwice: number;
  readonly ecs: EcsStats;
  readonly dispatcher: EventSourceStats;
  /** Calls to the jobs table, the slot pool and the launch rate, by method (and errors, by name). */
  readonly dynamoDbCalls: ReadonlyMap<string, number>;
  readonly deadLetters: number;
  readonly sweeps: { readonly runs: number; readonly actions: Record<string, number> };
  readonly virtualSteps: number;
}

const EPOCH_MS = Date.parse("2026-11-30T00:00:00.000Z");
const quiet: Log = { info() {}, warn() {} };

/** Runs the scenario; `log` receives what the workflows log (nothing by default). */
export async function simulateBurst(scenario: BurstScenario, log: Log = quiet): Promise<BurstResult> {
  const clock = new VirtualClock(EPOCH_MS);
  const pipeline = startSimPipeline(clock, scenario, log);
  const { queue, ecs, table, ended } = pipeline;
  try {
    const jobIds = uploadAll(queue, scenario.uploads);
    const floor = launchFloor({
      tasks: scenario.uploads,
      limits: scenario.limits,
      maxRunningTasks: scenario.maxRunningTasks,
      taskLifetimeMs: scenario.pendingMs + scenario.runMs,
    });
    const floorMs = floor.at(-1) ?? 0;
    // Long enough for any healthy run; a run that needs longer has lost jobs, and says so.
    const limitMs = 4 * (floorMs + scenario.pendingMs + scenario.runMs) + 3_600_000;
    const finished = await clock.run(() => ended.size === jobIds.length, limitMs);

    const endMs = clock.now();
    const stored = new Map<string, StoredJob | undefined>();
    for (const jobId of jobIds) stored.set(jobId, await table.get(jobId));
    const histories = checkHistories(jobIds, stored, EPOCH_MS + endMs);
    return {
      scenario,
      histories,
      lastLaunchMs: (histories.launchesMs.at(-1) ?? EPOCH_MS) - EPOCH_MS,
      floorMs,
      endMs,
      finished,
      ecsTasksTwice: [...ecs.tasksByJob().values()].filter((n) => n > 1).length,
      ecs: ecs.stats,
      dispatcher: pipeline.dispatcher,
      dynamoDbCalls: pipeline.dynamoDbCalls,
      deadLetters: queue.deadLetters.length,
      sweeps: pipeline.sweeps,
      virtualSteps: clock.steps,
    };
  } finally {
    pipeline.restore();
  }
}

/** The uploads' S3 notifications, all on the queue at once; returns their job ids. */
function uploadAll(queue: SimQueue, uploads: number): string[] {
  const jobIds: string[] = [];
  for (let i = 0; i < uploads; i++) {
    const body = uploadNotification("uploads/burst/", i, EPOCH_MS);
    const messageId = queue.send(body);
    const [intent] = readMessage(body, messageId);
    if (intent?.kind !== "submit") throw new Error(`upload ${i} does not read as a job: ${intent?.kind}`);
    jobIds.push(intent.jobId);
  }
  return jobIds;
}

export interface BurstCheck {
  readonly name: string;
  readonly value: string;
  readonly want: string;
  readonly ok: boolean;
}

/**
 * The correctness checks (not timings): all from the stored histories, plus ECS's own count of tasks. The
 * line's order (oldest first) is one: the issue promises it.
 */
export function burstChecks(result: BurstResult): BurstCheck[] {
  const h = result.histories;
  const cap = result.scenario.maxRunningTasks;
  return [
    { name: "jobs SUCCEEDED", value: `${h.succeeded}/${h.jobs}`, want: "all", ok: h.succeeded === h.jobs },
    { name: "jobs lost (not ended)", value: String(h.lost), want: "0", ok: h.lost === 0 },
    { name: "jobs FAILED", value: String(h.failed), want: "0", ok: h.failed === 0 },
    {
      name: "jobs launched twice (histories)",
      value: String(h.launchedTwice),
      want: "0",
      ok: h.launchedTwice === 0,
    },
    {
      name: "jobs with two tasks (ECS's count)",
      value: String(result.ecsTasksTwice),
      want: "0",
      ok: result.ecsTasksTwice === 0,
    },
    {
      name: "waiting jobs started after a later one",
      value: String(h.overtaken),
      want: "0 (oldest first)",
      ok: h.overtaken === 0,
    },
    {
      name: "most tasks running at once",
      value: String(h.maxRunning),
      want: `<= ${cap}`,
      ok: h.maxRunning <= cap,
    },
  ];
}

/** The issue's goal: the last launch within 1.15x of the floor. */
export const RATIO_GOAL = 1.15;

function verdict(ratio: number, capKept: boolean): string {
  if (!capKept) return "not comparable: the cap was not kept";
  return ratio <= RATIO_GOAL ? "met" : "MISSED";
}

/** The burst at the size its test runs it (tests/bench/): the cap still binds, over a few waves. */
export const SMALL_BURST: BurstScenario = { ...BURST_SCENARIO, uploads: 200, maxRunningTasks: 50 };

export async function run(size: BenchSize = "full"): Promise<void> {
  const scenario = size === "small" ? SMALL_BURST : BURST_SCENARIO;
  const started = performance.now();
  const result = await simulateBurst(scenario);
  const realSeconds = (performance.now() - started) / 1000;
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const { limits, latencies } = scenario;
  console.log(
    `${scenario.uploads} uploads at once; ECS launch limits ${limits.burst} burst, ${limits.ratePerSecond}/s; ` +
      `cap ${scenario.maxRunningTasks} running tasks; every task PENDING ${s(scenario.pendingMs)} then RUNNING ${s(scenario.runMs)}`,
  );
  console.log(
    `dispatcher: ${scenario.maxConcurrency} concurrent invocations, batches of ${scenario.batchSize}, ` +
      `visibility timeout ${s(6 * scenario.dispatcherTimeoutMs)}, DLQ after ${scenario.maxReceiveCount} receives; ` +
      `latencies: DynamoDB ${latencies.dynamoDbMs} ms, RunTask ${latencies.runTaskMs} ms, EventBridge ${latencies.eventMs} ms; sweeper every ${s(scenario.sweepIntervalMs)}`,
  );
  const ratio = result.lastLaunchMs / result.floorMs;
  const h = result.histories;
  const lastRecorded = (h.launchesRecordedMs.at(-1) ?? EPOCH_MS) - EPOCH_MS;
  const rows: Array<[string, string, string]> = [
    ["", "measured", "floor / goal"],
    [
      `time to launch #${h.launchesMs.length} (ECS createdAt)`,
      s(result.lastLaunchMs),
      `${s(result.floorMs)} (ratio ${ratio.toFixed(3)}, goal <= ${RATIO_GOAL}: ${verdict(ratio, h.maxRunning <= scenario.maxRunningTasks)})`,
    ],
    ["  its TaskLaunched recorded", s(lastRecorded), ""],
    ["all jobs ended", result.finished ? s(result.endMs) : `NOT by ${s(result.endMs)}`, ""],
    ...burstChecks(result).map((c): [string, string, string] => [
      c.name,
      c.value,
      `${c.want}${c.ok ? "" : "   <-- FAILED CHECK"}`,
    ]),
    ["RunTask calls / throttled (ECS)", `${result.ecs.runTaskCalls} / ${result.ecs.throttled}`, ""],
    ["throttled launches (histories)", String(h.throttledLaunches), ""],
    ["jobs that waited in line", String(h.waited), ""],
    [
      "dispatcher invocations / record failures",
      `${result.dispatcher.invocations} / ${result.dispatcher.recordFailures}`,
      "",
    ],
    [
      "longest invocation / over the timeout",
      `${s(result.dispatcher.longestInvocationMs)} / ${result.dispatcher.overTimeout}`,
      `timeout ${s(scenario.dispatcherTimeoutMs)}`,
    ],
    ["messages dead-lettered", String(result.deadLetters), ""],
    [
      "task events retried / undelivered",
      `${result.ecs.eventDeliveryFailures} / ${result.ecs.eventsUndelivered}`,
      "",
    ],
    [
      "sweeper runs / actions",
      `${result.sweeps.runs} / ${
        Object.entries(result.sweeps.actions)
          .filter(([, n]) => n > 0)
          .map(([a, n]) => `${a} ${n}`)
          .join(", ") || "none"
      }`,
      "",
    ],
    ["real time / virtual steps", `${realSeconds.toFixed(1)} s / ${result.virtualSteps}`, ""],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  const width2 = Math.max(...rows.map((r) => r[1].length));
  for (const [label, value, note] of rows)
    console.log(`  ${label.padEnd(width)}  ${value.padStart(width2)}  ${note}`.trimEnd());
  console.log(`  DynamoDB calls (jobs table, slots, launch rate): ${describeCalls(result.dynamoDbCalls)}`);
  const plane = capacityPlaneRequests(result.dynamoDbCalls);
  const per = (n: number) => (n / scenario.uploads).toFixed(2);
  console.log(
    `  capacity plane, DynamoDB requests per job as the DynamoDB adapters make them: ${per(plane.total)} ` +
      `(slot reads ${per(plane.slotReads)}, slot updates ${per(plane.slotUpdates)}, launch-rate updates >= ${per(plane.rate)})`,
  );
  requireChecks(name, [
    ...burstChecks(result),
    { name: "all jobs ended", ok: result.finished, value: s(result.endMs) },
  ]);
}

/**
 * The capacity plane's DynamoDB requests (jobs/adapters/aws/dynamodb-slots.ts, dynamodb-launch-rate.ts): every take,
 * release and restore reads the shards once (one BatchGetItem up to 100 shards); a take that took, a release,
 * a give-back and a restore update one shard; a reservation is one conditional update when the bucket is
 * busy, as in a burst (two from idle). Lost races, which the in-memory pool does not have, are not counted.
 */
export function capacityPlaneRequests(calls: ReadonlyMap<string, number>): {
  slotReads: number;
  slotUpdates: number;
  rate: number;
  total: number;
} {
  const n = (key: string) => calls.get(key) ?? 0;
  const slotReads = n("acquire") + n("release") + n("restore") + n("holders");
  const slotUpdates = n("acquire taken") + n("release") + n("giveBack") + n("restore");
  const rate = n("reserve") + n("slowDown");
  return { slotReads, slotUpdates, rate, total: slotReads + slotUpdates + rate };
}

/** "get 100, append 90 (ConcurrencyConflictError 2), ..." */
function describeCalls(calls: ReadonlyMap<string, number>): string {
  return [...calls]
    .filter(([key]) => !key.includes(" "))
    .map(([method, n]) => {
      const errors = [...calls]
        .filter(([key]) => key.startsWith(`${method} `))
        .map(([key, count]) => `${key.slice(method.length + 1)} ${count}`);
      return `${method} ${n}${errors.length > 0 ? ` (${errors.join(", ")})` : ""}`;
    })
    .join(", ");
}
