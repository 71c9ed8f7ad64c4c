// The delivery engine (jobs/workflows/outcome-delivery.ts): a property over random failures, lost answers, batch
// sizes and restarts — every job's events reach the receiver, none lost, each job's in order (event N+1
// never before N was accepted), repeats only as redeliveries of the same identity; the backoff's bounds;
// the file outbox across a reopen; and the webhook publisher's failures (5xx, refused, no answer in time)
// retried through the outbox against real HTTP servers on 127.0.0.1.

import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { mockClient } from "aws-sdk-client-mock";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventBridgeOutcomePublisher } from "../../jobs/adapters/aws/eventbridge-publisher";
import { FileOutboxStore } from "../../jobs/adapters/file/file-outbox";
import { WebhookPublisher } from "../../jobs/adapters/http/webhook-publisher";
import type { JobStateChange } from "../../jobs/boundary/outcome-events";
import {
  deliverInOrder,
  describeSequences,
  MemoryOutboxStore,
  OutcomeOutbox,
  OutcomePublishError,
  type OutcomePublisher,
  outcomeEventId,
  retryDelayMs,
} from "../../jobs/workflows/outcome-delivery";
import { waitFor } from "../support/wait-for";

const change = (jobId: string, sequence: number): JobStateChange => ({
  jobId,
  sequence,
  event: "JobSubmitted",
  at: new Date(Date.UTC(2026, 11, 7, 12, 0, sequence)).toISOString(),
  status: "SUBMITTED",
  attempt: 0,
  timings: {},
});
const history = (jobId: string, events: number) =>
  Array.from({ length: events }, (_, i) => change(jobId, i + 1));
const noWait = async () => {};

type Outcome = "ok" | "refused" | "answer-lost";

/**
 * A receiver whose answers follow `script`, then accept everything: refused, or accepted with the answer
 * lost on the way. (Cycled forever, a script can livelock a batch: the same position refused every time.)
 */
function scriptedReceiver(script: readonly Outcome[]) {
  const received: Array<{ id: string; sequence: number; jobId: string }> = [];
  let call = 0;
  const publisher: OutcomePublisher = {
    async publish(changes) {
      for (const [accepted, c] of changes.entries()) {
        const outcome = script[call++] ?? "ok";
        if (outcome === "refused") throw new OutcomePublishError("500", accepted);
        received.push({ id: outcomeEventId(c), sequence: c.sequence, jobId: c.jobId });
        if (outcome === "answer-lost") throw new Error("socket hang up");
      }
    },
  };
  return { publisher, received };
}

/** Each job's events accepted once at least, in order, nothing else. */
function expectInOrderAtLeastOnce(
  received: ReadonlyArray<{ id: string; sequence: number; jobId: string }>,
  jobs: ReadonlyMap<string, number>,
) {
  for (const [jobId, events] of jobs) {
    const mine = received.filter((r) => r.jobId === jobId);
    const firstOfEach = mine.filter((r, i) => mine.findIndex((o) => o.id === r.id) === i);
    expect(firstOfEach.map((r) => r.sequence)).toEqual(history(jobId, events).map((c) => c.sequence));
    // Never ahead: each delivery is of an event at most one past the highest accepted before it.
    let highest = 0;
    for (const r of mine) {
      expect(r.sequence).toBeLessThanOrEqual(highest + 1);
      highest = Math.max(highest, r.sequence);
    }
  }
  expect(received.every((r) => jobs.has(r.jobId))).toBe(true);
}

