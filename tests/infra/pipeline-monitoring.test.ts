// Operations monitoring under Pulumi mocks (dev stack, no alarm email): the stack's one alarm topic, every
// alarm of the issue present and notifying it on both edges, and the dashboard, whose graphs of the
// pipeline's metrics are exactly the list the handlers emit (jobs/model/metrics.ts).

import { beforeAll, describe, expect, it } from "vitest";
import { FAILED_RATE_MIN_JOBS } from "../../components/monitoring/operations-monitoring";
import { parsePipelineConfig } from "../../config/parse";
import { JOB_METRIC_NAMES, JOB_METRICS, JOB_METRICS_NAMESPACE } from "../../jobs/model/metrics";
import { REGION } from "./support/pulumi-mocks";
import { json, PIPELINE_NAME, type PipelineRun, referencesOf, runPipeline } from "./support/run-pipeline";
import { projectRawConfig } from "./support/stack-config";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const config = parsePipelineConfig(projectRawConfig("dev"));
let run: PipelineRun;
let refs: Awaited<ReturnType<typeof referencesOf>>;

beforeAll(async () => {
  run = await runPipeline(config);
  refs = await referencesOf(run.pipeline);
}, 60_000);

const alarm = (role: string) => run.one(ALARM, `monitoring-${role}`).inputs;

describe("the alarm topic", () => {
  it("is one topic of the stack's own, with no subscription unless alarmEmail is set", () => {
    const [topic, ...others] = run.ofType("aws:sns/topic:Topic");
    expect(others).toEqual([]);
    expect(topic?.name).toBe(`${PIPELINE_NAME}-alarms-topic`);
    expect(refs.alarmTopicArn).toMatch(new RegExp(`^arn:aws:sns:us-east-1:123456789012:${topic?.name}-`));
    expect(run.ofType("aws:sns/topicSubscription:TopicSubscription")).toEqual([]);
  });

  it("is what every alarm of the stack notifies, when it fires and when it clears", () => {
    const alarms = run.ofType(ALARM);
    expect(alarms.length).toBe(16);
    for (const each of alarms) {
      expect(each.inputs, each.name).toMatchObject({
        alarmActions: [refs.alarmTopicArn],
        okActions: [refs.alarmTopicArn],
      });
      expect(String(each.inputs.alarmDescription ?? ""), each.name).not.toBe("");
    }
  });
});

describe("the alarms", () => {
  it("fire on anything in the jobs DLQ or the task-state DLQ", () => {
    for (const [role, queue] of [
      ["jobs-dlq", refs.deadLetterQueueName],
      ["task-state-dlq", refs.trackerDeadLetterQueueName],
    ] as const) {
      expect(alarm(role)).toMatchObject({
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: queue },
        threshold: 1,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
      });
    }
  });

  it("fire when the oldest jobs message is older than alarmOldestMessageMinutes", () => {
    expect(alarm("oldest-message")).toMatchObject({
      namespace: "AWS/SQS",
      metricName: "ApproximateAgeOfOldestMessage",
      dimensions: { QueueName: refs.jobsQueueName },
      statistic: "Maximum",
      threshold: config.alarms.oldestMessageMinutes * 60,
      comparisonOperator: "GreaterThanThreshold",
    });
  });

  it("fire on a failed-job rate over alarmFailedJobPercent, from a minimum of finished jobs", () => {
    const failed = alarm("failed-jobs");
    expect(failed).toMatchObject({
      threshold: config.alarms.failedJobPercent,
      comparisonOperator: "GreaterThanThreshold",
    });
    const queries = failed.metricQueries as {
      id: string;
      expression?: string;
      returnData?: boolean;
      metric?: Record<string, unknown>;
    }[];
    expect(queries.filter((query) => query.metric).map((query) => query.metric)).toEqual([
      expect.objectContaining({
        namespace: JOB_METRICS_NAMESPACE,
        metricName: "JobsFailed",
        dimensions: { service: PIPELINE_NAME },
        stat: "Sum",
      }),
      expect.objectContaining({
        namespace: JOB_METRICS_NAMESPACE,
        metricName: "JobsSucceeded",
        dimensions: { service: PIPELINE_NAME },
        stat: "Sum",
      }),
    ]);
    const [rate, ...more] = queries.filter((query) => query.returnData === true);
    expect(more).toEqual([]);
    expect(rate?.expression).toContain(`>= ${FAILED_RATE_MIN_JOBS}`);
    expect(rate?.expression).toMatch(
      /100 \* FILL\(failed, 0\) \/ \(FILL\(failed, 0\) \+ FILL\(succeeded, 0\)\)/,
    );
  });

  it("fire when the sweeper found stuck or lost jobs", () => {
    expect(alarm("stuck-jobs")).toMatchObject({
      namespace: JOB_METRICS_NAMESPACE,
      metricName: "StuckJobsFound",
      dimensions: { service: PIPELINE_NAME },
      statistic: "Sum",
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
    });
  });

  it("fire when launches were throttled in every minute of alarmThrottledLaunchesMinutes", () => {
    const minutes = config.alarms.throttledLaunchesMinutes;
    expect(alarm("throttled-launches")).toMatchObject({
      namespace: JOB_METRICS_NAMESPACE,
      metricName: "ThrottledLaunches",
      dimensions: { service: PIPELINE_NAME },
      period: 60,
      evaluationPeriods: minutes,
      datapointsToAlarm: minutes,
      threshold: 0,
      treatMissingData: "notBreaching",
    });
  });

  it("fire on errors and on throttles of each Lambda", () => {
    const functions = {
      dispatcher: refs.dispatcherName,
      "task-state": refs.taskStateName,
      sweeper: refs.sweeperName,
      publisher: refs.publisherName,
    };
    for (const [role, functionName] of Object.entries(functions)) {
      for (const metricName of ["Errors", "Throttles"]) {
        expect(alarm(`${role}-${metricName.toLowerCase()}`), `${role} ${metricName}`).toMatchObject({
          namespace: "AWS/Lambda",
          metricName,
          dimensions: { FunctionName: functionName },
          threshold: 0,
          comparisonOperator: "GreaterThanThreshold",
        });
      }
    }
  });

  it("watch only metrics the handlers emit, in the namespace and service they write", () => {
    const ours = run
      .ofType(ALARM)
      .flatMap((each) => [
        each.inputs,
        ...((each.inputs.metricQueries as { metric?: Record<string, unknown> }[]) ?? []).map(
          (q) => q.metric ?? {},
        ),
      ])
      .filter((inputs) => inputs.namespace === JOB_METRICS_NAMESPACE);
    expect(ours.length).toBe(4);
    for (const inputs of ours) {
      expect(JOB_METRIC_NAMES).toContain(inputs.metricName);
      expect(inputs.dimensions).toEqual({ service: PIPELINE_NAME });
    }
  });
});

