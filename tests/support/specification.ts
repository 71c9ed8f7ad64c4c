// given(events).when(command).then(events): specifications of the job model's decisions.

import { expect } from "vitest";
import { type JobCommand, jobDecider, type PolicyCommand } from "../../jobs/model/decide";
import type { JobEvent } from "../../jobs/model/events";
import type { RetryPolicy } from "../../jobs/model/retry-policy";
import { evolve, foldEvents, type JobState } from "../../jobs/model/state";
import { TEST_POLICY } from "./factories";

export function given(jobId: string, history: readonly JobEvent[], policy: RetryPolicy = TEST_POLICY) {
  return {
    when(command: JobCommand | PolicyCommand) {
      const decideNow = () => jobDecider(policy)(foldEvents(jobId, history), command);
      return {
        // biome-ignore lint/suspicious/noThenProperty: given/when/then is the specification's vocabulary
        then(expected: readonly JobEvent[]) {
          expect(decideNow()).toEqual(expected);
        },
        thenNothing() {
          expect(decideNow()).toEqual([]);
        },
        thenThrows(error: new (...args: never[]) => Error, message?: RegExp) {
          expect(decideNow).toThrow(error);
          if (message) expect(decideNow).toThrow(message);
        },
        /** The events decided, for assertions on parts of them. */
        events: decideNow,
      };
    },
  };
}

/**
 * given(history).whenEvent(event).then(state): specifications of `evolve`, the fold of one event. `then`
 * takes the whole expected state, so a field the event should not touch and does is caught too.
 */
export function givenHistory(jobId: string, history: readonly JobEvent[]) {
  return {
    whenEvent(event: JobEvent) {
      const before = foldEvents(jobId, history);
      const evolveNow = () => evolve(before, event);
      return {
        // biome-ignore lint/suspicious/noThenProperty: given/when/then is the specification's vocabulary
        then(expected: JobState) {
          expect(evolveNow()).toEqual(expected);
        },
        /** Only `updatedAt` moves: the event is recorded but changes nothing the job is. */
        thenUnchanged() {
          expect(evolveNow()).toEqual({ ...before, updatedAt: event.at });
        },
        /** The state before the event, for building the expected one. */
        before,
      };
    },
  };
}
