// Operations monitoring: the alarms that tell an operator the pipeline needs them, all notifying the stack's
// one alarm topic (each with an alarm and an OK action), and the CloudWatch dashboard, whose graphs of the
// pipeline's own metrics are generated from the list the handlers emit (components/lib/dashboard.ts over
// jobs/model/metrics.ts). docs/operations.md says what each alarm means.

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_SCHEMA } from "../../config/schema";
import { JOB_METRICS, type JobMetricName } from "../../jobs/model";
import { dashboardBody } from "../lib/dashboard";

export interface OperationsMonitoringArgs {
  /**
   * The stack's region, where the dashboard's graphs read their metrics. Required.
   * @example pipeline.region
   */
  readonly region: pulumi.Input<string>;
  /**
   * The topic every alarm notifies. Required.
   * @example alarms.topicArn
   */
  readonly alarmTopicArn: pulumi.Input<string>;
  /**
   * Where the handlers write the pipeline's metrics (METRICS_NAMESPACE, METRICS_SERVICE). Required.
   * @example { namespace: JOB_METRICS_NAMESPACE, service: "video-jobs-dev" }
   */
  readonly metrics: { readonly namespace: string; readonly service: string };
  /**
   * Names of the queues watched. Required.
   * @example { jobs: queue.queue.name, jobsDeadLetter: queue.deadLetterQueue.name, ... }
   */
  readonly queues: {
    readonly jobs: pulumi.Input<string>;
    readonly jobsDeadLetter: pulumi.Input<string>;
    readonly taskStateDeadLetter: pulumi.Input<string>;
    readonly outcomesDeadLetter: pulumi.Input<string>;
  };
  /**
   * Lambda function names by role; each gets an errors and a throttles alarm. Required.
   * @example { dispatcher: dispatcher.handler.function.name }
   */
  readonly functions: Readonly<Record<string, pulumi.Input<string>>>;
  /**
   * Age of the oldest jobs message that raises its alarm, in minutes.
   * @default 15
   */
  readonly oldestMessageMinutes?: number;
  /**
   * Percent of finished jobs that failed, over 15 minutes, that raises its alarm.
   * @default 10
   */
  readonly failedJobPercent?: number;
  /**
   * Minutes in a row with throttled launches that raise their alarm.
   * @default 10
   */
  readonly throttledLaunchesMinutes?: number;
  /**
   * The cap on running tasks (maxRunningTasks), drawn on the running-tasks graph.
   * @default not drawn (the RunningTasksCap metric is)
   */
  readonly runningTasksCap?: number;
  /**
   * The dashboard's name: unique in the ACCOUNT, since CloudWatch dashboards are global, not regional
   * (so a name meant for several regions should include the region).
   * @default the component's name
   */
  readonly dashboardName?: pulumi.Input<string>;
}

/** Finished jobs a failed-job rate needs before it counts: one failure of two is not a trend. */
export const FAILED_RATE_MIN_JOBS = 5;
/** The failed-job rate's window. */
export const FAILED_RATE_PERIOD_SECONDS = 900;

export class OperationsMonitoring extends pulumi.ComponentResource {
  /** Every alarm, by its role (e.g. `jobs-dlq`, `dispatcher-errors`). */
  readonly alarms: Readonly<Record<string, aws.cloudwatch.MetricAlarm>>;
  readonly dashboard: aws.cloudwatch.Dashboard;

