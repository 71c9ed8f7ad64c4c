// given(events).when(command).then(events): specifications of the job model's decisions.

import { expect } from "vitest";
import { type JobCommand, jobDecider, type PolicyCommand } from "../../jobs/decide";
import type { JobEvent } from "../../jobs/events";
import type { RetryPolicy } from "../../jobs/retry-policy";
import { foldEvents } from "../../jobs/state";
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