describe("the delivery engine", () => {
  it("property: random refusals, lost answers, batches and restarts lose nothing and keep each job's order", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.constantFrom<Outcome>("ok", "refused", "answer-lost"), { maxLength: 12 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 10 }),
        fc.array(fc.boolean(), { maxLength: 10 }),
        fc.integer({ min: 1, max: 3 }),
        async (eventsPerJob, script, batchSize, chunkSizes, restarts, concurrency) => {
          const { publisher, received } = scriptedReceiver(script);
          const store = new MemoryOutboxStore();
          const jobs = new Map(eventsPerJob.map((events, i) => [`job-${i}`, events]));
          const open = () => OutcomeOutbox.open({ publisher, store, batchSize, concurrency, sleep: noWait });
          // The jobs' events interleaved, each job's in order, added in chunks as local mode reports them.
          const pending = [...jobs].map(([jobId, events]) => ({ jobId, events, added: 0 }));
          let outbox = await open();
          for (let round = 0; pending.some((p) => p.added < p.events); round++) {
            const job = pending[round % pending.length];
            if (job === undefined) continue;
            const size = chunkSizes[round % chunkSizes.length] ?? 1;
            const upTo = Math.min(job.events, job.added + size);
            // After a restart, local mode reports a history again from its start: nothing is owed twice.
            const from = restarts[round] ? 0 : job.added;
            await outbox.add(history(job.jobId, upTo).slice(from));
            job.added = upTo;
            if (restarts[round]) {
              await outbox.close();
              outbox = await open();
            }
          }
          await outbox.settled();
          await outbox.close();
          expectInOrderAtLeastOnce(received, jobs);
          expect(outbox.owed()).toEqual([]);
          for (const [jobId, events] of jobs) expect(store.records.get(jobId)?.deliveredThrough).toBe(events);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("a job whose receiver refuses does not hold back another job", async () => {
    const received: string[] = [];
    const publisher: OutcomePublisher = {
      async publish(changes) {
        for (const c of changes) {
          if (c.jobId === "stuck") throw new OutcomePublishError("503");
          received.push(outcomeEventId(c));
        }
      },
    };
    const outbox = await OutcomeOutbox.open({
      publisher,
      store: new MemoryOutboxStore(),
      retry: { baseDelayMs: 1, maxDelayMs: 1, maxTries: 3 },
    });
    await outbox.add([...history("stuck", 2), ...history("fine", 3)]);
    await outbox.settled();
    expect(received).toEqual(["fine.1", "fine.2", "fine.3"]);
    expect(outbox.owed()).toMatchObject([{ jobId: "stuck", owed: history("stuck", 2) }]);
    await outbox.close();
  });

  it("jobs waiting out a backoff hold no sending slot: more refusing jobs than slots hold back no other job", async () => {
    const received: string[] = [];
    const publisher: OutcomePublisher = {
      async publish(changes) {
        for (const c of changes) {
          if (c.jobId.startsWith("stuck")) throw new OutcomePublishError("410 Gone");
          received.push(outcomeEventId(c));
        }
      },
    };
    // Local mode's schedule: tries forever. Two slots, three jobs the receiver keeps refusing.
    const outbox = await OutcomeOutbox.open({
      publisher,
      store: new MemoryOutboxStore(),
      retry: { baseDelayMs: 200, maxDelayMs: 200 },
      concurrency: 2,
    });
    await outbox.add([...history("stuck-a", 1), ...history("stuck-b", 1), ...history("stuck-c", 1)]);
    await outbox.add(history("fine", 2));
    await waitFor(() => received.length === 2, "the fine job delivered", { timeoutMs: 3_000 });
    expect(received).toEqual(["fine.1", "fine.2"]);
    await outbox.close();
  });

  it("sends for at most `concurrency` jobs at once, and every job gets its turn", async () => {
    let inFlight = 0;
    let most = 0;
    const received: string[] = [];
    const publisher: OutcomePublisher = {
      async publish(changes) {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 2));
        received.push(...changes.map(outcomeEventId));
        inFlight -= 1;
      },
    };
    const outbox = await OutcomeOutbox.open({ publisher, store: new MemoryOutboxStore(), concurrency: 3 });
    const jobs = Array.from({ length: 10 }, (_, i) => history(`job-${i}`, 3));
    await outbox.add(jobs.flat());
    await outbox.settled();
    await outbox.close();
    expect(most).toBe(3);
    expect(received.sort()).toEqual(jobs.flat().map(outcomeEventId).sort());
  });

  it("deliverInOrder: what the publisher accepted before a refusal is delivered, the rest owed", async () => {
    const publisher: OutcomePublisher = {
      async publish() {
        throw new OutcomePublishError("EventBridge refused 1 event(s)", 2);
      },
    };
    const pass = await deliverInOrder(publisher, history("j", 4));
    expect(describeSequences(pass.delivered)).toBe("#1-#2");
    expect(describeSequences(pass.owed)).toBe("#3-#4");
    expect(pass.error?.message).toMatch(/refused/);
  });

  it("EventBridge: the entries before the first refused one are delivered; the outbox sends again from it", async () => {
    const eventBridge = mockClient(EventBridgeClient);
    try {
      eventBridge
        .on(PutEventsCommand)
        .resolvesOnce({
          FailedEntryCount: 0,
          Entries: Array.from({ length: 10 }, (_, i) => ({ EventId: `e${i}` })),
        })
        .resolvesOnce({
          FailedEntryCount: 1,
          Entries: [
            { EventId: "e10" },
            { ErrorCode: "ThrottlingException", ErrorMessage: "Rate exceeded" },
            { EventId: "e12" },
          ],
        })
        .resolves({ FailedEntryCount: 0, Entries: [] });
      const publisher = new EventBridgeOutcomePublisher(
        new EventBridgeClient({ region: "us-east-1" }),
        "bus",
      );
      const pass = await deliverInOrder(publisher, history("j", 13));
      expect(describeSequences(pass.delivered)).toBe("#1-#11");
      expect(describeSequences(pass.owed)).toBe("#12-#13");
      expect(pass.error?.message).toMatch(/j#12: ThrottlingException Rate exceeded/);

      const outbox = await OutcomeOutbox.open({
        publisher,
        store: new MemoryOutboxStore(),
        batchSize: 10,
        sleep: noWait,
      });
      await outbox.add(pass.owed);
      await outbox.settled();
      await outbox.close();
      const sent = eventBridge
        .commandCalls(PutEventsCommand)
        .map((call) => (call.args[0].input.Entries ?? []).map((e) => JSON.parse(e.Detail ?? "{}").sequence));
      // #13 went in the call that #12 was refused in (the entries of one call have no order among them, and
      // EventBridge promises none to a rule's targets) and goes again after #12: the same identity twice.
      expect(sent).toEqual([
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
        [11, 12, 13],
        [12, 13],
      ]);
    } finally {
      eventBridge.restore();
    }
  });

  it("backoff: doubles from the base, never beyond the cap, half of it jittered", () => {
    const schedule = { baseDelayMs: 500, maxDelayMs: 4_000 };
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (tries, r) => {
          const delay = retryDelayMs(schedule, tries, () => r);
          const exponential = Math.min(4_000, 500 * 2 ** (tries - 1));
          expect(delay).toBeGreaterThanOrEqual(exponential / 2);
          expect(delay).toBeLessThanOrEqual(exponential);
        },
      ),
    );
    expect(retryDelayMs(schedule, 1, () => 0)).toBe(250);
    expect(retryDelayMs(schedule, 30, () => 0.999_999)).toBe(4_000);
  });
});

