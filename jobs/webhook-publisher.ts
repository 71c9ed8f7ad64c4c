// An OutcomePublisher that POSTs each change to an HTTP endpoint as an EventBridge-shaped event (version,
// id, detail-type, source, time, detail), one request at a time so a receiver sees them in order: local
// mode's `--webhook URL` and `replay --webhook URL`. A refused or failed POST fails the publish.

import { type JobStateChange, OUTCOME_DETAIL_TYPE, OUTCOME_EVENT_SOURCE } from "./outcome-events";
import { OutcomePublishError, type OutcomePublisher } from "./publish-outcomes";

export class WebhookPublisher implements OutcomePublisher {
  constructor(
    private readonly url: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async publish(changes: readonly JobStateChange[]): Promise<void> {
    for (const change of changes) {
      const response = await this.fetchImpl(this.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(outcomeEnvelope(change)),
      }).catch((error: unknown) => {
        throw new OutcomePublishError(`POST ${this.url} failed: ${(error as Error).message}`);
      });
      if (!response.ok)
        throw new OutcomePublishError(`POST ${this.url} answered ${response.status} ${response.statusText}`);
    }
  }
}

/** The change as EventBridge delivers it to a rule's target (id: stable per job and sequence). */
export function outcomeEnvelope(change: JobStateChange): Record<string, unknown> {
  return {
    version: "0",
    id: `${change.jobId}.${change.sequence}`,
    "detail-type": OUTCOME_DETAIL_TYPE,
    source: OUTCOME_EVENT_SOURCE,
    time: change.at.replace(/\.\d{3}Z$/, "Z"),
    detail: change,
  };
}
