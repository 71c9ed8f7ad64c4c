// What people see at 80 columns (output not a terminal, so the default width): `list` and `show` as
// snapshots over realistic histories with a fixed clock, Unicode and long inputs included; and the
// pieces of the layout (widths of CJK text, path shortening, cutting between words) one by one.

import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { displayWidth, painter, renderTable, shortenPath, truncateWords } from "../../cli/format";
import { DynamoDbJobStore } from "../../jobs/adapters/aws/dynamodb-store";
import { type LocalDynamoDb, startLocalDynamoDb } from "../support/dynamodb";
import { JobDriver, seed } from "../support/histories";
import { dynamoEnv, jobs, NOW } from "./support/run";

const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);
const UNICODE_INPUT =
  "s3://uploads-bucket/uploads/cli/6f1c2b9e-3d7a-4c55-9a08-1b2c3d4e5f60/café 日本.mp4.upload";
const LONG_INPUT =
  "s3://uploads-bucket/uploads/customers/acme-broadcasting/2026/11/raw-footage/evening-news-segment-final-v3.mov";

let db: LocalDynamoDb;
let env: Record<string, string>;
// A running job's progress is read from its worker's log: the running retry's log says it is analysing.
const logs = mockClient(CloudWatchLogsClient);
logs.on(GetLogEventsCommand).resolves({
  events: [
    {
      timestamp: Date.parse("2026-11-26T11:59:30.000Z"),
      message: JSON.stringify({ msg: "step started", step: "analyse", stepNumber: 4, steps: 5 }),
    },
  ],
  nextForwardToken: "f/1",
});

beforeAll(async () => {
  db = await startLocalDynamoDb();
  const table = await db.createTable("layout");
  const store = new DynamoDbJobStore(db.client, { tableName: table, retentionDays: 0 });
  await seed(store, "job-ok", "success", minutesAgo(60));
  await seed(store, "job-oom", "out-of-memory", minutesAgo(180));
  await seed(store, "job-pull", "failed-to-start", minutesAgo(240));
  await seed(store, "rej-message", "rejected", minutesAgo(360));

  // A retry running: attempt 1 failed (exit 1), attempt 2 is running now.
  const retrying = new JobDriver(store, "job-retry-running", minutesAgo(10));
  await retrying.submit(0, { videoUrl: LONG_INPUT, videoId: "news-42" });
  await retrying.launched(2, 1);
  await retrying.running(3, 1);
  await retrying.stopped(3, 1, { exitCode: 1, containerReason: "network timeout reading the input" }, 30);
  await retrying.relaunch(70, 2);
  await retrying.launched(71, 2);
  await retrying.running(72, 2);

  const unicode = new JobDriver(store, "msg-4f0e2a9d8c7b6a5f4e3d2c1b0a9f8e7d", minutesAgo(5));
  await unicode.submit(0, { videoUrl: UNICODE_INPUT });
  await unicode.launched(2, 1);
  await unicode.running(3, 1);
  await unicode.stopped(3, 1, { exitCode: 0 }, 40);

  // Recorded out of time order: the task-state handler's TaskRunning (at +9 s) was written after the
  // dispatcher's TaskLaunched (at +30 s): a write retried after a conflict keeps its decision's time.
  const late = new JobDriver(store, "job-late-launch", minutesAgo(30));
  await late.submit(0, { videoUrl: "s3://uploads-bucket/uploads/late.mp4" });
  await late.launched(30, 1);
  await late.running(-10, 1);

  env = {
    ...dynamoEnv(db.endpoint, table),
    UPLOADS_BUCKET: "uploads-bucket",
    JOBS_LOG_GROUP: "/ecs/video-jobs-dev-worker",
  };
});
afterAll(async () => {
  await db?.stop();
});

const widest = (text: string) => Math.max(...text.split("\n").map(displayWidth));