describe("the file outbox", () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), "outbox-"));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("keeps what is owed across a reopen, and drops a write a kill interrupted", async () => {
    const folder = path.join(directory, "reopen");
    const refusing: OutcomePublisher = {
      async publish(changes) {
        throw new OutcomePublishError(`down (#${changes[0]?.sequence})`);
      },
    };
    const first = await OutcomeOutbox.open({
      publisher: refusing,
      store: new FileOutboxStore(folder),
      retry: { baseDelayMs: 1, maxDelayMs: 1, maxTries: 1 },
    });
    await first.add(history("s3-abc", 3));
    await first.settled();
    await first.close();
    await writeFile(path.join(folder, "s3-abc.json.writing"), "{ half a rec");

    const { publisher, received } = scriptedReceiver(["ok"]);
    const second = await OutcomeOutbox.open({ publisher, store: new FileOutboxStore(folder) });
    await second.add(history("s3-abc", 4)); // the history reported again, one event longer
    await second.settled();
    await second.close();
    expect(received.map((r) => r.id)).toEqual(["s3-abc.1", "s3-abc.2", "s3-abc.3", "s3-abc.4"]);
    expect(await readdir(folder)).toEqual(["s3-abc.json"]);
    expect(await new FileOutboxStore(folder).load()).toEqual([
      { jobId: "s3-abc", deliveredThrough: 4, owed: [] },
    ]);
  });

  it("names an unreadable outbox file and what to do about it", async () => {
    const folder = path.join(directory, "corrupt");
    await new FileOutboxStore(folder).save({ jobId: "j", deliveredThrough: 1, owed: [] });
    await writeFile(path.join(folder, "j.json"), '{"jobId":"j","deliveredThrough":-1,"owed":[]}');
    await expect(new FileOutboxStore(folder).load()).rejects.toThrow(
      /the outbox file .*j\.json cannot be read \(.*deliveredThrough.*\); move it out of the folder/,
    );
  });
});

