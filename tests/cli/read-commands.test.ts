// list, show, stats and watch against a real local DynamoDB (dynalite), seeded through the job model with
// realistic histories: success, a retry, out-of-memory kills, tasks that failed to start, bad input, a
// rejected message, a cancellation and a job still running.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoDbJobStore } from "../../jobs/adapters/aws/dynamodb-store";
import type { JobStats } from "../../jobs/insights/stats";
import type { JobEvent } from "../../jobs/model/events";
import type { JobState } from "../../jobs/model/state";
import { type LocalDynamoDb, startLocalDynamoDb } from "../support/dynamodb";
import { JobDriver, type Scenario, seed, taskArnFor, video } from "../support/histories";
import { dynamoEnv, jobs, NOW } from "./support/run";

const hoursAgo = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000);
const LOG_GROUP = "/ecs/video-jobs-dev-worker";

/** The realistic set, newest first by submission. */
const SEEDED: Array<[string, Scenario, Date]> = [
  ["job-running", "running", new Date(NOW.getTime() - 120_000)],
  ["job-ok", "success", hoursAgo(1)],
  ["job-retried", "retried-then-succeeded", hoursAgo(2)],
  ["job-oom", "out-of-memory", hoursAgo(3)],
  ["job-pull", "failed-to-start", hoursAgo(4)],
  ["job-corrupt", "bad-input", hoursAgo(5)],
  ["rej-message", "rejected", hoursAgo(6)],
  ["job-cancelled", "cancelled", hoursAgo(7)],
  ["job-yesterday", "success", hoursAgo(30)], // outside the default window
];

let db: LocalDynamoDb;
let env: Record<string, string>;
let store: DynamoDbJobStore;

beforeAll(async () => {
  db = await startLocalDynamoDb();
  const table = await db.createTable("cli");
  store = new DynamoDbJobStore(db.client, { tableName: table, retentionDays: 0 });
  for (const [jobId, scenario, at] of SEEDED) await seed(store, jobId, scenario, at);
  env = { ...dynamoEnv(db.endpoint, table), JOBS_LOG_GROUP: LOG_GROUP };
});
afterAll(async () => {
  await db?.stop();
});

const ids = (result: { json<T>(): T }) => result.json<{ jobs: JobState[] }>().jobs.map((j) => j.jobId);

