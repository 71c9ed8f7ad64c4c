// Local mode prints the handlers' metrics as lines: the same points the deployed handlers write as EMF.

import { describe, expect, it } from "vitest";
import { metricsOfEvents } from "../../jobs/model/metrics";
import { foldEvents } from "../../jobs/model/state";
import { MetricLines, metricLine } from "../../local/handlers/metric-lines";
import { submitted, T0 } from "../support/factories";

describe("metric lines", () => {
  it("prints each point with its unit, the service and its breakdown", () => {
    const lines: string[] = [];
    const sink = new MetricLines("video-jobs-local", (line) => lines.push(line));
    const events = [
      ...submitted("j"),
      { type: "TaskLaunchFailed", at: T0, attempt: 1, reason: "RESOURCE:MEMORY", retryable: true } as const,
    ];
    for (const point of metricsOfEvents(events, foldEvents("j", events))) sink.add(point);
    sink.publish();
    expect(lines).toEqual([
      "metric JobsSubmitted 1 Count service=video-jobs-local",
      "metric LaunchFailures 1 Count service=video-jobs-local Reason=Capacity",
    ]);
  });

  it("prints seconds to the millisecond", () => {
    expect(metricLine({ name: "RunTimeSeconds", value: 0.1 + 0.2, unit: "Seconds" }, "s")).toBe(
      "metric RunTimeSeconds 0.300 Seconds service=s",
    );
  });
});
