// `jobs replay` against a real local DynamoDB seeded through the job model: the jobs changed since a time,
// their transitions re-published with their original sequence numbers — to the jobs bus (EventBridge
// mocked at the SDK), to a webhook (a real local HTTP server), or printed.

import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DynamoDbJobStore } from "../../jobs/adapters/aws/dynamodb-store";
import type { JobStateChange } from "../../jobs/boundary/outcome-events";
import { type LocalDynamoDb, startLocalDynamoDb } from "../support/dynamodb";
import { seed } from "../support/histories";
import { WebhookReceiver } from "../support/webhook-receiver";
import { dynamoEnv, jobs, NOW } from "./support/run";

const hoursAgo = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000);
const eventBridge = mockClient(EventBridgeClient);
let db: LocalDynamoDb;
let env: Record<string, string>;
let server: Server;
let webhook: string;
const posted: Array<{ id: string; source: string; "detail-type": string; detail: JobStateChange }> = [];

beforeAll(async () => {
  db = await startLocalDynamoDb();
  const table = await db.createTable("replay");
  const store = new DynamoDbJobStore(db.client, { tableName: table, retentionDays: 0 });
  await seed(store, "job-ok", "success", hoursAgo(1));
  await seed(store, "job-oom", "out-of-memory", hoursAgo(3));
  await seed(store, "job-old", "success", hoursAgo(30));
  env = {
    ...dynamoEnv(db.endpoint, table),
    UPLOADS_BUCKET: "uploads-bucket",
    JOBS_EVENT_BUS: "video-jobs-dev-bus",
  };
  server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      posted.push(JSON.parse(body));
      response.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  webhook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
});
afterAll(async () => {
  eventBridge.restore();
  await new Promise((resolve) => server.close(resolve));
  await db?.stop();
});
beforeEach(() => {
  eventBridge.reset();
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
  posted.length = 0;
});

const putDetails = () =>
  eventBridge
    .commandCalls(PutEventsCommand)
    .flatMap((call) => call.args[0].input.Entries ?? [])
    .map((entry) => ({
      bus: entry.EventBusName,
      detail: JSON.parse(entry.Detail ?? "{}") as JobStateChange,
    }));

describe("jobs replay", () => {
  it("re-publishes the SUCCEEDED transitions since a time to the jobs bus, with their sequence", async () => {
    const result = await jobs(["replay", "--since", "2h", "--status", "SUCCEEDED", "--json"], { env });
    expect(result.code).toBe(0);
    const details = putDetails();
    expect(details.map((d) => [d.bus, d.detail.jobId, d.detail.sequence, d.detail.status])).toEqual([
      ["video-jobs-dev-bus", "job-ok", 6, "SUCCEEDED"], // submitted, launch requested, launched, running, stopped, succeeded,
    ]);
    expect(details[0]?.detail.output).toEqual({ url: "s3://uploads-bucket/outputs/job-ok/" });
    expect(result.json<{ published: number }>().published).toBe(1);
  });

  it("replays every transition of the jobs named, in order, to a webhook", async () => {
    const result = await jobs(["replay", "--since", "1d", "--job", "job-oom", "--webhook", webhook], { env });
    expect(result.code).toBe(0);
    expect(posted.map((p) => p.detail.sequence)).toEqual(posted.map((_, i) => i + 1));
    expect(posted.at(-1)).toMatchObject({
      id: `job-oom.${posted.length}`,
      source: "video-jobs",
      "detail-type": "Job State Change",
      detail: { status: "FAILED", failure: { kind: "out-of-memory", exitCode: 137 } },
    });
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it("refuses a --webhook no request can go to, before sending anything", async () => {
    const result = await jobs(
      ["replay", "--since", "1d", "--job", "job-oom", "--webhook", "http://127.0.0.1:99999/events"],
      { env },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /--webhook must be an http:\/\/ or https:\/\/ URL, got "http:\/\/127\.0\.0\.1:99999\/events" \(Invalid URL\)/,
    );
  });

  it("to a receiver that answers 500 to every second POST: every transition accepted once, in order, and counted", async () => {
    const receiver = await WebhookReceiver.start("fail-every-second");
    try {
      const result = await jobs(
        ["replay", "--since", "1d", "--job", "job-oom", "--webhook", receiver.url, "--json"],
        { env },
      );
      expect(result.code, result.stderr).toBe(0);
      const events = receiver.deduplicated("job-oom").length;
      expect(events).toBeGreaterThanOrEqual(6);
      expect(receiver.sequencesOf("job-oom")).toEqual(Array.from({ length: events }, (_, i) => i + 1));
      expect(receiver.refused.length).toBeGreaterThan(0);
      expect(result.json()).toMatchObject({ sent: events, skipped: 0, failed: 0, owed: [] });
    } finally {
      await receiver.stop();
    }
  });

  it("says what it sent and what is owed when the receiver stops accepting, and --outbox resumes from there", async () => {
    const outbox = await mkdtemp(path.join(tmpdir(), "replay-outbox-"));
    const receiver = await WebhookReceiver.start("ok");
    receiver.acceptLimit = 3;
    const replay = ["replay", "--since", "1d", "--job", "job-oom", "--webhook", receiver.url];
    try {
      const first = await jobs([...replay, "--outbox", outbox, "--tries", "2"], { env });
      expect(first.code).toBe(1);
      const events = (
        await jobs(["replay", "--since", "1d", "--job", "job-oom", "--dry-run"], { env })
      ).stdout
        .trim()
        .split("\n").length;
      expect(first.stderr).toContain(
        `sent 3, skipped 0, failed ${events - 3}: transition(s) of 1 job(s) posted`,
      );
      expect(first.stderr).toMatch(new RegExp(`owed: job-oom #4-#${events} \\(POST .* answered 500`));
      expect(first.stderr).toMatch(/run the same command again \(same --outbox .*\) to send what is owed/);
      expect(receiver.sequencesOf("job-oom")).toEqual([1, 2, 3]);

      receiver.acceptLimit = undefined;
      const second = await jobs([...replay, "--outbox", outbox, "--json"], { env });
      expect(second.code, second.stderr).toBe(0);
      expect(second.json()).toMatchObject({ sent: events - 3, skipped: 3, failed: 0, owed: [] });
      expect(receiver.sequencesOf("job-oom")).toEqual(Array.from({ length: events }, (_, i) => i + 1));

      // Once all is delivered, the same replay again sends nothing.
      const third = await jobs([...replay, "--outbox", outbox], { env });
      expect(third.stderr).toContain(`sent 0, skipped ${events}, failed 0`);
      expect(receiver.accepted).toHaveLength(events);
    } finally {
      await receiver.stop();
      await rm(outbox, { recursive: true, force: true });
    }
  });

  it("prints with --dry-run, and leaves out jobs not changed since the time", async () => {
    const result = await jobs(["replay", "--since", "4h", "--dry-run"], { env });
    const lines = result.stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as JobStateChange);
    expect(new Set(lines.map((l) => l.jobId))).toEqual(new Set(["job-ok", "job-oom"]));
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it("refuses without --since, and says how to name the bus", async () => {
    expect((await jobs(["replay"], { env })).code).toBe(2);
    const { JOBS_EVENT_BUS: _bus, ...noBus } = env;
    const result = await jobs(["replay", "--since", "1h"], { env: noBus });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no jobs bus configured/);
  });
});