describe("jobs list", () => {
  it("prints the jobs submitted in the last 24 hours as a table, newest first", async () => {
    const result = await jobs(["list", "-o", "wide"], { env });
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+STATUS\s+ATTEMPT\s+INPUT\s+AGE\s+DURATION\s+REASON$/);
    expect(lines.slice(1, 9).map((line) => line.split(/\s+/)[0])).toEqual(
      SEEDED.slice(0, 8).map(([id]) => id),
    );
    expect(result.stdout).not.toContain("job-yesterday");
    expect(lines.find((l) => l.startsWith("job-ok "))).toMatch(
      /^job-ok\s+SUCCEEDED\s+1\s+s3:\/\/uploads-bucket\/uploads\/job-ok\.mp4\s+1h 00m\s+1m 25s$/,
    );
    expect(lines.find((l) => l.startsWith("job-running "))).toMatch(/RUNNING\s+1\s+\S+\s+2m 00s\s+2m 00s…/);
    // The reason's meaningful words: the attempts are a column of their own.
    expect(lines.find((l) => l.startsWith("job-oom "))).toMatch(
      /FAILED\s+3 .*\s{2}ran out of memory at 8192 MiB/,
    );
    expect(lines.find((l) => l.startsWith("rej-message "))).toMatch(
      /REJECTED\s+0\s+-\s+6h 00m\s+0s\s+invalid job message/,
    );
    expect(result.stdout).toContain(
      "8 jobs submitted 2026-11-25 12:00:00Z .. 2026-11-26 12:00:00Z, newest first",
    );
    expect(result.stderr).toBe("");
  });

  it("prints JSON with the stored states, the order and the window", async () => {
    const result = await jobs(["list", "--json"], { env });
    expect(result.code).toBe(0);
    const body = result.json<{ jobs: JobState[]; order: string; window: unknown; cursor?: string }>();
    expect(body.order).toBe("submittedAt");
    expect(body.window).toEqual({ from: "2026-11-25T12:00:00.000Z", to: "2026-11-26T12:00:00.000Z" });
    expect(body.cursor).toBeUndefined();
    expect(body.jobs.map((j) => j.jobId)).toEqual(SEEDED.slice(0, 8).map(([id]) => id));
    expect(body.jobs.find((j) => j.jobId === "job-oom")).toMatchObject({
      status: "FAILED",
      attempt: 3,
      exitCode: 137,
      input: video("job-oom"),
    });
  });

  it("lists the jobs of several statuses, most recently changed first, case and commas forgiven", async () => {
    const failed = await jobs(["list", "--status", "FAILED", "--status", "cancelled", "--json"], { env });
    expect(ids(failed)).toEqual(["job-oom", "job-pull", "job-corrupt", "job-cancelled"]);
    expect(failed.json()).toMatchObject({ order: "updatedAt", statuses: ["FAILED", "CANCELLED"] });
    const variadic = await jobs(["list", "--status", "FAILED", "CANCELLED", "--json"], { env });
    expect(ids(variadic)).toEqual(ids(failed));
    const commas = await jobs(["list", "--status", "failed,timed-out,CANCELLED", "--json"], { env });
    expect(ids(commas)).toEqual(ids(failed));
  });

  it("without a window, a status listing covers all time", async () => {
    const result = await jobs(["list", "--status", "SUCCEEDED", "--json"], { env });
    expect(ids(result)).toEqual(["job-ok", "job-retried", "job-yesterday"]);
  });

  it("filters a status listing on the time of the last change", async () => {
    // job-oom finished 2h55m ago, job-pull 3h57m ago, job-corrupt 4h59m ago.
    const result = await jobs(["list", "--status", "FAILED", "--since", "4h", "--json"], { env });
    expect(ids(result)).toEqual(["job-oom", "job-pull"]);
    const human = await jobs(["list", "--status", "FAILED", "--since", "4h"], { env });
    expect(human.stdout).toContain("2 jobs in FAILED, changed 2026-11-26 08:00:00Z .. 2026-11-26 12:00:00Z");
  });

  it("lists a window of submissions given by dates and times", async () => {
    const yesterday = await jobs(["list", "--since", "2026-11-25", "--until", "2026-11-25", "--json"], {
      env,
    });
    expect(ids(yesterday)).toEqual(["job-yesterday"]);
    const morning = await jobs(
      ["list", "--since", "2026-11-26T06:30Z", "--until", "2026-11-26T09:30", "--json"],
      {
        env,
      },
    );
    expect(ids(morning)).toEqual(["job-oom", "job-pull", "job-corrupt"]);
    const week = await jobs(["list", "--since", "7d", "--json"], { env });
    expect(ids(week)).toHaveLength(9);
  });

  it("says so when nothing matches, and how to widen the default window", async () => {
    const result = await jobs(["list", "--until", "2026-11-01"], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("no jobs submitted 2026-10-31 23:59:59Z .. 2026-11-01 23:59:59Z");
    const none = await jobs(["list", "--status", "TIMED_OUT"], { env });
    expect(none.stdout).toBe("no jobs in TIMED_OUT\n");
  });

  it("refuses an unknown status and invalid time windows with usage errors (exit 2)", async () => {
    const status = await jobs(["list", "--status", "DONE"], { env });
    expect(status.code).toBe(2);
    expect(status.stderr).toContain('error: unknown status "DONE"');
    expect(status.stderr).toContain("fix: use one of SUBMITTED, WAITING, LAUNCHING");

    const inverted = await jobs(["list", "--since", "1h", "--until", "2h"], { env });
    expect(inverted.code).toBe(2);
    expect(inverted.stderr).toMatch(/error: invalid time window: --since \(.*\) is after --until/);

    const garbled = await jobs(["list", "--since", "last tuesday"], { env });
    expect(garbled.code).toBe(2);
    expect(garbled.stderr).toContain('error: invalid time for --since: "last tuesday"');
    expect(garbled.stderr).toContain("fix: use a duration back from now (30m, 2h, 7d, 1w)");

    const tooLong = await jobs(["list", "--since", "2024-01-01"], { env });
    expect(tooLong.code).toBe(2);
    expect(tooLong.stderr).toMatch(/invalid time window: \d+ days is longer than 400 days/);

    const limit = await jobs(["list", "--limit", "none"], { env });
    expect(limit.code).toBe(2);
    expect(limit.stderr).toContain("argument 'none' is invalid");
  });
});