interface MetricWidget {
  type: string;
  x: number;
  y: number;
  width: number;
  height: number;
  properties: {
    title?: string;
    region?: string;
    metrics?: (string | Record<string, unknown>)[][];
    annotations?: unknown;
  };
}

describe("the dashboard", () => {
  // CloudWatch dashboards are global to the account ("All dashboards in your account are global, not
  // region-specific", AWS::CloudWatch::Dashboard in the CloudFormation reference): the same stack deployed
  // in two regions must not write one dashboard.
  it("is named after the pipeline and the region, unique in the account", () => {
    const dashboard = run.one("aws:cloudwatch/dashboard:Dashboard", "monitoring-dashboard").inputs;
    expect(dashboard.dashboardName).toBe(`${PIPELINE_NAME}-${REGION}`);
  });

  const body = () => {
    const dashboard = run.one("aws:cloudwatch/dashboard:Dashboard", "monitoring-dashboard").inputs;
    return json<{ widgets: MetricWidget[] }>(dashboard.dashboardBody);
  };
  /** Each metric line as namespace, name and dimensions. */
  const lines = () =>
    body().widgets.flatMap((widget) =>
      (widget.properties.metrics ?? []).map((line) => {
        const [namespace, name, ...rest] = line.filter((part): part is string => typeof part === "string");
        const dimensions: Record<string, string> = {};
        for (let i = 0; i + 1 < rest.length; i += 2) dimensions[rest[i] as string] = rest[i + 1] as string;
        return { namespace, name, dimensions, options: line.find((part) => typeof part === "object") };
      }),
    );

  it("is valid dashboard JSON: widgets on the 24-column grid, each graph in the stack's region", () => {
    const { widgets } = body();
    expect(widgets.length).toBeGreaterThan(8);
    for (const widget of widgets) {
      expect(widget.x + widget.width).toBeLessThanOrEqual(24);
      if (widget.type === "metric") expect(widget.properties.region).toBe("us-east-1");
    }
  });

  it("graphs exactly the metrics of the list the handlers emit, with the service they write", () => {
    const ours = lines().filter((line) => line.namespace === JOB_METRICS_NAMESPACE);
    expect([...new Set(ours.map((line) => line.name))].sort()).toEqual([...JOB_METRIC_NAMES].sort());
    for (const line of ours) expect(line.dimensions.service).toBe(PIPELINE_NAME);
    for (const name of JOB_METRIC_NAMES) {
      const stats = ours.filter((line) => line.name === name && Object.keys(line.dimensions).length === 1);
      expect(
        stats.map((line) => (line.options as { stat: string }).stat),
        name,
      ).toEqual([...JOB_METRICS[name].statistics]);
    }
  });

  it("breaks launch failures down by Reason and sweeper actions by Action, one line per value", () => {
    const by = (name: string, dimension: string) =>
      lines()
        .filter((line) => line.name === name && line.dimensions[dimension] !== undefined)
        .map((line) => line.dimensions[dimension]);
    expect(by("LaunchFailures", "Reason")).toEqual([...JOB_METRICS.LaunchFailures.breakdown.values]);
    expect(by("SweeperActions", "Action")).toEqual([...JOB_METRICS.SweeperActions.breakdown.values]);
  });

  it("shows queue depth and age of the jobs queue and its dead letters, and each Lambda's errors and throttles", () => {
    const all = lines();
    const queues = all
      .filter((line) => line.namespace === "AWS/SQS")
      .map((line) => line.dimensions.QueueName);
    expect(new Set(queues)).toEqual(
      new Set([
        refs.jobsQueueName,
        refs.deadLetterQueueName,
        refs.trackerDeadLetterQueueName,
        refs.outcomesDeadLetterQueueName,
      ]),
    );
    expect(all.some((line) => line.name === "ApproximateAgeOfOldestMessage")).toBe(true);
    const lambdas = all.filter((line) => line.namespace === "AWS/Lambda");
    expect(lambdas.map((line) => `${line.name} ${line.dimensions.FunctionName}`).sort()).toEqual(
      [refs.dispatcherName, refs.taskStateName, refs.sweeperName, refs.publisherName]
        .flatMap((name) => [`Errors ${name}`, `Throttles ${name}`])
        .sort(),
    );
  });
});
