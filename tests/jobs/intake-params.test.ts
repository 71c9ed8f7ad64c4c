// A job message's params against the worker's published schema (jobs/boundary/intake.ts): refused with the key and
// the reason for the reference worker, passed as they are for a stack's own worker image.

import { describe, expect, it } from "vitest";
import { readMessage } from "../../jobs/boundary/intake";

const message = (params: unknown) => JSON.stringify({ videoUrl: "s3://uploads/v.mp4", jobId: "j", params });

describe("params of a job message", () => {
  it("are checked against the reference worker's schema by default", () => {
    expect(readMessage(message({ maxThumbnails: 5 }), "m")).toMatchObject([{ kind: "submit", jobId: "j" }]);
    const [refused] = readMessage(message({ foo: 1 }), "m");
    expect(refused).toMatchObject({ kind: "reject" });
    expect(refused?.kind === "reject" && refused.reason).toMatch(/params\.foo: unknown parameter "foo"/);
  });

  it("pass as they are when the stack runs a worker of its own (workerParams: any)", () => {
    expect(readMessage(message({ foo: 1, preset: "720p" }), "m", "any")).toMatchObject([
      { kind: "submit", input: { params: { foo: 1, preset: "720p" } } },
    ]);
  });

  it.each([
    [
      "an integer beyond exact range",
      '{"seed":12345678901234567890}',
      /params.seed is .* a number that cannot be stored exactly/,
    ],
    ["a number DynamoDB cannot hold", '{"p":[1,1e-300]}', /params.p\[1\] is 1e-300/],
    ["30 levels deep", `${'{"a":'.repeat(30)}1${"}".repeat(30)}`, /params nest deeper than 24 levels/],
  ])("unchecked, must still be storable: %s is refused", (_, params, reason) => {
    const [refused] = readMessage(`{"videoUrl":"s3://uploads/v.mp4","params":${params}}`, "m", "any");
    expect(refused?.kind).toBe("reject");
    expect(refused?.kind === "reject" && refused.reason).toMatch(reason);
  });
});