describe("jobs list: pagination", () => {
  let pagedEnv: Record<string, string>;
  const COUNT = 27;
  beforeAll(async () => {
    const table = await db.createTable("paged");
    const paged = new DynamoDbJobStore(db.client, { tableName: table, retentionDays: 0 });
    // Submitted every 50 minutes back from now, across two UTC days (the index's partitions).
    for (let i = 0; i < COUNT; i++) {
      const job = new JobDriver(
        paged,
        `p${String(i).padStart(2, "0")}`,
        new Date(NOW.getTime() - (i + 1) * 50 * 60_000),
      );
      await job.submit(0, video(job.jobId));
      if (i % 2 === 0) await job.apply(30, { type: "TimeOut", reason: "ran past the job timeout" });
      else await job.apply(30, { type: "Cancel", reason: "not needed" });
    }
    pagedEnv = { ...dynamoEnv(db.endpoint, table) };
  });

  async function follow(args: string[]): Promise<{ pages: string[][]; hints: number }> {
    const pages: string[][] = [];
    let cursor: string | undefined;
    let hints = 0;
    do {
      const result = await jobs(["list", ...args, "--json", ...(cursor ? ["--cursor", cursor] : [])], {
        env: pagedEnv,
      });
      expect(result.code).toBe(0);
      const body = result.json<{ jobs: JobState[]; cursor?: string }>();
      pages.push(body.jobs.map((j) => j.jobId));
      cursor = body.cursor;
      if (cursor) hints++;
    } while (cursor !== undefined && pages.length < 20);
    return { pages, hints };
  }

  const expected = Array.from({ length: COUNT }, (_, i) => `p${String(i).padStart(2, "0")}`);

  it("pages through submissions over several index pages and days, each job once", async () => {
    const { pages } = await follow(["--since", "2d", "--limit", "7", "--page-size", "3"]);
    expect(pages.map((p) => p.length)).toEqual([7, 7, 7, 6]);
    expect(pages.flat()).toEqual(expected);
  });

  it("pages through two statuses merged, each job once", async () => {
    const { pages } = await follow([
      "--status",
      "TIMED_OUT",
      "--status",
      "CANCELLED",
      "--limit",
      "10",
      "--page-size",
      "4",
    ]);
    expect(pages.map((p) => p.length)).toEqual([10, 10, 7]);
    expect(pages.flat()).toEqual(expected);
  });

  it("fills --limit from as many store pages as it takes, and prints how to go on", async () => {
    const result = await jobs(["list", "--since", "2d", "--limit", "20", "--page-size", "6"], {
      env: pagedEnv,
    });
    expect(
      result.stdout
        .trimEnd()
        .split("\n")
        .filter((l) => /^p\d\d /.test(l)),
    ).toHaveLength(20);
    const hint = /more jobs: run the same command with --cursor (\S+)/.exec(result.stdout);
    expect(hint).not.toBeNull();
    const rest = await jobs(["list", "--since", "2d", "--cursor", hint?.[1] as string, "--json"], {
      env: pagedEnv,
    });
    expect(ids(rest)).toEqual(expected.slice(20));
  });

  it("a cursor keeps its window when the clock moves on", async () => {
    const first = await jobs(["list", "--limit", "5", "--json"], { env: pagedEnv });
    const later = () => new Date(NOW.getTime() + 3 * 3_600_000);
    const second = await jobs(
      ["list", "--limit", "100", "--json", "--cursor", first.json<{ cursor: string }>().cursor],
      {
        env: pagedEnv,
        now: later,
      },
    );
    // The 24-hour window of the first page: p00 (50 min ago) .. p27 would be 23h20m ago.
    expect([...ids(first), ...ids(second)]).toEqual(expected.filter((_, i) => (i + 1) * 50 <= 24 * 60));
  });

  it("refuses a cursor of another listing", async () => {
    const first = await jobs(["list", "--limit", "5", "--json"], { env: pagedEnv });
    const result = await jobs(
      ["list", "--status", "FAILED", "--cursor", first.json<{ cursor: string }>().cursor],
      {
        env: pagedEnv,
      },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("error: invalid --cursor");
  });
});

describe("jobs show", () => {
  it("prints the whole history as a timeline with offsets, attempts, tasks, exit and stop codes", async () => {
    const result = await jobs(["show", "job-oom", "-o", "wide"], { env });
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/^Job job-oom {2}FAILED\n/);
    expect(out).toContain("  input      job-oom.mp4\n  url        s3://uploads-bucket/uploads/job-oom.mp4");
    expect(out).toContain("  submitted  2026-11-26 09:00:00Z (3h 00m ago)");
    // Counted from the attempts: all three failed (the third ended the job, so no retry budget counted it).
    expect(out).toContain("  attempt    3 launched; 3 failed\n");
    // Each attempt that ran out of memory was retried bigger, up to maxWorkerMemoryMb (8192 MiB in the tests).
    expect(out).toMatch(
      /reason {5}ran out of memory at 8192 MiB \(1 vCPU 8 GiB\), the most maxWorkerMemoryMb allows; raise maxWorkerMemoryMb/,
    );
    expect(out).toMatch(/TIME\s+OFFSET\s+ATTEMPT\s+EVENT\s+TASK\s+DETAILS/);
    const task1 = taskArnFor("job-oom", 1);
    const taskId1 = task1.slice(task1.lastIndexOf("/") + 1);
    expect(out).toMatch(
      /2026-11-26 09:00:00Z\s+\+0s\s+JobSubmitted\s+s3:\/\/uploads-bucket\/uploads\/job-oom\.mp4 via message m-job-oom/,
    );
    expect(out).toContain(`+2s        1  TaskLaunched         ${taskId1}  ${task1}`);
    expect(out).toMatch(
      new RegExp(
        `\\+45s\\s+1\\s+TaskStopped\\s+${taskId1}\\s+exit 137; EssentialContainerExited; Essential container in task exited; OutOfMemoryError: Container killed due to memory usage; -> out-of-memory`,
      ),
    );
    expect(out).toMatch(
      /\+45s\s+2\s+RetryScheduled\s+at once: OutOfMemory.*retried with 1 vCPU 4 GiB \(was 1 vCPU 2 GiB\)/,
    );
    expect(out).toMatch(
      /\+2m 01s\s+2\s+TaskLaunchRequested\s+RunTask client token job-oom\.2 · 1 vCPU 4 GiB · On-Demand/,
    );
    expect(out).toMatch(/\+4m 45s\s+JobFailed\s+ran out of memory at 8192 MiB/);
    expect(out).toContain(
      [
        "  attempt 1 · 1 vCPU 2 GiB · On-Demand",
        "  attempt 2 · 1 vCPU 4 GiB · On-Demand (bigger: attempt 1 ran out of memory)",
        "  attempt 3 · 1 vCPU 8 GiB · On-Demand (bigger: attempt 2 ran out of memory)",
      ].join("\n"),
    );
    expect(out).toContain(
      "  queued 3s   provisioning 24s   image pull 24s   running 1m 00s   total 4m 45s\n",
    );
    expect(out).toMatch(/#\s+TASK\s+PROVISIONING\s+IMAGE PULL\s+RUNNING\s+EXIT\s+OUTCOME/);
    expect(out).toMatch(
      new RegExp(`1\\s+${taskId1}\\s+8s\\s+8s\\s+20s\\s+137\\s+out-of-memory: OutOfMemory`),
    );
    expect(out).toContain(`  task 1: ${task1}`);
    expect(out).toContain(
      `  attempt 1: aws logs tail ${LOG_GROUP} --log-stream-names worker/worker/${taskId1} --since 2026-11-26T09:00:03Z --region us-east-1`,
    );
    expect(out).toContain("  attempt 3: aws logs tail");
  });

  it("shows a task that failed to start, a rejection and a cancellation with their reasons", async () => {
    const pull = await jobs(["show", "job-pull", "-o", "wide"], { env });
    expect(pull.stdout).toMatch(
      /TaskStopped\s+\S+\s+no exit code; TaskFailedToStart; CannotPullContainerError: .* -> infrastructure/,
    );
    expect(pull.stdout).toMatch(/RetryScheduled\s+in 10s: TaskFailedToStart: .*\(does not use an attempt\)/);
    expect(pull.stdout).toContain(
      "3 launched; 3 failed; 2 relaunched after an infrastructure failure (not counted against maxAttempts)",
    );
    expect(pull.stdout).not.toContain("0 failed");
    expect(pull.stdout).toMatch(/JobFailed\s+gave up after 2 infrastructure retries/);

    const rejected = await jobs(["show", "rej-message", "-o", "wide"], { env });
    expect(rejected.stdout).toMatch(
      /JobRejected\s+invalid job message: .*raw input "\{\\"videoUrl\\":\\"ftp:/,
    );
    expect(rejected.stdout).not.toContain("Logs");

    const cancelled = await jobs(["show", "job-cancelled", "-o", "wide"], { env });
    expect(cancelled.stdout).toMatch(/\+40s\s+JobCancelled\s+cancelled by hand \(jobs cancel, user ana\)/);
  });

  it("follows the logs of a job still running, and measures it so far", async () => {
    const result = await jobs(["show", "job-running", "-o", "wide"], { env });
    expect(result.stdout).toContain("running 1m 39s   total 2m 00s (so far)");
    expect(result.stdout).toContain("  video-jobs logs job-running -f\n");
    expect(result.stdout).toMatch(
      /attempt 1: aws logs tail \S+ --log-stream-names worker\/worker\/\S+ --since \S+ --follow --region us-east-1/,
    );
  });

  it("prints the history, the derived timeline and the log locations as JSON", async () => {
    const result = await jobs(["show", "job-retried", "--json"], { env });
    const body = result.json<{
      job: JobState;
      events: JobEvent[];
      timeline: { durations: Record<string, number>; attempts: Array<{ attempt: number; exitCode: number }> };
      logs: Array<{ attempt: number; logGroup: string; logStream: string; command: string }>;
    }>();
    expect(body.job).toMatchObject({ jobId: "job-retried", status: "SUCCEEDED", attempt: 2 });
    expect(body.events.map((e) => e.type)).toEqual([
      "JobSubmitted",
      "TaskLaunchRequested",
      "TaskLaunched",
      "TaskRunning",
      "TaskStopped",
      "RetryScheduled",
      "TaskLaunchRequested",
      "TaskLaunched",
      "TaskRunning",
      "TaskStopped",
      "JobSucceeded",
    ]);
    expect(body.timeline.durations).toMatchObject({ queued: 3000, running: 75_000 });
    expect(body.timeline.attempts.map((a) => [a.attempt, a.exitCode])).toEqual([
      [1, 1],
      [2, 0],
    ]);
    const task2 = taskArnFor("job-retried", 2);
    expect(body.logs[1]).toEqual({
      attempt: 2,
      taskArn: task2,
      logGroup: LOG_GROUP,
      logStream: `worker/worker/${task2.slice(task2.lastIndexOf("/") + 1)}`,
      command: expect.stringMatching(
        /^aws logs tail \/ecs\/video-jobs-dev-worker --log-stream-names worker\/worker\//,
      ),
    });
  });

  it("uses the configured stream prefix and container, and says when the log group is unknown", async () => {
    const { JOBS_LOG_GROUP: _, ...withoutGroup } = env;
    const result = await jobs(["show", "job-ok", "-o", "wide"], {
      env: { ...withoutGroup, JOBS_LOG_STREAM_PREFIX: "video", WORKER_CONTAINER_NAME: "transcoder" },
    });
    expect(result.stdout).toMatch(
      /aws logs tail '<worker log group>' --log-stream-names video\/transcoder\//,
    );
    expect(result.stdout).toContain(
      "worker log group unknown: pass --log-group, set JOBS_LOG_GROUP or use --stack",
    );
  });

  it("fails on an unknown job id with the fix (exit 1)", async () => {
    const result = await jobs(["show", "no-such-job"], { env });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      'error: no job with id "no-such-job" in table "cli-1", nor one submitted in the last 30 days whose id starts with it\n' +
        "  fix: list recent jobs with `video-jobs list` (or `video-jobs list --since 7d`); an older job needs its whole id; check --table / JOBS_TABLE\n",
    );
    const json = await jobs(["show", "no-such-job", "--json"], { env });
    expect(JSON.parse(json.stderr)).toEqual({
      error:
        'no job with id "no-such-job" in table "cli-1", nor one submitted in the last 30 days whose id starts with it',
      hint: expect.stringContaining("jobs list"),
    });
  });
});

