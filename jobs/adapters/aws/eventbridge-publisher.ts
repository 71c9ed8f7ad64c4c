// The OutcomePublisher on EventBridge: PutEvents on the jobs bus, up to 10 entries a call (the API's
// limit), calls one after another so the changes go out in the order given. An entry EventBridge did not
// accept (FailedEntryCount > 0: throttling, internal failure) fails the whole publish, and nothing after
// its call is sent. The failure says how many changes before the first refused entry were accepted
// (PutEventsResponse.Entries: "the index of the response element is the same as the index in the request
// array", https://docs.aws.amazon.com/sdk-for-sap-abap/v1/api/latest/evb/model/_AWS1_CL_EVBPUTEVENTSRESPONSE.html),
// so the delivery engine (outcome-delivery.ts) owes from that one; accepted entries after it in the same
// call are sent again with the same identity (job id + sequence): redeliveries a consumer drops.

import { type EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import {
  type JobStateChange,
  OUTCOME_DETAIL_TYPE,
  OUTCOME_EVENT_SOURCE,
} from "../../boundary/outcome-events";
import { OutcomePublishError, type OutcomePublisher } from "../../workflows/outcome-delivery";

const ENTRIES_PER_CALL = 10;

export class EventBridgeOutcomePublisher implements OutcomePublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}

  async publish(changes: readonly JobStateChange[]): Promise<void> {
    for (let i = 0; i < changes.length; i += ENTRIES_PER_CALL) {
      const chunk = changes.slice(i, i + ENTRIES_PER_CALL);
      const result = await this.client.send(
        new PutEventsCommand({
          Entries: chunk.map((change) => ({
            EventBusName: this.eventBusName,
            Source: OUTCOME_EVENT_SOURCE,
            DetailType: OUTCOME_DETAIL_TYPE,
            Time: new Date(change.at),
            Detail: JSON.stringify(change),
          })),
        }),
      );
      if ((result.FailedEntryCount ?? 0) > 0) {
        const failures = (result.Entries ?? [])
          .map((entry, index) => ({ entry, change: chunk[index] }))
          .filter(({ entry }) => entry.ErrorCode !== undefined)
          .map(({ entry, change }) =>
            `${change?.jobId}#${change?.sequence}: ${entry.ErrorCode} ${entry.ErrorMessage ?? ""}`.trim(),
          );
        const firstRefused = (result.Entries ?? []).findIndex((entry) => entry.ErrorCode !== undefined);
        throw new OutcomePublishError(
          `EventBridge refused ${result.FailedEntryCount} event(s): ${failures.join("; ")}`,
          i + Math.max(0, firstRefused),
        );
      }
    }
  }
}
