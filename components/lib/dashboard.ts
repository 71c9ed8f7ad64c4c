// The operations dashboard's body (CloudWatch dashboard JSON), built from the one list of the pipeline's
// metrics (jobs/model/metrics.ts JOB_METRICS): each metric is drawn on its panel with its statistics, and each
// breakdown (launch failures by Reason, sweeper actions by Action) gets a graph of its own, so the dashboard
// never names one of the pipeline's metrics itself. The queues and Lambdas are AWS's own metrics. Pure:
// the component resolves the names and serializes the result.

import {
  type DashboardStatistic,
  JOB_METRIC_NAMES,
  JOB_METRICS,
  type JobMetricName,
  type JobMetricSpec,
  type MetricPanel,
} from "../../jobs/model";

export interface DashboardTargets {
  readonly region: string;
  /** Where the handlers write the pipeline's metrics, and their `service` dimension. */
  readonly namespace: string;
  readonly service: string;
  readonly queues: {
    readonly jobs: string;
    readonly jobsDeadLetter: string;
    readonly taskStateDeadLetter: string;
    readonly outcomesDeadLetter: string;
  };
  /** Lambda function names by role (dispatcher, task-state, sweeper, publisher). */
  readonly functions: Readonly<Record<string, string>>;
  /** Drawn as a line on the running-tasks graph when known (maxRunningTasks). */
  readonly runningTasksCap?: number;
  /** Drawn on the queue-age graph: where its alarm fires. */
  readonly oldestMessageAlarmSeconds: number;
}

/** Title and period of each panel of the pipeline's metrics, in the order they are laid out. */
export const METRIC_PANELS: Readonly<
  Record<MetricPanel, { readonly title: string; readonly period: number }>
> = {
  outcomes: { title: "Job outcomes (per 5 minutes)", period: 300 },
  queueWait: { title: "Queue wait: submission to task start (seconds)", period: 300 },
  runTime: { title: "Worker run time (seconds)", period: 300 },
  launches: { title: "Launches: failures, throttles, jobs waiting for a slot (per minute)", period: 60 },
  capacity: { title: "Running tasks against the cap", period: 60 },
  sweeper: { title: "Sweeper: stuck or lost jobs found (per 5 minutes)", period: 300 },
};

const WIDTH = 12;
const HEIGHT = 6;

type MetricLine = readonly (string | Record<string, unknown>)[];

interface Widget {
  readonly type: "metric" | "text";
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly properties: Record<string, unknown>;
}

interface Graph {
  readonly title: string;
  readonly period: number;
  readonly metrics: readonly MetricLine[];
  readonly annotations?: readonly { readonly label: string; readonly value: number }[];
}

export function dashboardBody(targets: DashboardTargets): { widgets: Widget[] } {
  const graphs = [...queueGraphs(targets), ...pipelineGraphs(targets), ...lambdaGraphs(targets)];
  const header: Widget = {
    type: "text",
    x: 0,
    y: 0,
    width: 2 * WIDTH,
    height: 2,
    properties: {
      markdown: `# ${targets.service}\nVideo jobs: the jobs queue, job outcomes, launches, the sweeper and the Lambdas. Every alarm of the stack notifies its alarm topic; docs/operations.md in the repository says what each means and what to do first.`,
    },
  };
  return {
    widgets: [
      header,
      ...graphs.map(
        (graph, i): Widget => ({
          type: "metric",
          x: (i % 2) * WIDTH,
          y: 2 + Math.floor(i / 2) * HEIGHT,
          width: WIDTH,
          height: HEIGHT,
          properties: {
            title: graph.title,
            region: targets.region,
            view: "timeSeries",
            stacked: false,
            period: graph.period,
            metrics: graph.metrics,
            yAxis: { left: { min: 0 } },
            ...(graph.annotations === undefined ? {} : { annotations: { horizontal: graph.annotations } }),
          },
        }),
      ),
    ],
  };
}