describe("jobs stats", () => {
  it("prints counts, success rate, attempts and p50/p95 of queue wait and run time", async () => {
    const result = await jobs(["stats"], { env });
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toContain("Jobs submitted 2026-11-25 12:00:00Z .. 2026-11-26 12:00:00Z: 8");
    expect(out).toMatch(/status\s+RUNNING 1 {3}SUCCEEDED 2 {3}FAILED 3 {3}CANCELLED 1 {3}REJECTED 1/);
    expect(out).toContain("success rate  40.0% of 5 that ran to an outcome");
    expect(out).toMatch(
      /attempts\/job\s+mean 1\.71\s+p50 1\s+p95 3\s+max 3\s+\(1: 4 jobs, 2: 1 job, 3: 2 jobs\)/,
    );
    expect(out).toMatch(/queue wait\s+3s\s+3s\s+3s\s+7/);
    // Run times (summed per job): corrupt 4 s, OOM 60 s, ok 60 s, retried 75 s.
    expect(out).toMatch(/run time\s+1m 00s\s+1m 15s\s+1m 15s\s+4/);
  });

  it("prints the statistics as JSON, over the window asked for", async () => {
    const result = await jobs(["stats", "--since", "210m", "--json"], { env });
    const body = result.json<JobStats & { window: unknown; truncated?: boolean }>();
    expect(body.window).toEqual({ from: "2026-11-26T08:30:00.000Z", to: "2026-11-26T12:00:00.000Z" });
    expect(body.jobs).toBe(4);
    expect(body.byStatus).toMatchObject({ RUNNING: 1, SUCCEEDED: 2, FAILED: 1 });
    expect(body.successRate).toBeCloseTo(2 / 3);
    expect(body.queueWait).toMatchObject({ count: 4, p50: 3000, p95: 3000 });
    expect(body.runTime).toMatchObject({ count: 3, p50: 60_000, p95: 75_000 });
    expect(body.truncated).toBeUndefined();
  });

  it("says when it examined only the newest --limit jobs", async () => {
    const result = await jobs(["stats", "--limit", "3", "--json"], { env });
    expect(result.json()).toMatchObject({ jobs: 3, truncated: true, limit: 3 });
    const human = await jobs(["stats", "--limit", "3"], { env });
    expect(human.stdout).toContain("(the newest 3 only: raise --limit)");
  });

  it("refuses an invalid window (exit 2)", async () => {
    const result = await jobs(["stats", "--since", "soon"], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('invalid time for --since: "soon"');
  });
});

describe("jobs watch", () => {
  it("prints events as they are recorded until the job succeeds (exit 0)", async () => {
    const job = new JobDriver(store, "watched", new Date(NOW.getTime() - 60_000));
    await job.submit(0, video("watched"));
    const steps = [
      () => job.launched(2, 1),
      () => job.running(3, 1),
      () => job.stopped(3, 1, { exitCode: 0 }, 20),
    ];
    let sleeps = 0;
    const result = await jobs(["watch", "watched", "--interval", "2", "-o", "wide"], {
      env,
      sleep: async (ms) => {
        expect(ms).toBe(2000);
        sleeps++;
        await steps.shift()?.();
      },
    });
    expect(result.code).toBe(0);
    expect(sleeps).toBe(3);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^TIME\s+OFFSET\s+ATTEMPT\s+EVENT/);
    expect(lines.slice(1).map((l) => /\s(Job\w+|Task\w+)(\s|$)/.exec(l)?.[1])).toEqual([
      "JobSubmitted",
      "TaskLaunchRequested",
      "TaskLaunched",
      "TaskRunning",
      "TaskStopped",
      "JobSucceeded",
      undefined,
    ]);
    expect(lines.at(-1)).toBe("job watched SUCCEEDED after 45s");
  });

  it("exits 3 when the job ends without success, and prints JSON lines with --json", async () => {
    const result = await jobs(["watch", "job-corrupt", "--json"], { env });
    expect(result.code).toBe(3);
    const lines = result.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.at(-1)).toMatchObject({ job: { jobId: "job-corrupt", status: "FAILED" } });
    expect(lines.slice(0, -1).map((l) => l.event.type)).toContain("TaskStopped");
  });

  it("gives up after --timeout (exit 4), and fails on an unknown job (exit 1)", async () => {
    let clock = NOW.getTime();
    const result = await jobs(["watch", "job-running", "--interval", "5", "--timeout", "12"], {
      env,
      now: () => new Date(clock),
      sleep: async (ms) => {
        clock += ms;
      },
    });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain("error: job job-running is still RUNNING after watching for 15s");
    expect(result.stderr).toContain(
      "fix: watch longer with --timeout, or until it ends with --timeout 0: video-jobs watch job-running",
    );
    const unknown = await jobs(["watch", "nope"], { env });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no job with id "nope"');
  });
});

