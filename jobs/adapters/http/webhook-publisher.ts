// An OutcomePublisher that POSTs each change to an HTTP endpoint as an EventBridge-shaped event (version,
// id, detail-type, source, time, detail), one request at a time so a receiver sees them in order: local
// mode's `--webhook URL` and `replay --webhook URL`, both through the outbox (outcome-delivery.ts), which
// retries what was not accepted. Accepted means a 2xx answer within the timeout; anything else — another
// status (a redirect too: it is not followed), a refused connection, no answer in time — fails the publish, saying how many changes before it
// were accepted, so the outbox sends again from the first one that was not.

import {
  type JobStateChange,
  OUTCOME_DETAIL_TYPE,
  OUTCOME_EVENT_SOURCE,
} from "../../boundary/outcome-events";
import { OutcomePublishError, type OutcomePublisher, outcomeEventId } from "../../workflows/outcome-delivery";

/**
 * Why `text` cannot be a webhook's URL (undefined when it can): not a URL fetch can send to (a port out of
 * range, a space in the host), or not http(s). Checked before anything starts: fetch would refuse every POST
 * ("Failed to parse URL"), and the outbox would retry that forever.
 */
export function webhookUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return `the scheme is ${url.protocol}`;
  if (url.hostname === "") return "no host";
  return undefined;
}

/** A receiver that has not answered in this long is taken as not having accepted the event. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

export class WebhookPublisher implements OutcomePublisher {
  constructor(
    private readonly url: string,
    private readonly fetchImpl: typeof fetch = fetch,
    private readonly timeoutMs: number = WEBHOOK_TIMEOUT_MS,
  ) {}

  async publish(changes: readonly JobStateChange[], signal?: AbortSignal): Promise<void> {
    for (const [accepted, change] of changes.entries()) {
      const fail = (why: string) =>
        new OutcomePublishError(`POST ${this.url} ${why} (${change.jobId} #${change.sequence})`, accepted);
      const response = await this.fetchImpl(this.url, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": outcomeEventId(change) },
        body: JSON.stringify(outcomeEnvelope(change)),
        signal:
          signal === undefined
            ? AbortSignal.timeout(this.timeoutMs)
            : AbortSignal.any([AbortSignal.timeout(this.timeoutMs), signal]),
        // Not followed: fetch would follow a 301/302/303 with a GET and no body (the Fetch standard's
        // redirect rule), and that GET's 200 would count as this event accepted. A redirect is a refusal
        // that says where the receiver went.
        redirect: "manual",
      }).catch((error: unknown) => {
        throw fail(`failed: ${describeFetchError(error, this.timeoutMs)}`);
      });
      // Read to the end, so the connection is free for the next POST (and a slow body counts in the timeout).
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) {
        const location = response.headers.get("location");
        const redirected = location === null ? "" : `, redirecting to ${location} (give --webhook that URL)`;
        throw fail(`answered ${`${response.status} ${response.statusText}`.trimEnd()}${redirected}`);
      }
    }
  }
}

/** The change as EventBridge delivers it to a rule's target; `id` is its identity (outcomeEventId). */
export function outcomeEnvelope(change: JobStateChange): Record<string, unknown> {
  return {
    version: "0",
    id: outcomeEventId(change),
    "detail-type": OUTCOME_DETAIL_TYPE,
    source: OUTCOME_EVENT_SOURCE,
    time: change.at.replace(/\.\d{3}Z$/, "Z"),
    detail: change,
  };
}

/** fetch says "fetch failed" for every network error; the reason is in its cause (ECONNREFUSED, ...). */
function describeFetchError(error: unknown, timeoutMs: number): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === "TimeoutError") return `no answer within ${timeoutMs / 1000} s`;
  if (error.name === "AbortError") return "abandoned: stopping";
  const cause = error.cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === "string" ? `${code} (${cause.message})` : cause.message;
  }
  return error.message;
}
