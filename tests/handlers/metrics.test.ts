// The handlers' metrics adapter (handlers/metrics.ts) writes Embedded Metric Format that CloudWatch can
// extract: the namespace and `service` given, every point with its unit, breakdowns as single metrics with
// their own dimension, nothing at all when nothing was measured.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { EmbeddedMetrics } from "../../handlers/metrics";
import { JOB_METRIC_NAMES, JOB_METRICS } from "../../jobs/model/metrics";

interface Emf {
  readonly _aws: {
    readonly Timestamp: number;
    readonly CloudWatchMetrics: readonly {
      readonly Namespace: string;
      readonly Dimensions: readonly (readonly string[])[];
      readonly Metrics: readonly { readonly Name: string; readonly Unit: string }[];
    }[];
  };
  readonly [key: string]: unknown;
}

let written: string[];
beforeEach(() => {
  written = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** Every EMF document written to stdout, parsed. */
const documents = (): Emf[] =>
  written
    .join("")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Emf);

describe("EmbeddedMetrics", () => {
  it("publishes the buffered points as one EMF document in the namespace, with the service dimension", () => {
    const metrics = new EmbeddedMetrics({ namespace: "VideoJobs", service: "video-jobs-dev" });
    metrics.add({ name: "JobsSucceeded", value: 1, unit: "Count" });
    metrics.add({ name: "JobsSucceeded", value: 1, unit: "Count" });
    metrics.add({ name: "RunTimeSeconds", value: 12.5, unit: "Seconds" });
    expect(documents()).toEqual([]);
    metrics.publish();

    const [emf, ...rest] = documents();
    expect(rest).toEqual([]);
    expect(emf?._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: "VideoJobs",
        Dimensions: [["service"]],
        Metrics: [
          { Name: "JobsSucceeded", Unit: "Count" },
          { Name: "RunTimeSeconds", Unit: "Seconds" },
        ],
      },
    ]);
    expect(emf).toMatchObject({ service: "video-jobs-dev", JobsSucceeded: [1, 1], RunTimeSeconds: 12.5 });
    expect(typeof emf?._aws.Timestamp).toBe("number");
  });

  it("counts a point with a breakdown under service alone, and writes it with its dimension as well", () => {
    const metrics = new EmbeddedMetrics({ namespace: "VideoJobs", service: "video-jobs-dev" });
    metrics.add({ name: "LaunchFailures", value: 1, unit: "Count", dimensions: { Reason: "Capacity" } });
    metrics.add({ name: "SweeperActions", value: 1, unit: "Count", dimensions: { Action: "lost" } });
    metrics.publish();

    const all = documents();
    const byDimensions = (dimensions: string[]) =>
      all.filter((emf) =>
        emf._aws.CloudWatchMetrics.some(
          (set) => JSON.stringify(set.Dimensions) === JSON.stringify([dimensions]),
        ),
      );
    expect(byDimensions(["service", "Reason"])).toEqual([
      expect.objectContaining({ service: "video-jobs-dev", Reason: "Capacity", LaunchFailures: 1 }),
    ]);
    expect(byDimensions(["service", "Action"])).toEqual([
      expect.objectContaining({ service: "video-jobs-dev", Action: "lost", SweeperActions: 1 }),
    ]);
    expect(byDimensions(["service"])).toEqual([
      expect.objectContaining({ LaunchFailures: 1, SweeperActions: 1 }),
    ]);
    for (const emf of all) expect(emf._aws.CloudWatchMetrics[0]?.Namespace).toBe("VideoJobs");
  });

  it("writes nothing, not even a warning, when nothing was measured", () => {
    new EmbeddedMetrics({ namespace: "VideoJobs", service: "video-jobs-dev" }).publish();
    expect(written).toEqual([]);
  });

  it("accepts every metric of the list with its declared unit", () => {
    const metrics = new EmbeddedMetrics({ namespace: "VideoJobs", service: "s" });
    for (const name of JOB_METRIC_NAMES) metrics.add({ name, value: 1, unit: JOB_METRICS[name].unit });
    metrics.publish();
    const names = documents().flatMap((emf) => emf._aws.CloudWatchMetrics.flatMap((set) => set.Metrics));
    expect(names.map((metric) => metric.Name).sort()).toEqual(Object.keys(JOB_METRICS).sort());
  });
});
