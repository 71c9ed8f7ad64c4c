// Local mode's metrics: the points the handlers emit (jobs/model/metrics.ts, through the store they change jobs
// with) printed as one line each, `metric <name> <value> <unit> service=<service> [<dimension>=<value>]`,
// where the deployed handlers write Embedded Metric Format for CloudWatch. Lines go out as points are
// added, so there is nothing to publish at the end of an invocation.

import type { PublishingMetrics } from "../../handlers/metrics";
import type { MetricPoint } from "../../jobs/model";

/** The `service` dimension of local mode's metrics (the deployed stacks use their pipeline's name). */
export const LOCAL_METRICS_SERVICE = "video-jobs-local";

export class MetricLines implements PublishingMetrics {
  constructor(
    private readonly service: string,
    private readonly print: (line: string) => void,
  ) {}

  add(point: MetricPoint): void {
    this.print(metricLine(point, this.service));
  }

  publish(): void {}
}

export function metricLine(point: MetricPoint, service: string): string {
  const dimensions = Object.entries({ service, ...point.dimensions }).map(
    ([name, value]) => `${name}=${value}`,
  );
  // Seconds to the millisecond, counts as they are: no float noise such as 0.30000000000000004.
  const value = Number.isInteger(point.value) ? String(point.value) : point.value.toFixed(3);
  return `metric ${point.name} ${value} ${point.unit} ${dimensions.join(" ")}`;
}