describe("configuration and AWS errors", () => {
  it("says how to configure the table when none is (exit 2)", async () => {
    const { JOBS_TABLE: _, ...noTable } = env;
    const result = await jobs(["list"], { env: noTable });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "error: no jobs table configured\n" +
        "  fix: pass --table NAME, set JOBS_TABLE, or use --stack NAME (reads the Pulumi stack's outputs) or --local (local mode)\n",
    );
  });

  it("names the table that does not exist and where the name came from (exit 1)", async () => {
    const fromFlag = await jobs(["show", "job-ok", "--table", "jobs-prod"], { env });
    expect(fromFlag.code).toBe(1);
    expect(fromFlag.stderr).toContain(
      `error: table "jobs-prod" not found (region us-east-1, ${db.endpoint}) (from --table)`,
    );
    expect(fromFlag.stderr).toContain("fix: check --table / JOBS_TABLE / --stack, and the region");
    const fromEnv = await jobs(["list"], { env: { ...env, JOBS_TABLE: "jobs-missing" } });
    expect(fromEnv.code).toBe(1);
    expect(fromEnv.stderr).toContain('table "jobs-missing" not found');
    expect(fromEnv.stderr).toContain("(from JOBS_TABLE)");
  });
});

describe("colour", () => {
  it("paints only on a terminal, and never with NO_COLOR or --no-color", async () => {
    const csi = "\u001b[";
    expect((await jobs(["list"], { env, tty: true })).stdout).toContain(`${csi}32mSUCCEEDED`);
    expect((await jobs(["list"], { env, tty: false })).stdout).not.toContain(csi);
    expect((await jobs(["list"], { env: { ...env, NO_COLOR: "1" }, tty: true })).stdout).not.toContain(csi);
    expect((await jobs(["list", "--no-color"], { env, tty: true })).stdout).not.toContain(csi);
    const error = await jobs(["show", "nope"], { env, tty: true });
    expect(error.stderr).toContain(`${csi}1m${csi}31merror:`);
  });
});
