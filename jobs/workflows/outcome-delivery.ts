// The one delivery engine for outcome events ("Job State Change", outcome-events.ts), whatever carries them
// (EventBridge PutEvents, a webhook POST, a printer): per job, event N+1 is never sent before event N was
// accepted; what was not accepted is owed and sent again, never dropped; every event keeps its identity
// (job id + sequence) however often it is sent, so a consumer tells a redelivery from a new event.
//
// Two ways to drive it, for two kinds of "record of what was delivered":
// - `deliverInOrder`: one pass over one job's changes, stopping at the first not accepted. The stream
//   publisher (publish-outcomes.ts) uses it: there the stream's checkpoint is the record, and Lambda's
//   retry of the reported record is the retry.
// - `OutcomeOutbox`: an outbox per job in an OutboxStore (local mode's state folder, a replay's cursor),
//   with its own retries — bounded exponential backoff with jitter, forever or up to a number of tries — so
//   it survives the receiver being down and the process being killed: what is owed is sent at the next open.

import type { JobStateChange } from "../boundary/outcome-events";

/**
 * Sends changes to a receiver in the order given; throws when any of them was not accepted. `signal`
 * aborts a send under way (the outbox closing): what it had not had accepted stays owed.
 */
export interface OutcomePublisher {
  publish(changes: readonly JobStateChange[], signal?: AbortSignal): Promise<void>;
}

/** A publish that was not (wholly) accepted; `accepted`: how many of the leading changes were, before it. */
export class OutcomePublishError extends Error {
  override readonly name = "OutcomePublishError";
  constructor(
    message: string,
    readonly accepted = 0,
  ) {
    super(message);
  }
}

/** An event's identity: the same on every delivery of it, different for every other event. */
export function outcomeEventId(change: Pick<JobStateChange, "jobId" | "sequence">): string {
  return `${change.jobId}.${change.sequence}`;
}

export interface DeliveryPass {
  /** Accepted by the receiver, in order. */
  readonly delivered: readonly JobStateChange[];
  /** Not accepted (the first refused one and every one after it), in order: still owed. */
  readonly owed: readonly JobStateChange[];
  readonly error?: Error;
}

/**
 * Sends one job's changes in order; at a failure, the changes the publisher says it accepted before it
 * (OutcomePublishError.accepted) are delivered and the rest are owed — none of them was sent after the
 * refused one, so a retry from it overtakes nothing.
 */
export async function deliverInOrder(
  publisher: OutcomePublisher,
  changes: readonly JobStateChange[],
  signal?: AbortSignal,
): Promise<DeliveryPass> {
  if (changes.length === 0) return { delivered: [], owed: [] };
  try {
    await publisher.publish(changes, signal);
    return { delivered: changes, owed: [] };
  } catch (caught) {
    const error = caught instanceof Error ? caught : new Error(String(caught));
    const accepted = error instanceof OutcomePublishError ? Math.min(error.accepted, changes.length) : 0;
    return { delivered: changes.slice(0, accepted), owed: changes.slice(accepted), error };
  }
}

/** "#3" or "#3-#6" for consecutive sequences, "#2, #5" otherwise. */
export function describeSequences(changes: readonly Pick<JobStateChange, "sequence">[]): string {
  const sequences = changes.map((c) => c.sequence);
  const first = sequences[0];
  const last = sequences.at(-1);
  if (first === undefined || last === undefined) return "none";
  if (sequences.length > 1 && last - first === sequences.length - 1) return `#${first}-#${last}`;
  return sequences.map((s) => `#${s}`).join(", ");
}

/** One job's outbox as stored: the last sequence accepted, and what is owed after it, in order. */
export interface OutboxRecord {
  readonly jobId: string;
  /** Highest sequence the receiver accepted (0: none yet). */
  readonly deliveredThrough: number;
  readonly owed: readonly JobStateChange[];
}

/** Where the outboxes are kept; `save` must be durable when it resolves (the process may die next). */
export interface OutboxStore {
  load(): Promise<OutboxRecord[]>;
  save(record: OutboxRecord): Promise<void>;
}

export interface RetrySchedule {
  /** The first retry's delay, before jitter. */
  readonly baseDelayMs: number;
  /** No wait between tries is longer than this. */
  readonly maxDelayMs: number;
  /** Tries of one event before its job gives up for this run (its events stay owed); unbounded if absent. */
  readonly maxTries?: number;
}

/** Local mode's: 0.5 s doubling to 30 s, trying forever. */
export const DEFAULT_RETRY: RetrySchedule = { baseDelayMs: 500, maxDelayMs: 30_000 };

/**
 * The wait before try `tries + 1` (after `tries` failed ones): exponential, capped, with "equal jitter" —
 * half of it fixed, half random — so many jobs' retries after one outage do not arrive at once, and no wait
 * falls to nothing.
 */
