// Why this is tested: as first written, `jobs show` of a WAITING job beyond the first LINE_READ_LIMIT (10,000) waiting jobs says "the index
// has not caught up with this job yet" (cli/commands/show.ts describePlace), while the line was only cut
// short: waiting-line.ts says "past it, a place reads 'beyond'". In a big burst (the burst bench's 2,000 is
// a fifth of it; a cap of 100 and 20,000 uploads) every later job's `show` gives a false reason.

import { expect, it } from "vitest";
import type { AwsConnections } from "../../cli/aws";
import { showCommand } from "../../cli/commands/show";
import { commandContext } from "../../cli/context";
import { painter } from "../../cli/format";
import { MemoryJobStore } from "../../jobs/adapters/memory/memory-store";
import { LINE_READ_LIMIT } from "../../jobs/capacity/waiting-line";
import { DEFAULT_DEADLINES } from "../../jobs/model/deadlines";
import type { JobEvent } from "../../jobs/model/events";
import { foldEvents } from "../../jobs/model/state";

it("show says a waiting job is beyond the jobs read, not that the index lags", async () => {
  const store = new MemoryJobStore();
  const t0 = Date.parse("2026-11-30T00:00:00.000Z");
  const count = LINE_READ_LIMIT + 1;
  for (let i = 0; i < count; i++) {
    const jobId = `w-${String(i).padStart(5, "0")}`;
    const at = new Date(t0 + i).toISOString();
    const events: JobEvent[] = [
      {
        type: "JobSubmitted",
        at,
        jobId,
        input: { videoUrl: `s3://u/${jobId}.mp4` },
        source: { kind: "message" },
      },
      { type: "JobWaiting", at, attempt: 1, reason: "no running-task slot is free" },
    ];
    await store.append(jobId, 0, events, foldEvents(jobId, events));
  }
  let out = "";
  const io = {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: () => true },
    env: {},
    cwd: process.cwd(),
    now: () => new Date(t0 + 60_000),
    sleep: async () => {},
  };
  const aws = { store: () => store, close: () => {} } as unknown as AwsConnections;
  const config = {
    endpoints: {},
    uploadPrefix: "uploads/",
    outputPrefix: "outputs/",
    logStreamPrefix: "worker",
    containerName: "worker",
    retentionDays: 30,
    deadlines: DEFAULT_DEADLINES,
    local: false,
  };
  const ctx = commandContext(io, config, aws, false, painter(false), { program: "jobs", flags: [] });
  expect(await showCommand(ctx, `w-${String(count - 1).padStart(5, "0")}`)).toBe(0);
  const inLine = out.split("\n").find((l) => l.includes("in line")) ?? "";
  expect(inLine).toContain("10000+ waiting");
  expect(inLine).not.toContain("index has not caught up");
}, 120_000);