describe("at 80 columns", () => {
  it("list fits, keeps file names whole, and a running retry shows no previous error", async () => {
    const result = await jobs(["list"], { env });
    expect(result.code).toBe(0);
    expect(widest(result.stdout)).toBeLessThanOrEqual(80);
    // By the name it was uploaded with: not the ".upload" key submit gives it.
    expect(result.stdout).toContain("café 日本.mp4 ");
    expect(result.stdout).not.toContain(".upload");
    // A name longer than the column is cut in its middle, its extension kept.
    expect(result.stdout).toMatch(/ evening-ne\S*…\S*-v3\.mov /);
    expect(result.stdout).toContain(" job-ok.mp4 ");
    // A reason that starts like another is not cut to the same few words: it wraps under itself.
    expect(result.stdout).toMatch(/ran out of memory at\n\s+8192 MiB/);
    const retry = result.stdout.split("\n").find((l) => l.startsWith("job-retry-r"));
    expect(retry).toMatch(/RUNNING\s+evening-ne\S+\s+10m 00s$/);
    expect(retry).not.toContain("exit");
    expect(result.stdout).toMatchSnapshot();
  });

  it("list -o wide shows every column at full width", async () => {
    const result = await jobs(["list", "-o", "wide"], { env });
    expect(result.stdout).toMatch(/^ID\s+STATUS\s+ATTEMPT\s+INPUT\s+AGE\s+DURATION\s+REASON$/m);
    expect(result.stdout).toContain(LONG_INPUT);
    expect(result.stdout).toContain("msg-4f0e2a9d8c7b6a5f4e3d2c1b0a9f8e7d");
    expect(widest(result.stdout)).toBeGreaterThan(80);
  });

  it("show fits its tables, and prints the outputs and the logs command", async () => {
    const result = await jobs(["show", "job-oom"], { env });
    expect(result.code).toBe(0);
    // Commands to copy are printed whole; everything else fits.
    const tableLines = result.stdout.split("\n").filter((l) => !l.includes("video-jobs "));
    expect(Math.max(...tableLines.map(displayWidth))).toBeLessThanOrEqual(80);
    expect(result.stdout).toMatchSnapshot();
  });

  it("show of a running retry: its reason is not the previous attempt's error; per-attempt durations", async () => {
    const result = await jobs(["show", "job-retry-running"], { env });
    expect(result.stdout).not.toMatch(/^ {2}reason/m);
    expect(result.stdout).toMatchSnapshot();
  });

  it("show takes back an id as list shortened it, its ellipsis included", async () => {
    const listed = await jobs(["list"], { env });
    const cut = listed.stdout
      .split("\n")
      .find((l) => l.startsWith("msg-4f0e"))
      ?.split(" ")[0];
    expect(cut).toMatch(/^msg-4f0e\S*…$/);
    const shown = await jobs(["show", cut ?? ""], { env });
    expect(shown.stderr).toBe("");
    expect(shown.stdout).toMatch(/^Job msg-4f0e2a9d8c7b6a5f4e3d2c1b0a9f8e7d {2}SUCCEEDED/);
    expect((await jobs(["show", "msg-4f0e..."], { env })).code).toBe(0);
  });

  it("show of a Unicode input keeps the name", async () => {
    const result = await jobs(["show", "msg-4f0e"], { env });
    expect(result.code).toBe(0);
    // By its name, then its URL whole (to be copied).
    expect(result.stdout).toContain("  input      café 日本.mp4\n");
    expect(result.stdout).toContain(`  url        ${UNICODE_INPUT}`);
    expect(result.stdout).toMatchSnapshot();
  });

  it("show and watch print events in time order, whatever order they were recorded in", async () => {
    const types = (out: string) =>
      out.split("\n").flatMap((l) => /\s(Task\w+|Job\w+)(\s|$)/.exec(l)?.[1] ?? []);
    const expected = ["JobSubmitted", "TaskLaunchRequested", "TaskRunning", "TaskLaunched"];
    const shown = await jobs(["show", "job-late-launch"], { env });
    expect(shown.stderr).toBe("");
    expect(types(shown.stdout)).toEqual(expected);
    const watched = await jobs(["watch", "job-late-launch", "--timeout", "1"], {
      env,
      sleep: async () => {
        await new Promise((resolve) => setTimeout(resolve, 0));
      },
      now: (() => {
        let t = NOW.getTime();
        return () => {
          t += 1000;
          return new Date(t);
        };
      })(),
    });
    expect(watched.code).toBe(4);
    expect(types(watched.stdout)).toEqual(expected);
  });

  it("follows the terminal's width when it is one", async () => {
    const result = await jobs(["list", "--no-color"], { env, tty: true, columns: 120 });
    expect(widest(result.stdout)).toBeLessThanOrEqual(120);
    expect(widest(result.stdout)).toBeGreaterThan(80);
  });
});

describe("layout pieces", () => {
  it("measures CJK characters as two columns and accents as none", () => {
    expect(displayWidth("日本")).toBe(4);
    expect(displayWidth("cafe\u0301")).toBe(4);
    expect(displayWidth("café 日本.mp4")).toBe(13);
  });

  it("shortens a path in its middle, keeping the file name and the start", () => {
    expect(shortenPath(LONG_INPUT, 60)).toBe("s3://uploads-bucket/…/evening-news-segment-final-v3.mov");
    expect(displayWidth(shortenPath(UNICODE_INPUT, 40))).toBeLessThanOrEqual(40);
    expect(shortenPath(UNICODE_INPUT, 40)).toMatch(/…\/café 日本\.mp4\.upload$/);
    expect(shortenPath("https://media.example.com/in/talk.mov?sig=abcdefghijklmnop", 40)).toBe(
      "https://media.example.com/in/talk.mov?…",
    );
    // A file name longer than the room is cut in its middle, its extension kept.
    const name = shortenPath("s3://b/a-very-long-file-name-of-a-video-recording.mp4", 24);
    expect(name).toMatch(/^a-very-long.*….*\.mp4$/);
    expect(displayWidth(name)).toBeLessThanOrEqual(24);
  });

  it("cuts sentences between words, never inside a CJK character", () => {
    expect(truncateWords("failed after 3 attempts; last: OutOfMemory: the worker ran out", 32)).toBe(
      "failed after 3 attempts; last…",
    );
    const cut = truncateWords("入力ファイルが見つかりません", 9);
    expect(displayWidth(cut)).toBeLessThanOrEqual(9);
    expect(cut.endsWith("…")).toBe(true);
  });

  it("drops optional columns before it cuts below the minimum widths", () => {
    const rows = [{ a: "x".repeat(30), b: "y".repeat(30), c: "z" }];
    const columns = [
      { header: "A", value: (r: (typeof rows)[0]) => r.a, shrink: truncateWords, min: 10 },
      { header: "B", value: (r: (typeof rows)[0]) => r.b, optional: true },
      { header: "C", value: (r: (typeof rows)[0]) => r.c },
    ];
    const narrow = renderTable(rows, columns, painter(false), { width: 20 });
    expect(narrow.split("\n")[0]).toMatch(/^A\s+C$/);
    expect(widest(narrow)).toBeLessThanOrEqual(20);
    const wide = renderTable(rows, columns, painter(false));
    expect(wide.split("\n")[0]).toMatch(/^A\s+B\s+C$/);
  });
});
