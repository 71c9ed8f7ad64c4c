// One line for a test file of a handler: record every AWS call the handler makes (its real clients through
// the middleware, its mocked ones from the mocks' history before each reset), and end the file by checking
// them against the role the Pulumi program gives that function. The file wraps its handler in what this
// returns, so the test's own calls (setting up tables, reading jobs back) are not counted.

import type { AwsStub } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll } from "vitest";
import { expectCallsAllowed } from "./check";
import { type AwsCall, during, mockedCalls, recordEveryClient } from "./recorder";
import type { RuntimeFunction } from "./stack-roles";

/**
 * Records the handler's AWS calls as `fn`'s and checks them against its role after the file's tests;
 * returns the wrapper for the handler (`handler = asTheDispatcher((event) => module.handler(event))`).
 * The mocked clients' calls are all taken as the handler's: a test only mocks what its handler calls.
 */
export function checkAwsCallsAgainstRole(
  fn: RuntimeFunction,
  // biome-ignore lint/suspicious/noExplicitAny: aws-sdk-client-mock's stub of any client
  mocks: readonly AwsStub<any, any, any>[] = [],
): typeof during {
  const calls: AwsCall[] = [];
  let stop: (() => void) | undefined;
  beforeAll(() => {
    stop = recordEveryClient((call) => calls.push(call));
  });
  afterEach(() => {
    for (const mock of mocks) calls.push(...mockedCalls(mock));
  });
  afterAll(async () => {
    stop?.();
    await expectCallsAllowed(fn, calls, { ...process.env });
  }, 180_000);
  return during;
}
