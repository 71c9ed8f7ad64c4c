// The "Job State Change" detail is published as JSON Schema (docs/events/): it must match the code that
// builds the events, and the events built must satisfy it.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { OUTCOME_SCHEMA_FILE } from "../../docs/events/write-schema";
import {
  jobStateChangeJsonSchema,
  jobStateChangeSchema,
  jobStateChanges,
} from "../../jobs/boundary/outcome-events";
import type { JobEvent } from "../../jobs/model/events";
import { launched, stopped } from "../support/factories";

describe("the published event schema", () => {
  it("is current (regenerate with: npx tsx docs/events/write-schema.ts)", () => {
    expect(JSON.parse(readFileSync(OUTCOME_SCHEMA_FILE, "utf8"))).toEqual(jobStateChangeJsonSchema());
  });

  it("names the job, its sequence, status and what consumers filter on", () => {
    const schema = jobStateChangeJsonSchema() as { required: string[] };
    expect(schema.required).toEqual(
      expect.arrayContaining(["jobId", "sequence", "event", "at", "status", "attempt", "timings"]),
    );
  });

  it("holds for a failed job's events, the worker's own reason included when TaskStopped carries one", () => {
    const stop = stopped(1, { exitCode: 65 });
    const history: JobEvent[] = [
      ...launched("schema-1"),
      {
        type: "TaskStopped",
        at: "2026-11-26T10:01:00.000Z",
        attempt: 1,
        taskArn: stop.taskArn,
        ecsVersion: 5,
        exitCode: 65,
        failure: {
          kind: "non-retryable-exit-code",
          description: "the input is not a processable video (exit 65)",
        },
        timings: {},
        // The field the worker-outcome work adds to TaskStopped, read by shape.
        ...{ workerOutcome: { code: "not-a-video", message: "no video stream in the input" } },
      },
      {
        type: "JobFailed",
        at: "2026-11-26T10:01:00.000Z",
        reason: "the input is not a processable video (exit 65)",
      },
    ];
    const changes = jobStateChanges("schema-1", history, 0, { outputBucket: "b", outputPrefix: "out/" });
    for (const change of changes) expect(jobStateChangeSchema.parse(change)).toEqual(change);
    expect(changes.at(-1)).toMatchObject({
      sequence: 5,
      status: "FAILED",
      failure: {
        reason: "the input is not a processable video (exit 65)",
        kind: "non-retryable-exit-code",
        exitCode: 65,
        workerReason: "not-a-video: no video stream in the input",
      },
    });
    expect(changes.at(-1)?.output).toBeUndefined();
  });

  it("says where the latest attempt runs, from its launch on (its size and capacity provider)", () => {
    const changes = jobStateChanges("schema-2", launched("schema-2"), 0, {
      outputBucket: "b",
      outputPrefix: "out/",
    });
    for (const change of changes) expect(jobStateChangeSchema.parse(change)).toEqual(change);
    expect(changes[0]).not.toHaveProperty("placement"); // JobSubmitted: nothing launched yet
    expect(changes.at(-1)?.placement).toEqual({ cpu: 1024, memoryMib: 2048, capacityProvider: "FARGATE" });
  });
});