export function retryDelayMs(schedule: RetrySchedule, tries: number, random: () => number): number {
  const exponential = Math.min(schedule.maxDelayMs, schedule.baseDelayMs * 2 ** Math.max(0, tries - 1));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

/** What the outbox says as it goes (the log of what was delivered and what is still owed). */
export interface OutboxListener {
  delivered?(jobId: string, changes: readonly JobStateChange[], owed: readonly JobStateChange[]): void;
  notDelivered?(
    jobId: string,
    report: {
      readonly error: Error;
      readonly owed: readonly JobStateChange[];
      readonly tries: number;
      /** When it is tried again; undefined when this job gave up (maxTries). */
      readonly retryInMs: number | undefined;
    },
  ): void;
}

export interface OutboxOptions {
  readonly publisher: OutcomePublisher;
  readonly store: OutboxStore;
  readonly retry?: RetrySchedule;
  /** Most changes of one job sent in one publish (EventBridge takes 10 a call; a webhook one a POST). */
  readonly batchSize?: number;
  readonly listener?: OutboxListener;
  /** Jobs sending at once (a replay of thousands must not open thousands of connections); default 8. */
  readonly concurrency?: number;
  readonly random?: () => number;
  /** Waits `ms`, or less when `signal` aborts (close). */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface AddResult {
  /** Changes new to the outbox, now owed. */
  readonly added: readonly JobStateChange[];
  /** Changes the outbox already had (delivered or owed): a job's history reported again after a restart. */
  readonly known: readonly JobStateChange[];
  /** Of `known`, those already delivered (a resumed replay's "skipped"). */
  readonly alreadyDelivered: readonly JobStateChange[];
}

interface JobLine {
  readonly jobId: string;
  deliveredThrough: number;
  owed: JobStateChange[];
  tries: number;
  gaveUp: Error | undefined;
  sending: Promise<void> | undefined;
  /** Waiting out a backoff, holding no sending slot; ends by asking for a slot again. */
  backingOff: Promise<void> | undefined;
  saving: Promise<void>;
}

export class OutcomeOutbox {
  private readonly lines = new Map<string, JobLine>();
  private readonly closing = new AbortController();
  private readonly retry: RetrySchedule;
  private readonly batchSize: number;
  private readonly random: () => number;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private waiters: Array<() => void> = [];
  private deliveredCount = 0;
  private readonly concurrency: number;
  private sendingJobs = 0;
  /** Jobs with events owed, waiting for a sending slot, first come first served. */
  private readonly queued = new Set<JobLine>();

  private constructor(private readonly options: OutboxOptions) {
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.batchSize = options.batchSize ?? 1;
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? abortableSleep;
    this.concurrency = Math.max(1, options.concurrency ?? 8);
  }

  /** Opens the outbox kept in `store`, and starts sending what it owes. */
  static async open(options: OutboxOptions): Promise<OutcomeOutbox> {
    const outbox = new OutcomeOutbox(options);
    for (const record of await options.store.load()) {
      const line = outbox.line(record.jobId);
      line.deliveredThrough = record.deliveredThrough;
      line.owed = [...record.owed].sort((a, b) => a.sequence - b.sequence);
    }
    for (const line of outbox.lines.values()) outbox.kick(line);
    return outbox;
  }

  /**
   * Owes `changes` (one or more jobs', each job's in order), durably before this resolves, and starts
   * sending them. A change the outbox already has (same job, sequence not beyond the last it holds) is
   * left out, so a history reported again is not sent again.
   */
  async add(changes: readonly JobStateChange[]): Promise<AddResult> {
    const added: JobStateChange[] = [];
    const known: JobStateChange[] = [];
    const alreadyDelivered: JobStateChange[] = [];
    const touched = new Set<JobLine>();
    for (const change of changes) {
      const line = this.line(change.jobId);
      if (change.sequence <= newestOf(line)) {
        known.push(change);
        if (change.sequence <= line.deliveredThrough) alreadyDelivered.push(change);
        continue;
      }
      line.owed.push(change);
      // A job that gave up (maxTries) is tried again for events added later.
      line.gaveUp = undefined;
      line.tries = 0;
      added.push(change);
      touched.add(line);
    }
    await Promise.all([...touched].map((line) => this.save(line)));
    for (const line of touched) this.kick(line);
    return { added, known, alreadyDelivered };
  }

  /** Every job's owed events, oldest job first (as added); jobs owing nothing are left out. */
  owed(): Array<{ jobId: string; owed: readonly JobStateChange[]; gaveUp?: Error }> {
    return [...this.lines.values()]
      .filter((line) => line.owed.length > 0)
      .map((line) => ({
        jobId: line.jobId,
        owed: [...line.owed],
        ...(line.gaveUp === undefined ? {} : { gaveUp: line.gaveUp }),
      }));
  }

  /** The last sequence of `jobId` the outbox has had (delivered or owed); 0 for a job it never had. */
  newestSequence(jobId: string): number {
    const line = this.lines.get(jobId);
    return line === undefined ? 0 : newestOf(line);
  }

  /** Events accepted since this outbox was opened. */
  get delivered(): number {
    return this.deliveredCount;
  }

  /** Resolves once nothing is owed but by jobs that gave up (maxTries), or at `timeoutMs` (false). */
  async settled(timeoutMs?: number): Promise<boolean> {
    if (this.isSettled()) return true;
    const settled = new Promise<boolean>((resolve) => this.waiters.push(() => resolve(true)));
    if (timeoutMs === undefined) return settled;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([settled, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Stops retrying and abandons a send under way (a receiver that hangs would otherwise hold the stop for
   * its whole timeout); what was accepted is recorded, the rest stays owed in the store.
   */
  async close(): Promise<void> {
    this.closing.abort();
    const lines = [...this.lines.values()];
    await Promise.all(lines.map((line) => line.sending));
    await Promise.all(lines.map((line) => line.backingOff));
    await Promise.all(lines.map((line) => line.saving));
  }

  private line(jobId: string): JobLine {
    let line = this.lines.get(jobId);
    if (line === undefined) {
      line = {
        jobId,
        deliveredThrough: 0,
        owed: [],
        tries: 0,
        gaveUp: undefined,
        sending: undefined,
        backingOff: undefined,
        saving: Promise.resolve(),
      };
      this.lines.set(jobId, line);
    }
    return line;
  }

  private kick(line: JobLine): void {
    if (line.sending !== undefined || line.owed.length === 0 || this.closing.signal.aborted) return;
    if (line.gaveUp !== undefined || line.backingOff !== undefined) return;
    if (this.sendingJobs >= this.concurrency) {
      this.queued.add(line);
      return;
    }
    this.queued.delete(line);
    this.sendingJobs += 1;
    line.sending = this.send(line).finally(() => {
      line.sending = undefined;
      this.sendingJobs -= 1;
      // Changes added while the last send was under way go to the back of the line, after those waiting.
      if (line.owed.length > 0 && line.gaveUp === undefined && line.backingOff === undefined) {
        this.queued.add(line);
      }
      for (const next of [...this.queued]) {
        if (this.sendingJobs >= this.concurrency) break;
        this.kick(next);
      }
      this.wake();
    });
  }

  /**
   * Sends the job's owed changes, oldest first, until none is owed, one is not accepted, or the outbox
   * closes. After a refusal the job waits out its backoff without its sending slot (a job the receiver
   * keeps refusing must not hold back the others, however many such jobs there are), then queues again.
   */
  private async send(line: JobLine): Promise<void> {
    const { listener, publisher } = this.options;
    while (line.owed.length > 0 && line.gaveUp === undefined && !this.closing.signal.aborted) {
      const batch = line.owed.slice(0, this.batchSize);
      const pass = await deliverInOrder(publisher, batch, this.closing.signal);
      if (pass.delivered.length > 0) {
        const last = pass.delivered.at(-1)?.sequence ?? line.deliveredThrough;
        line.deliveredThrough = Math.max(line.deliveredThrough, last);
        line.owed = line.owed.filter((change) => change.sequence > line.deliveredThrough);
        line.tries = 0;
        this.deliveredCount += pass.delivered.length;
        // Not saved (a full disk): the next save writes the latest; a restart before it sends these again.
        await this.save(line).catch(() => undefined);
        listener?.delivered?.(line.jobId, pass.delivered, line.owed);
      }
      if (pass.error === undefined) continue;
      // Abandoned by close(): not the receiver's refusal, so no try counted and none announced.
      if (this.closing.signal.aborted) return;
      line.tries += 1;
      const giveUp = this.retry.maxTries !== undefined && line.tries >= this.retry.maxTries;
      if (giveUp) line.gaveUp = pass.error;
      const retryInMs = giveUp ? undefined : retryDelayMs(this.retry, line.tries, this.random);
      listener?.notDelivered?.(line.jobId, {
        error: pass.error,
        owed: line.owed,
        tries: line.tries,
        retryInMs,
      });
      if (retryInMs !== undefined) {
        line.backingOff = this.sleep(retryInMs, this.closing.signal).then(() => {
          line.backingOff = undefined;
          this.kick(line);
        });
      }
      return;
    }
  }

  /** Writes the job's current record after any write before it (the latest state wins, in order). */
  private save(line: JobLine): Promise<void> {
    const write = line.saving.then(() =>
      this.options.store.save({
        jobId: line.jobId,
        deliveredThrough: line.deliveredThrough,
        owed: [...line.owed],
      }),
    );
    line.saving = write.catch(() => undefined);
    return write;
  }

  private isSettled(): boolean {
    return [...this.lines.values()].every(
      (line) => line.owed.length === 0 || (line.gaveUp !== undefined && line.sending === undefined),
    );
  }

  private wake(): void {
    if (!this.isSettled()) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}

function newestOf(line: JobLine): number {
  return Math.max(line.deliveredThrough, line.owed.at(-1)?.sequence ?? 0);
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/** An OutboxStore in memory: an outbox for one run (a replay without a cursor), and for tests. */
export class MemoryOutboxStore implements OutboxStore {
  readonly records = new Map<string, OutboxRecord>();

  async load(): Promise<OutboxRecord[]> {
    return [...this.records.values()];
  }

  async save(record: OutboxRecord): Promise<void> {
    this.records.set(record.jobId, structuredClone(record));
  }
}
