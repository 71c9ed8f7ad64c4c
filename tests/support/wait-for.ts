// Waiting in tests for the thing a test is about to happen, rather than for a fixed time: polls a condition
// and fails naming what never happened. A fixed sleep is either too short on a busy machine (a flaky
// failure) or longer than needed everywhere else.

export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  { timeoutMs = 10_000, everyMs = 10 }: { timeoutMs?: number; everyMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}; it did not happen`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
