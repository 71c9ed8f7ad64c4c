// Local mode's webhook outbox (local/webhook-outbox.ts) over a state folder, without the rest of local mode:
// an outbox file that cannot be read stops the start, naming the file and what moving it aside does — and
// moved aside, its job's events are sent again from the job's history (nothing lost).

import { mkdtemp, readdir, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryJobStore } from "../../jobs/adapters/memory/memory-store";
import { jobStateChanges } from "../../jobs/boundary/outcome-events";
import { OUTBOX_FOLDER, openWebhookOutbox } from "../../local/webhook-outbox";
import { seed } from "../support/histories";
import { waitFor } from "../support/wait-for";
import { WebhookReceiver } from "../support/webhook-receiver";

const target = { outputBucket: "uploads-bucket", outputPrefix: "outputs/" };
let state: string;

beforeAll(async () => {
  state = await mkdtemp(path.join(tmpdir(), "webhook-outbox-"));
});
afterAll(async () => {
  await rm(state, { recursive: true, force: true });
});

describe("local mode's webhook outbox", () => {
  it("an unreadable outbox file: refused, and once moved aside its job's events are sent again", async () => {
    const store = new MemoryJobStore();
    const receiver = await WebhookReceiver.start("fail-always");
    const say = () => {};
    try {
      const first = await openWebhookOutbox(state, { url: receiver.url, say }, store, target);
      await seed(store, "s3-corrupt", "running", new Date());
      const history = (await store.get("s3-corrupt"))?.events ?? [];
      const events = history.length;
      expect(events).toBeGreaterThan(1);
      await first.add(jobStateChanges("s3-corrupt", history, 0, target));
      await first.close();
      const file = path.join(state, OUTBOX_FOLDER, "s3-corrupt.json");
      await writeFile(file, '{"jobId":"s3-co');

      const refused = openWebhookOutbox(state, { url: receiver.url, say }, store, target);
      await expect(refused).rejects.toThrow(
        /the outbox file .*s3-corrupt\.json cannot be read \(.*\); move it out of the folder to go on without it: its job's events are then sent again from #1/,
      );

      await rename(file, path.join(state, "set-aside.json"));
      await receiver.stop();
      const accepting = await WebhookReceiver.start("ok");
      try {
        const second = await openWebhookOutbox(state, { url: accepting.url, say }, store, target);
        expect(await second.settled(10_000)).toBe(true);
        await second.close();
        expect(accepting.sequencesOf("s3-corrupt")).toEqual(Array.from({ length: events }, (_, i) => i + 1));
      } finally {
        await accepting.stop();
      }
      expect(await readdir(path.join(state, OUTBOX_FOLDER))).toContain("s3-corrupt.json");
    } finally {
      await receiver.stop().catch(() => undefined);
    }
  });
});

describe("a restart's look for events never handed to the outbox", () => {
  it("reads again only the jobs changed since the last start, not every job since the outbox first opened", async () => {
    const folder = await mkdtemp(path.join(tmpdir(), "webhook-outbox-rescan-"));
    const store = new MemoryJobStore();
    const reads: string[] = [];
    const get = store.get.bind(store);
    store.get = async (jobId) => {
      reads.push(jobId);
      return get(jobId);
    };
    const receiver = await WebhookReceiver.start("ok");
    const open = () => openWebhookOutbox(folder, { url: receiver.url, say: () => {} }, store, target);
    try {
      const first = await open();
      const seededAt = Date.now();
      await seed(store, "s3-earlier", "rejected", new Date(seededAt));
      await first.add(jobStateChanges("s3-earlier", (await get("s3-earlier"))?.events ?? [], 0, target));
      expect(await first.settled(10_000)).toBe(true);
      await first.close();

      reads.length = 0;
      await (await open()).close(); // reads s3-earlier again: it changed since the first open
      expect(reads).toContain("s3-earlier");

      // The next start looks back a second before the last one (a clock stepping back): wait that out.
      await waitFor(() => Date.now() > seededAt + 1_100, "a second past the job's change");
      reads.length = 0;
      await (await open()).close(); // reads s3-earlier again: the last start was within a second of it
      reads.length = 0;
      await (await open()).close(); // nothing changed since the last start
      expect(reads).not.toContain("s3-earlier");
    } finally {
      await receiver.stop();
      await rm(folder, { recursive: true, force: true });
    }
  });
});