/** One graph per panel, then one per breakdown: every metric of JOB_METRICS appears. */
function pipelineGraphs(targets: DashboardTargets): Graph[] {
  const line = (
    name: JobMetricName,
    stat: DashboardStatistic,
    extra: Record<string, string> = {},
  ): MetricLine => {
    const dimensions = Object.entries({ service: targets.service, ...extra }).flat();
    const label = [name, ...Object.values(extra), stat === "Sum" ? "" : stat].filter(Boolean).join(" ");
    return [targets.namespace, name, ...dimensions, { stat, label }];
  };
  const panels = Object.entries(METRIC_PANELS) as [MetricPanel, (typeof METRIC_PANELS)[MetricPanel]][];
  const byPanel = panels.map(([panel, { title, period }]): Graph => {
    const names = JOB_METRIC_NAMES.filter((name) => JOB_METRICS[name].panel === panel);
    const cap = panel === "capacity" ? capAnnotation(targets.runningTasksCap) : undefined;
    return {
      title,
      period,
      metrics: names.flatMap((name) => JOB_METRICS[name].statistics.map((stat) => line(name, stat))),
      ...(cap === undefined ? {} : { annotations: cap }),
    };
  });
  const breakdowns = JOB_METRIC_NAMES.flatMap((name): Graph[] => {
    const spec: JobMetricSpec = JOB_METRICS[name];
    if (spec.breakdown === undefined) return [];
    const { dimension, values } = spec.breakdown;
    return [
      {
        title: `${name} by ${dimension}`,
        period: METRIC_PANELS[JOB_METRICS[name].panel].period,
        metrics: values.flatMap((value) =>
          JOB_METRICS[name].statistics.map((stat) => line(name, stat, { [dimension]: value })),
        ),
      },
    ];
  });
  return [...byPanel, ...breakdowns];
}

function capAnnotation(cap: number | undefined) {
  return cap === undefined ? undefined : [{ label: "maxRunningTasks", value: cap }];
}

// AWS's own metrics of the queues and functions (namespaces AWS/SQS and AWS/Lambda).
function queueGraphs(targets: DashboardTargets): Graph[] {
  const { queues } = targets;
  const sqs = (metric: string, queue: string, label: string, stat = "Maximum"): MetricLine => [
    "AWS/SQS",
    metric,
    "QueueName",
    queue,
    { stat, label },
  ];
  return [
    {
      title: "Queue depth: jobs waiting, in flight, delayed; dead letters",
      period: 60,
      metrics: [
        sqs("ApproximateNumberOfMessagesVisible", queues.jobs, "jobs queue: waiting"),
        sqs("ApproximateNumberOfMessagesNotVisible", queues.jobs, "jobs queue: in flight"),
        sqs("ApproximateNumberOfMessagesDelayed", queues.jobs, "jobs queue: delayed (retries)"),
        sqs("ApproximateNumberOfMessagesVisible", queues.jobsDeadLetter, "jobs DLQ"),
        sqs("ApproximateNumberOfMessagesVisible", queues.taskStateDeadLetter, "task-state DLQ"),
        sqs("ApproximateNumberOfMessagesVisible", queues.outcomesDeadLetter, "outcomes DLQ"),
      ],
    },
    {
      title: "Age of the oldest jobs message (seconds)",
      period: 60,
      metrics: [sqs("ApproximateAgeOfOldestMessage", queues.jobs, "oldest jobs message")],
      annotations: [{ label: "alarm", value: targets.oldestMessageAlarmSeconds }],
    },
  ];
}

function lambdaGraphs(targets: DashboardTargets): Graph[] {
  const lines = (metric: string): MetricLine[] =>
    Object.entries(targets.functions).map(([role, functionName]) => [
      "AWS/Lambda",
      metric,
      "FunctionName",
      functionName,
      { stat: "Sum", label: role },
    ]);
  return [
    { title: "Lambda errors (per 5 minutes)", period: 300, metrics: lines("Errors") },
    { title: "Lambda throttles (per 5 minutes)", period: 300, metrics: lines("Throttles") },
  ];
}
