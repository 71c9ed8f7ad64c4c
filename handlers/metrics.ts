// The handlers' Metrics adapter: Powertools for AWS Lambda's Metrics, which writes the points in Embedded
// Metric Format to stdout, where CloudWatch Logs turns them into metrics (no PutMetricData call, no extra
// permission). Points are buffered and published once per invocation (`publishingMetrics` in clients.ts);
// a point with a breakdown (a Reason, an Action) is counted under `service` alone with the others, and is
// also written at once as a single metric with its own dimension. Local mode uses a sink of its own.

import { MetricUnit, Metrics as PowertoolsMetrics } from "@aws-lambda-powertools/metrics";
import type { MetricPoint, Metrics } from "../jobs/model";

/** A Metrics port that buffers: `publish` sends what was added since the last one. */
export interface PublishingMetrics extends Metrics {
  publish(): void;
}

export interface MetricsSettings {
  readonly namespace: string;
  /** The `service` dimension every point carries: the pipeline (stack), not the handler. */
  readonly service: string;
}

export class EmbeddedMetrics implements PublishingMetrics {
  private readonly metrics: PowertoolsMetrics;

  constructor(settings: MetricsSettings) {
    this.metrics = new PowertoolsMetrics({ namespace: settings.namespace, serviceName: settings.service });
  }

  add(point: MetricPoint): void {
    const unit = MetricUnit[point.unit];
    this.metrics.addMetric(point.name, unit, point.value);
    if (point.dimensions !== undefined) {
      // A single metric keeps the default `service` dimension and is written as soon as it is added.
      this.metrics.singleMetric().addDimensions(point.dimensions).addMetric(point.name, unit, point.value);
    }
  }

  publish(): void {
    // Powertools warns on every publish with nothing stored; an invocation that changed no job has nothing.
    if (this.metrics.hasStoredMetrics()) this.metrics.publishStoredMetrics();
  }
}