  constructor(name: string, args: OperationsMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("video-jobs:monitoring:OperationsMonitoring", name, {}, opts);
    const settings = {
      oldestMessageMinutes: args.oldestMessageMinutes ?? CONFIG_SCHEMA.alarmOldestMessageMinutes.default,
      failedJobPercent: args.failedJobPercent ?? CONFIG_SCHEMA.alarmFailedJobPercent.default,
      throttledLaunchesMinutes:
        args.throttledLaunchesMinutes ?? CONFIG_SCHEMA.alarmThrottledLaunchesMinutes.default,
    };
    checkSettings(name, settings);
    const parent = this;
    const actions = { alarmActions: [args.alarmTopicArn], okActions: [args.alarmTopicArn] };
    const { namespace, service } = args.metrics;
    const alarms: Record<string, aws.cloudwatch.MetricAlarm> = {};

    /** An alarm notifying the topic on both edges; missing data is "nothing happened". */
    const alarm = (role: string, alarmArgs: aws.cloudwatch.MetricAlarmArgs) => {
      alarms[role] = new aws.cloudwatch.MetricAlarm(
        `${name}-${role}`,
        { treatMissingData: "notBreaching", ...alarmArgs, ...actions },
        { parent },
      );
    };
    const pipelineMetric = (metricName: JobMetricName, period: number) => ({
      namespace,
      metricName,
      dimensions: { service },
      period,
      stat: JOB_METRICS[metricName].statistics[0] ?? "Sum",
    });

    deadLetterAlarms();
    oldestMessageAlarm();
    failedJobsAlarm();
    stuckJobsAlarm();
    throttledLaunchesAlarm();
    functionAlarms();
    this.alarms = alarms;
    this.dashboard = createDashboard();

    this.registerOutputs({ dashboardName: this.dashboard.dashboardName });

    function deadLetterAlarms(): void {
      const queues = {
        "jobs-dlq": [
          args.queues.jobsDeadLetter,
          "Jobs messages were dead-lettered after repeated failures: read them in the jobs DLQ, fix the cause, redrive",
        ],
        "task-state-dlq": [
          args.queues.taskStateDeadLetter,
          "ECS task state changes were not recorded (the task-state Lambda kept failing): read them in the task-state DLQ; the sweeper repairs the jobs they concern",
        ],
      } as const;
      for (const [role, [queueName, description]] of Object.entries(queues)) {
        alarm(role, {
          alarmDescription: description,
          namespace: "AWS/SQS",
          metricName: "ApproximateNumberOfMessagesVisible",
          dimensions: { QueueName: queueName },
          statistic: "Maximum",
          period: 60,
          evaluationPeriods: 1,
          threshold: 1,
          comparisonOperator: "GreaterThanOrEqualToThreshold",
        });
      }
    }

    function oldestMessageAlarm(): void {
      alarm("oldest-message", {
        alarmDescription: `The oldest jobs message is over ${settings.oldestMessageMinutes} minutes old: the dispatcher is failing, throttled or behind`,
        namespace: "AWS/SQS",
        metricName: "ApproximateAgeOfOldestMessage",
        dimensions: { QueueName: args.queues.jobs },
        statistic: "Maximum",
        period: 60,
        evaluationPeriods: 1,
        threshold: settings.oldestMessageMinutes * 60,
        comparisonOperator: "GreaterThanThreshold",
      });
    }

    function failedJobsAlarm(): void {
      // Both counts filled with 0 so that a window with only successes (or only failures) still has a rate.
      const failed = "FILL(failed, 0)";
      const finished = `(${failed} + FILL(succeeded, 0))`;
      alarm("failed-jobs", {
        alarmDescription: `Over ${settings.failedJobPercent}% of the jobs finished in 15 minutes failed (from ${FAILED_RATE_MIN_JOBS} finished jobs): see \`jobs list --status FAILED\` for their reasons`,
        metricQueries: [
          {
            id: "failed",
            metric: pipelineMetric("JobsFailed", FAILED_RATE_PERIOD_SECONDS),
            returnData: false,
          },
          {
            id: "succeeded",
            metric: pipelineMetric("JobsSucceeded", FAILED_RATE_PERIOD_SECONDS),
            returnData: false,
          },
          {
            id: "rate",
            expression: `IF(${finished} >= ${FAILED_RATE_MIN_JOBS}, 100 * ${failed} / ${finished}, 0)`,
            label: "failed jobs (%)",
            returnData: true,
          },
        ],
        evaluationPeriods: 1,
        threshold: settings.failedJobPercent,
        comparisonOperator: "GreaterThanThreshold",
      });
    }

    function stuckJobsAlarm(): void {
      alarm("stuck-jobs", {
        alarmDescription:
          "The sweeper found stuck or lost jobs (missed ECS events, launches with no answer, overdue retries, deadlines passed) and acted on them: see the sweeper's log and SweeperActions by Action",
        ...metricOf("StuckJobsFound", 300),
        evaluationPeriods: 1,
        threshold: 0,
        comparisonOperator: "GreaterThanThreshold",
      });
    }

    function throttledLaunchesAlarm(): void {
      const minutes = settings.throttledLaunchesMinutes;
      alarm("throttled-launches", {
        alarmDescription: `ECS has throttled launches every minute for ${minutes} minutes: launches are not keeping up with the jobs (no job fails for it); check the launch rate settings and other RunTask callers in the account`,
        ...metricOf("ThrottledLaunches", 60),
        evaluationPeriods: minutes,
        datapointsToAlarm: minutes,
        threshold: 0,
        comparisonOperator: "GreaterThanThreshold",
      });
    }

    function functionAlarms(): void {
      for (const [role, functionName] of Object.entries(args.functions)) {
        for (const metricName of ["Errors", "Throttles"] as const) {
          alarm(`${role}-${metricName.toLowerCase()}`, {
            alarmDescription: `The ${role} Lambda reported ${metricName.toLowerCase()}: see its log group${metricName === "Throttles" ? " and the account's Lambda concurrency" : ""}`,
            namespace: "AWS/Lambda",
            metricName,
            dimensions: { FunctionName: functionName },
            statistic: "Sum",
            period: 300,
            evaluationPeriods: 1,
            threshold: 0,
            comparisonOperator: "GreaterThanThreshold",
          });
        }
      }
    }

    /** A plain (non-math) alarm metric of the pipeline's own. */
    function metricOf(metricName: JobMetricName, period: number) {
      return {
        namespace,
        metricName,
        dimensions: { service },
        statistic: JOB_METRICS[metricName].statistics[0] ?? "Sum",
        period,
      };
    }

    function createDashboard(): aws.cloudwatch.Dashboard {
      const targets = pulumi.output({
        region: args.region,
        queues: args.queues,
        functions: args.functions,
      });
      return new aws.cloudwatch.Dashboard(
        `${name}-dashboard`,
        {
          dashboardName: args.dashboardName ?? name,
          dashboardBody: targets.apply(({ region, queues, functions }) =>
            JSON.stringify(
              dashboardBody({
                region,
                namespace,
                service,
                queues,
                functions,
                oldestMessageAlarmSeconds: settings.oldestMessageMinutes * 60,
                ...(args.runningTasksCap === undefined ? {} : { runningTasksCap: args.runningTasksCap }),
              }),
            ),
          ),
        },
        { parent },
      );
    }
  }
}

function checkSettings(
  name: string,
  settings: { oldestMessageMinutes: number; failedJobPercent: number; throttledLaunchesMinutes: number },
): void {
  const within = (key: string, value: number, min: number, max: number) => {
    if (!Number.isInteger(value) || value < min || value > max)
      throw new Error(`${name}: ${key} must be a whole number from ${min} to ${max} (got ${value})`);
  };
  within("oldestMessageMinutes", settings.oldestMessageMinutes, 1, 1440);
  within("failedJobPercent", settings.failedJobPercent, 1, 100);
  // CloudWatch evaluates at most a day of one-minute periods.
  within("throttledLaunchesMinutes", settings.throttledLaunchesMinutes, 1, 1440);
}
