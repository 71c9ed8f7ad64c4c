// The pipeline's metrics, one list: every metric the handlers emit (JOB_METRICS), with its unit, its meaning
// and how the dashboard shows it, and the pure reading of a job's appended events as metric points
// (`metricsOfEvents`). The handlers emit the points through the `Metrics` port (Embedded Metric Format on
// Lambda, lines in local mode); the Pulumi program draws the dashboard and sets the alarms from the same
// list, so a metric cannot be emitted under one name and graphed under another.

import type { JobEvent, TaskLaunchFailed } from "./events";
import { assertNever, type JobState } from "./state";

/** The CloudWatch namespace of the pipeline's own metrics; the `service` dimension tells stacks apart. */
/** Why an object created under the input prefix starts no job (the `Reason` of UploadsIgnored). */
export const IGNORED_UPLOAD_REASONS = ["NotAVideo", "FolderMarker", "JobsSubmitUpload"] as const;
export type IgnoredUploadReason = (typeof IGNORED_UPLOAD_REASONS)[number];

export const JOB_METRICS_NAMESPACE = "VideoJobs";

/** Statistics the dashboard draws (CloudWatch statistic names). */
export type DashboardStatistic = "Sum" | "Maximum" | "p50" | "p95";

/** The dashboard graph a metric is drawn on; components/lib/dashboard.ts gives each its title and place. */
export type MetricPanel = "outcomes" | "queueWait" | "runTime" | "launches" | "sweeper" | "capacity";

/** Why a launch failed, as a bounded dimension value (the reason text itself is unbounded). */
export const LAUNCH_FAILURE_CODES = [
  "Throttled",
  "Capacity",
  "Agent",
  "AccessDenied",
  "InvalidRequest",
  "Other",
] as const;
export type LaunchFailureCode = (typeof LAUNCH_FAILURE_CODES)[number];

/** What the sweeper did about a job it found stuck or lost (the `Action` dimension of SweeperActions). */
export const SWEEPER_ACTIONS = ["stop", "lost", "resume", "resend"] as const;
export type SweeperAction = (typeof SWEEPER_ACTIONS)[number];

export interface JobMetricSpec {
  readonly unit: "Count" | "Seconds";
  readonly description: string;
  readonly panel: MetricPanel;
  /** What the dashboard draws for it, one line per statistic. */
  readonly statistics: readonly DashboardStatistic[];
  /**
   * A dimension the metric is also emitted with (besides `service` alone), its values bounded: the
   * dashboard draws one line per value on a graph of its own.
   */
  readonly breakdown?: { readonly dimension: string; readonly values: readonly string[] };
}

export const JOB_METRICS = {
  JobsSubmitted: {
    unit: "Count",
    description: "Jobs recorded from a message or an upload (a duplicate delivery is not counted again).",
    panel: "outcomes",
    statistics: ["Sum"],
  },
  JobsSucceeded: {
    unit: "Count",
    description: "Jobs whose worker exited 0.",
    panel: "outcomes",
    statistics: ["Sum"],
  },
  JobsFailed: {
    unit: "Count",
    description: "Jobs that failed: bad input, attempts or infrastructure retries used up, a launch refused.",
    panel: "outcomes",
    statistics: ["Sum"],
  },
  JobsTimedOut: {
    unit: "Count",
    description: "Jobs whose worker ran past its run deadline and was stopped by the sweeper.",
    panel: "outcomes",
    statistics: ["Sum"],
  },
  JobsRejected: {
    unit: "Count",
    description: "Messages that were not a valid job: recorded as REJECTED, never launched.",
    panel: "outcomes",
    statistics: ["Sum"],
  },
  JobsCancelled: {
    unit: "Count",
    description:
      "Jobs cancelled where a handler recorded it (`jobs cancel` writes from the operator's machine, not counted).",
    panel: "outcomes",
    statistics: ["Sum"],
  },
  UploadsIgnored: {
    unit: "Count",
    description:
      "Objects created under the input prefix that started no job, by Reason: NotAVideo (no video suffix, in any case), FolderMarker, JobsSubmitUpload (the CLI's upload, whose job its message starts).",
    panel: "outcomes",
    statistics: ["Sum"],
    breakdown: { dimension: "Reason", values: IGNORED_UPLOAD_REASONS },
  },
  QueueWaitSeconds: {
    unit: "Seconds",
    description:
      "From a job's submission to the start of a task of it (ECS startedAt); a retried job's later attempts include the earlier ones.",
    panel: "queueWait",
    statistics: ["p50", "p95"],
  },
  RunTimeSeconds: {
    unit: "Seconds",
    description:
      "How long a worker task ran: ECS startedAt to stoppedAt of each stopped task that had started.",
    panel: "runTime",
    statistics: ["p50", "p95"],
  },
  LaunchFailures: {
    unit: "Count",
    description:
      "RunTask calls that started no task (refused, throttled, no capacity), also by Reason (a bounded code).",
    panel: "launches",
    statistics: ["Sum"],
    breakdown: { dimension: "Reason", values: LAUNCH_FAILURE_CODES },
  },
  ThrottledLaunches: {
    unit: "Count",
    description:
      "RunTask calls ECS refused for its rate: the job goes back in line (JobWaiting, throttled), spending none of its budget.",
    panel: "launches",
    statistics: ["Sum"],
  },
  JobsWaiting: {
    unit: "Count",
    description:
      "Jobs put in line for a running-task slot (the cap, the launch rate, or a throttled launch).",
    panel: "launches",
    statistics: ["Sum"],
  },
  SweeperActions: {
    unit: "Count",
    description:
      "What the sweeper did, by Action: stop (past a deadline), lost (ECS no longer knows the task), resume (a launch with no answer), resend (an overdue retry).",
    panel: "sweeper",
    statistics: ["Sum"],
    breakdown: { dimension: "Action", values: SWEEPER_ACTIONS },
  },
  StuckJobsFound: {
    unit: "Count",
    description:
      "Jobs the sweeper found stuck or lost (any sweeper action): each one is a missed event or deadline.",
    panel: "sweeper",
    statistics: ["Sum"],
  },
  RunningTasks: {
    unit: "Count",
    description:
      "Slots in use under the cap on running tasks (a gauge, sampled by each sweep, which reads every shard of the slots).",
    panel: "capacity",
    statistics: ["Maximum"],
  },
  RunningTasksCap: {
    unit: "Count",
    description: "The configured cap on running tasks (maxRunningTasks), emitted beside RunningTasks.",
    panel: "capacity",
    statistics: ["Maximum"],
  },
} as const satisfies Record<string, JobMetricSpec>;