describe("webhook delivery through the outbox", () => {
  it("retries a refused connection, a POST with no answer in time and a 500, until each is accepted", async () => {
    let requests = 0;
    const accepted: Array<{ id: string; detail: JobStateChange }> = [];
    // The first POST that arrives is left unanswered, the second answered 500, the rest accepted.
    const server = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk) => {
        body += chunk;
      });
      request.on("end", () => {
        requests += 1;
        if (requests === 1) return;
        if (requests === 2) {
          response.statusCode = 500;
          response.end();
          return;
        }
        accepted.push(JSON.parse(body));
        response.end("ok");
      });
    });
    const listen = (port: number) =>
      new Promise<void>((resolve) => server.listen(port, "127.0.0.1", () => resolve()));
    await listen(0);
    const port = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve)); // down: connections refused
    const failures: string[] = [];
    const outbox = await OutcomeOutbox.open({
      publisher: new WebhookPublisher(`http://127.0.0.1:${port}/hook`, fetch, 300),
      store: new MemoryOutboxStore(),
      retry: { baseDelayMs: 20, maxDelayMs: 100 },
      listener: { notDelivered: (_jobId, { error }) => failures.push(error.message) },
    });
    try {
      await outbox.add(history("s3-hook", 4));
      await waitFor(() => failures.length >= 1, "a refused POST");
      await listen(port);
      expect(await outbox.settled(10_000)).toBe(true);
      expect(accepted.map((a) => a.id)).toEqual(["s3-hook.1", "s3-hook.2", "s3-hook.3", "s3-hook.4"]);
      expect(accepted[0]?.detail).toEqual(change("s3-hook", 1));
      expect(failures[0]).toMatch(
        /POST http:\/\/127\.0\.0\.1:\d+\/hook failed: ECONNREFUSED .*\(s3-hook #1\)/,
      );
      expect(failures).toContainEqual(expect.stringMatching(/failed: no answer within 0.3 s \(s3-hook #1\)/));
      expect(failures.at(-1)).toMatch(/answered 500 Internal Server Error \(s3-hook #1\)/);
    } finally {
      await outbox.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("a webhook that redirects", () => {
  it("is not delivered to: a 301 is a refusal naming where it points, never a GET taken as accepted", async () => {
    // /hook moved permanently to /new, where anything (a GET too, as a health page would) is answered 200.
    const seen: Array<{ method: string; url: string; body: string }> = [];
    const server = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk) => {
        body += chunk;
      });
      request.on("end", () => {
        seen.push({ method: request.method ?? "", url: request.url ?? "", body });
        if (request.url === "/hook") {
          response.writeHead(301, { location: "/new" });
          response.end();
          return;
        }
        response.end("ok");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const failures: string[] = [];
    const outbox = await OutcomeOutbox.open({
      publisher: new WebhookPublisher(url, fetch, 2_000),
      store: new MemoryOutboxStore(),
      retry: { baseDelayMs: 1, maxDelayMs: 1, maxTries: 1 },
      listener: { notDelivered: (_jobId, { error }) => failures.push(error.message) },
    });
    try {
      await outbox.add(history("s3-moved", 2));
      await outbox.settled(5_000);
      expect(outbox.owed()).toMatchObject([{ jobId: "s3-moved", owed: history("s3-moved", 2) }]);
      expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(["POST /hook"]);
      expect(failures[0]).toMatch(
        /answered 301 Moved Permanently, redirecting to \/new \(give --webhook that URL\) \(s3-moved #1\)/,
      );
    } finally {
      await outbox.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("closing while a receiver hangs", () => {
  it("close() does not wait out the POST's timeout: the POST is abandoned and its event stays owed", async () => {
    let arrived = 0;
    const server = createServer(() => {
      arrived += 1; // never answered
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const store = new MemoryOutboxStore();
    // A long timeout, as `--webhook-timeout 600` gives: Ctrl-C must not wait for it.
    const outbox = await OutcomeOutbox.open({ publisher: new WebhookPublisher(url, fetch, 600_000), store });
    try {
      await outbox.add(history("s3-hang", 2));
      await waitFor(() => arrived === 1, "the POST reaching the receiver");
      const closing = Date.now();
      await outbox.close();
      expect(Date.now() - closing).toBeLessThan(2_000);
      expect(store.records.get("s3-hang")).toMatchObject({
        deliveredThrough: 0,
        owed: history("s3-hang", 2),
      });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 20_000);
});
