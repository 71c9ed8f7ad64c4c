// A virtual clock for benchmarks that simulate minutes of a distributed system in seconds of real time: a
// small discrete-event scheduler. Code under test waits with `sleep(ms)`, which registers a timer in a
// priority queue; `run` lets every piece of work that can go on do so (it drains the microtask queue with
// setImmediate), then moves time to the next timer and wakes whoever waits on it. Nothing else may wait on
// real time (setTimeout, I/O) or the simulation would move on without it.

interface Timer {
  readonly atMs: number;
  /** Order of registration: timers due at the same time wake in the order they were set. */
  readonly seq: number;
  readonly wake: () => void;
}

export class VirtualClock {
  private nowMs = 0;
  private seq = 0;
  private readonly heap: Timer[] = [];
  private wakeups = 0;

  /** `epochMs` is the wall time virtual time 0 stands for (ISO timestamps are read from it). */
  constructor(readonly epochMs: number) {}

  /** Virtual milliseconds since the start. */
  now(): number {
    return this.nowMs;
  }

  /** The virtual time as ISO-8601 UTC (the job model's clock). */
  iso(atMs = this.nowMs): string {
    return new Date(this.epochMs + atMs).toISOString();
  }

  /** Resolves once virtual time has moved `ms` ahead (at the next step for 0). */
  sleep(ms: number): Promise<void> {
    return new Promise<void>((wake) => this.schedule(this.nowMs + Math.max(0, ms), wake));
  }

  /** Resolves at virtual time `atMs` (at once, at the next step, if that is past). */
  until(atMs: number): Promise<void> {
    return this.sleep(atMs - this.nowMs);
  }

  /** Runs `work` at virtual time `atMs` (now, at the next step, if that is past); it handles its own failures. */
  at(atMs: number, work: () => unknown): void {
    this.schedule(Math.max(atMs, this.nowMs), work);
  }

  /** Timers fired so far: the simulation's size. */
  get steps(): number {
    return this.wakeups;
  }

  /**
   * Runs the simulation until `done()` holds after all work that could go on has (checked whenever time is
   * about to move): true then; false if it would have to go past `limitMs` of virtual time. Throws when
   * nothing is left to wait for and it is not done.
   */
  async run(done: () => boolean, limitMs: number): Promise<boolean> {
    for (;;) {
      await drainMicrotasks();
      if (done()) return true;
      const next = this.pop();
      if (next === undefined)
        throw new Error(`the simulation stalled at ${this.nowMs} ms: nothing scheduled and not done`);
      if (next.atMs > limitMs) return false;
      this.nowMs = next.atMs;
      this.wakeups++;
      next.wake();
      // Everything due at the same moment wakes together, so their work interleaves as it would.
      while (this.heap[0] !== undefined && this.heap[0].atMs === this.nowMs) {
        this.wakeups++;
        this.pop()?.wake();
      }
    }
  }

  private schedule(atMs: number, wake: () => unknown): void {
    const timer: Timer = { atMs, seq: this.seq++, wake: () => void wake() };
    const heap = this.heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(timer, heap[parent] as Timer)) break;
      heap[i] = heap[parent] as Timer;
      i = parent;
    }
    heap[i] = timer;
  }

  private pop(): Timer | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && before(heap[right] as Timer, heap[left] as Timer) ? right : left;
      if (!before(heap[child] as Timer, last)) break;
      heap[i] = heap[child] as Timer;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}

function before(a: Timer, b: Timer): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
}

/** One turn of the event loop: every promise continuation queued so far, and those they queue, has run. */
function drainMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
