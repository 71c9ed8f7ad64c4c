// Why this is tested: as first written, `jobs stats --sizes` takes an attempt's size only from its
// recorded cost (size-recommendation.ts, sizeMeasurements). Since issue 13 an attempt in a region whose entry
// has no price for its architecture records NO cost — ARM64 (the default workerArchitecture) in us-west-2,
// us-west-1, eu-central-1, ap-south-1, ca-central-1 — though since issue 14 every launch records the attempt's
// size (TaskLaunchRequested.size). There the report says the current size is "unknown: the history records
// no size (give --cpu and --memory)", and a job retried bigger after running out of memory is not told apart
// from the others.
// Expected: given a succeeded job whose launch recorded 1 vCPU 4 GiB and whose stop recorded no cost, when
// its size is measured, then the measurement has the size its launch recorded, and the report's current size
// is that size.

import { expect, it } from "vitest";
import { recommendSize, sizeMeasurements } from "../../jobs/insights/size-recommendation";
import type { JobEvent } from "../../jobs/model/events";
import { foldEvents } from "../../jobs/model/state";

const SIZE = { cpu: 1024, memoryMib: 4096 };
const ARN = "arn:aws:ecs:us-west-2:111122223333:task/video-jobs/abc";

function succeeded(jobId: string): JobEvent[] {
  const at = "2026-11-30T10:00:00.000Z";
  return [
    { type: "JobSubmitted", at, jobId, input: { videoUrl: "s3://b/k.mp4" }, source: { kind: "message" } },
    {
      type: "TaskLaunchRequested",
      at,
      attempt: 1,
      clientToken: `${jobId}.1`,
      size: SIZE,
      capacity: "FARGATE",
    },
    { type: "TaskLaunched", at, attempt: 1, taskArn: ARN },
    {
      type: "TaskStopped",
      at: "2026-11-30T10:05:00.000Z",
      attempt: 1,
      taskArn: ARN,
      ecsVersion: 5,
      exitCode: 0,
      stopCode: "EssentialContainerExited",
      timings: { startedAt: "2026-11-30T10:00:10.000Z", executionStoppedAt: "2026-11-30T10:04:10.000Z" },
      // No cost: us-west-2 has no ARM64 price in the table.
      workerOutcome: { code: "ok", message: "analysed", peakMemoryMb: 1500, cpuSeconds: 120 },
    },
    { type: "JobSucceeded", at: "2026-11-30T10:05:00.000Z", attempt: 1 },
  ];
}

it("measures a succeeded job's size from its launch when its stop recorded no cost", () => {
  const histories = Array.from({ length: 12 }, (_, i) => {
    const jobId = `job-${i}`;
    const events = succeeded(jobId);
    return { state: foldEvents(jobId, events), events };
  });
  expect(histories[0]?.state.status).toBe("SUCCEEDED");
  const measurements = sizeMeasurements(histories);
  expect(measurements.measured[0]?.size).toEqual(SIZE);
  const report = recommendSize({
    measurements,
    region: "us-west-2",
    pricesFor: () => undefined,
  });
  expect(report.current).toEqual(SIZE);
});
