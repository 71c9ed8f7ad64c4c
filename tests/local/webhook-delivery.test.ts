// `npm run local -- --webhook URL` against a receiver that misbehaves, as a user found it: one that answers
// 500 to every second POST, one that is down for a while, and local mode killed (SIGKILL) while events are
// still owed, then started again. Each time the receiver must end up with exactly the job's events, in
// order 1..N, each accepted once — a repeat allowed only as a redelivery with the same identity (id).

import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LocalMode } from "../support/local-mode-process";
import { runLocal } from "../support/run-local";
import { generateVideo, SCENE_TEST_VIDEO } from "../support/video";
import { waitFor } from "../support/wait-for";
import { WebhookReceiver } from "../support/webhook-receiver";

const REPO = path.join(__dirname, "..", "..");
let root: string;
let video: string;
const started: LocalMode[] = [];
const receivers: WebhookReceiver[] = [];

beforeAll(async () => {
  await mkdir(path.join(REPO, "dist"), { recursive: true });
  // Inside the repository, so the worker bundle resolves the npm-packaged ffmpeg when the system has none.
  root = await mkdtemp(path.join(REPO, "dist", "webhook-test-"));
  video = path.join(root, "clip.mp4");
  await generateVideo(video, SCENE_TEST_VIDEO);
}, 120_000);

afterEach(async () => {
  for (const mode of started.splice(0)) await mode.kill("SIGKILL");
  for (const receiver of receivers.splice(0)) await receiver.stop();
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

const oneToN = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/** Exactly the job's events in order, each accepted once; any repeat is a redelivery of the same identity. */
function expectDeliveredInOrder(receiver: WebhookReceiver, jobId: string, events: number): void {
  expect(receiver.deduplicated(jobId)).toEqual(oneToN(events));
  const ids = receiver.accepted.filter((r) => r.detail.jobId === jobId).map((r) => r.id);
  expect(new Set(ids)).toEqual(new Set(oneToN(events).map((n) => `${jobId}.${n}`)));
  // In order: no event accepted before all of those before it were.
  const sequences = receiver.sequencesOf(jobId);
  for (const [i, sequence] of sequences.entries())
    expect(Math.max(0, ...sequences.slice(0, i))).toBeGreaterThanOrEqual(sequence - 1);
}

describe("local mode's --webhook delivers every event of a job, in order, at least once", () => {
  it("to a receiver that answers 500 to every second POST", async () => {
    const receiver = await WebhookReceiver.start("fail-every-second");
    receivers.push(receiver);
    const state = path.join(root, "flaky");
    const run = new LocalMode(["--state", state, "--once", video, "--webhook", receiver.url], started);
    const end = await run.exited;
    expect(end.code, run.text).toBe(0);
    const { jobId, events } = run.job();
    expect(events).toBeGreaterThanOrEqual(6);
    expectDeliveredInOrder(receiver, jobId, events);
    expect(receiver.refused.length).toBeGreaterThan(0);
    // The log names each delivery, and no event as lost.
    for (const n of oneToN(events))
      expect(run.text).toMatch(new RegExp(`webhook: delivered ${jobId} #${n}\\b`));
    expect(run.text).toMatch(/webhook: nothing owed/);
  }, 180_000);

  it("to a receiver that is down for a while, then up", async () => {
    const receiver = await WebhookReceiver.start("ok", { down: true });
    receivers.push(receiver);
    const state = path.join(root, "down");
    const run = new LocalMode(
      [...["--state", state, "--once", video], ...["--webhook", receiver.url, "--webhook-retry-max", "1"]],
      started,
    );
    await run.waitFor(/-> SUCCEEDED/, 120_000);
    await waitFor(() => /webhook: .* not delivered/.test(run.text), "a failed delivery logged", {
      timeoutMs: 30_000,
    });
    expect(receiver.accepted).toEqual([]);
    await receiver.up();
    const end = await run.exited;
    expect(end.code, run.text).toBe(0);
    const { jobId, events } = run.job();
    expectDeliveredInOrder(receiver, jobId, events);
    expect(run.text).toMatch(/owed #1-#\d+/);
  }, 180_000);

  it("after SIGKILL with events owed: the next start delivers them, in order", async () => {
    const receiver = await WebhookReceiver.start("ok", { down: true });
    receivers.push(receiver);
    const state = path.join(root, "restart");
    const first = new LocalMode(
      [...["--state", state, "--once", video], ...["--webhook", receiver.url, "--webhook-retry-max", "1"]],
      started,
    );
    await first.waitFor(/-> SUCCEEDED/, 120_000);
    const { jobId, events } = first.job();
    await first.waitFor(new RegExp(`not delivered.*owed #1-#${events}`), 30_000);
    await first.kill("SIGKILL");
    expect(receiver.accepted).toEqual([]);

    await receiver.up();
    const second = new LocalMode(
      ["--state", state, "--webhook", receiver.url, "--webhook-retry-max", "1"],
      started,
    );
    await second.waitFor(new RegExp(`${events} event\\(s\\) of 1 job\\(s\\) owed`), 60_000);
    await waitFor(() => receiver.deduplicated(jobId).length === events, "every owed event delivered", {
      timeoutMs: 30_000,
    });
    expectDeliveredInOrder(receiver, jobId, events);
    await second.waitFor(/webhook: nothing owed/, 10_000);
    await second.kill("SIGINT");
  }, 240_000);

  it("an unreadable outbox file stops the start with what to do, not a stack trace", async () => {
    const state = path.join(root, "corrupt-outbox-state");
    await mkdir(path.join(state, "outbox"), { recursive: true });
    await writeFile(path.join(state, "outbox", "s3-cut.json"), '{"jobId":"s3-c');
    const run = await runLocal("--state", state, "--webhook", "http://127.0.0.1:9/hook", "--once", video);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /local mode failed: the outbox file .*s3-cut\.json cannot be read \(.*\); move it out of the folder/,
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);

  it("refuses a webhook setting it cannot use, before starting anything", async () => {
    const alone = await runLocal("--webhook-retry-max", "5");
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/--webhook-retry-max goes with --webhook URL/);
    const bad = await runLocal("--webhook", "http://127.0.0.1:9/hook", "--webhook-timeout", "0");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /--webhook-timeout must be a number of seconds \(at least 0\.001, at most 3600\), got "0"/,
    );
    // Under a millisecond: a timeout of 0 ms fails every POST, a backoff cap of 0 ms retries in a busy loop.
    const tiny = await runLocal("--webhook", "http://127.0.0.1:9/hook", "--webhook-retry-max", "0.0001");
    expect(tiny.code).toBe(2);
    expect(tiny.stderr).toMatch(
      /--webhook-retry-max must be a number of seconds \(at least 0\.001, at most 3600\), got "0\.0001"/,
    );
    // A URL of the right scheme that no request can go to (port out of range): refused at the start, not
    // retried forever as "Failed to parse URL". (--once a missing file: were it let through, that is the error.)
    const unusable = await runLocal("--webhook", "http://127.0.0.1:99999/hook", "--once", "missing.mp4");
    expect(unusable.code).toBe(2);
    expect(unusable.stderr).toMatch(
      /--webhook must be an http:\/\/ or https:\/\/ URL, got "http:\/\/127\.0\.0\.1:99999\/hook" \(Invalid URL\)/,
    );
  });
});
