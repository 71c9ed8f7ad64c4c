// given(events).when(command).then(events): specifications of the job model's decisions.

import { expect } from "vitest";
import { decide, type JobCommand } from "../../jobs/decide.js";
import type { JobEvent } from "../../jobs/events.js";
import type { RetryPolicy } from "../../jobs/retry-policy.js";
import { foldEvents } from "../../jobs/state.js";
import { TEST_POLICY } from "./factories.js";

export function given(jobId: string, history: readonly JobEvent[], policy: RetryPolicy = TEST_POLICY) {
  return {
    when(command: JobCommand) {
      const decideNow = () => decide(foldEvents(jobId, history), command, policy);
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