export type JobMetricName = keyof typeof JOB_METRICS;

export const JOB_METRIC_NAMES = Object.keys(JOB_METRICS) as JobMetricName[];

/** One value of one metric; `dimensions` is its breakdown (the metric also counts without it). */
export interface MetricPoint {
  readonly name: JobMetricName;
  readonly value: number;
  readonly unit: "Count" | "Seconds";
  readonly dimensions?: Readonly<Record<string, string>>;
}

/** The port the workflows emit through; adapters buffer and flush per invocation, or print. */
export interface Metrics {
  add(point: MetricPoint): void;
}

/** What one appended change of a job measures: its events, read with the job's state after them. */
export function metricsOfEvents(events: readonly JobEvent[], after: JobState): MetricPoint[] {
  return events.flatMap((event) => metricsOfEvent(event, after));
}

/** An upload the dispatcher acknowledged without a job (intake.ts says why). */
export function uploadIgnoredPoints(why: IgnoredUploadReason): MetricPoint[] {
  return [point("UploadsIgnored", 1, { Reason: why })];
}

/** The capacity gauges, for whoever takes and frees slots under the cap. */
export function runningTaskPoints(inUse: number, cap: number): MetricPoint[] {
  return [point("RunningTasks", inUse), point("RunningTasksCap", cap)];
}

function metricsOfEvent(event: JobEvent, after: JobState): MetricPoint[] {
  switch (event.type) {
    case "JobSubmitted":
      return [point("JobsSubmitted", 1)];
    case "JobRejected":
      return [point("JobsRejected", 1)];
    case "JobSucceeded":
      return [point("JobsSucceeded", 1)];
    case "JobFailed":
      return [point("JobsFailed", 1)];
    case "JobTimedOut":
      return [point("JobsTimedOut", 1)];
    case "JobCancelled":
      return [point("JobsCancelled", 1)];
    case "TaskRunning":
      return seconds("QueueWaitSeconds", after.submittedAt, event.timings.startedAt ?? event.at);
    case "TaskStopped":
      return seconds("RunTimeSeconds", event.timings.startedAt, event.timings.stoppedAt);
    case "TaskLaunchFailed":
      return [
        point("LaunchFailures", 1, { Reason: launchFailureCode(event) }),
        ...(event.throttled === true ? [point("ThrottledLaunches", 1)] : []),
      ];
    case "TaskStopRequested":
      return sweeperFound("stop");
    case "TaskLost":
      return sweeperFound("lost");
    case "LaunchResumed":
      return sweeperFound("resume");
    case "RetryResent":
      return sweeperFound("resend");
    case "JobWaiting":
      // A throttled launch puts its job back in line: that is how a throttle is recorded.
      return [
        point("JobsWaiting", 1),
        ...(event.throttled === true
          ? [point("LaunchFailures", 1, { Reason: "Throttled" }), point("ThrottledLaunches", 1)]
          : []),
      ];
    case "TaskLaunchRequested":
    case "TaskLaunched":
    case "RetryScheduled":
      return [];
    default:
      return assertNever(event);
  }
}

// RunTask refusals that say the request itself is wrong (exception names, as EcsTaskLauncher words them).
const INVALID_REQUEST =
  /^(InvalidParameterException|ClientException|ClusterNotFoundException|PlatformUnknownException|PlatformTaskDefinitionIncompatibilityException|UnsupportedFeatureException)\b/;

/** A bounded code for a launch failure's reason text (ECS words them freely). */
export function launchFailureCode(event: Pick<TaskLaunchFailed, "reason" | "throttled">): LaunchFailureCode {
  const { reason } = event;
  if (event.throttled === true) return "Throttled";
  if (/^RESOURCE:|capacity/i.test(reason)) return "Capacity";
  if (/^AGENT\b/.test(reason)) return "Agent";
  if (/AccessDenied|not authorized|UnauthorizedOperation/i.test(reason)) return "AccessDenied";
  if (INVALID_REQUEST.test(reason)) return "InvalidRequest";
  return "Other";
}

function sweeperFound(action: SweeperAction): MetricPoint[] {
  return [point("SweeperActions", 1, { Action: action }), point("StuckJobsFound", 1)];
}

/** The seconds between two ISO-8601 times, when both are known and in order. */
function seconds(name: JobMetricName, from: string | undefined, to: string | undefined): MetricPoint[] {
  if (from === undefined || to === undefined) return [];
  const elapsed = (Date.parse(to) - Date.parse(from)) / 1000;
  return Number.isFinite(elapsed) && elapsed >= 0 ? [point(name, elapsed)] : [];
}

function point(name: JobMetricName, value: number, dimensions?: Record<string, string>): MetricPoint {
  return { name, value, unit: JOB_METRICS[name].unit, ...(dimensions === undefined ? {} : { dimensions }) };
}
