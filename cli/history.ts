// A job's history for people: one row per event (time, offset from submission, attempt, task, what
// happened), and where the worker's logs of each attempt are (`aws logs tail` for the task's stream).
// Shared by `jobs show` and `jobs watch`.

import { join } from "node:path";
import type { AttemptTimeline } from "../jobs/insights";
import { span } from "../jobs/insights";
import type { JobEvent, JobState } from "../jobs/model";
import { describeCapacity, describeTaskSize } from "../jobs/model";
import type { CliConfig } from "./config";
import {
  type Column,
  displayWidth,
  formatDuration,
  formatOffset,
  formatTime,
  type Painter,
  shorten,
} from "./format";
import { shellQuote } from "./quote";

export { shellQuote } from "./quote";

export interface EventRow {
  readonly event: JobEvent;
  readonly offsetMs: number | undefined;
}

/**
 * One row per event, in time order. The history is in the order events were recorded, which can differ
 * from their times (the task-state handler can record a late ECS event after a newer decision); the sort is
 * stable, so events of the same time keep their recorded order.
 */
export function eventRows(events: readonly JobEvent[], submittedAt: string | undefined): EventRow[] {
  return events
    .map((event, index) => ({ event, index, time: Date.parse(event.at) }))
    .sort((a, b) =>
      a.time === b.time || Number.isNaN(a.time - b.time) ? a.index - b.index : a.time - b.time,
    )
    .map(({ event }) => ({ event, offsetMs: span(submittedAt, event.at) }));
}

/**
 * Why the job is where it is, when the stored reason is about its current attempt. The state keeps the
 * latest reason until another replaces it, so a retry that is launching or running still carries the
 * previous attempt's failure: that is history (in the attempts), not why the running attempt is anything.
 */
export function currentReason(state: JobState): string | undefined {
  switch (state.status) {
    case "SUCCEEDED":
    case "NEW":
    case "SUBMITTED":
    case "LAUNCHING":
    case "LAUNCHED":
    case "RUNNING":
      return undefined;
    default:
      return state.reason;
  }
}

export function eventColumns(p: Painter): Column<EventRow>[] {
  return [
    { header: "TIME", value: (r) => formatTime(r.event.at), shrink: timeOfDay, min: 9 },
    { header: "OFFSET", value: (r) => formatOffset(r.offsetMs), align: "right" },
    { header: "ATTEMPT", value: (r) => attemptOf(r.event), align: "right" },
    { header: "EVENT", value: (r) => r.event.type, paint: (r, text) => paintEvent(r.event, text, p) },
    // Dropped when narrow: the attempt says which task, and `show` lists each attempt's task.
    { header: "TASK", value: (r) => taskOf(r.event), optional: true },
    { header: "DETAILS", value: (r) => describeEvent(r.event), wrap: true, min: 24 },
  ];
}

/** "2026-11-26 09:00:03Z" -> "09:00:03Z" when the date does not fit (`show` prints the day above). */
function timeOfDay(text: string, max: number): string {
  return displayWidth(text) <= max ? text : text.slice(11);
}

function attemptOf(event: JobEvent): string {
  if (event.type === "RetryScheduled") return String(event.nextAttempt);
  return "attempt" in event ? String(event.attempt) : "";
}

function taskOf(event: JobEvent): string {
  return "taskArn" in event && event.taskArn !== undefined ? taskId(event.taskArn) : "";
}

function paintEvent(event: JobEvent, text: string, p: Painter): string {
  switch (event.type) {
    case "JobSucceeded":
      return p.paint("green", text);
    case "JobFailed":
    case "JobTimedOut":
    case "JobRejected":
    case "TaskLaunchFailed":
    case "TaskLost":
      return p.paint("red", text);
    case "TaskStopRequested":
    case "LaunchResumed":
    case "RetryResent":
    case "JobWaiting":
      return p.paint("yellow", text);
    case "TaskStopped":
      return event.failure ? p.paint("red", text) : text;
    case "RetryScheduled":
      return p.paint("yellow", text);
    case "JobCancelled":
      return p.paint("magenta", text);
    default:
      return text;
  }
}

/** What the event says besides its type, attempt and task, on one line. */
export function describeEvent(event: JobEvent): string {
  switch (event.type) {
    case "JobSubmitted": {
      const source =
        event.source.kind === "s3"
          ? "S3 upload notification"
          : event.source.kind === "cli"
            ? "jobs CLI"
            : `message ${event.messageId ?? "(no id)"}`;
      const params = event.input.params === undefined ? "" : ` params ${JSON.stringify(event.input.params)}`;
      return `${event.input.videoUrl} via ${source}${params}`;
    }
    case "JobRejected":
      return `${event.reason}; raw input ${JSON.stringify(shorten(event.rawInput, 80))}${event.truncated ? " (truncated)" : ""}`;
    case "TaskLaunchRequested":
      return [
        `RunTask client token ${event.clientToken}`,
        ...(event.size === undefined ? [] : [describeTaskSize(event.size)]),
        ...(event.capacity === undefined ? [] : [describeCapacity(event.capacity)]),
      ].join(" · ");
    case "TaskLaunched":
      return event.taskArn;
    case "TaskLaunchFailed":
      return `${event.reason} (${event.throttled ? "throttled" : event.retryable ? "retryable" : "not retryable"})`;
    case "TaskRunning":
      return `ECS version ${event.ecsVersion}`;
    case "TaskStopped":
      return [
        event.exitCode === undefined ? "no exit code" : `exit ${event.exitCode}`,
        event.stopCode,
        event.stoppedReason,
        event.containerReason,
        event.failure === undefined ? undefined : `-> ${event.failure.kind}`,
      ]
        .filter(Boolean)
        .join("; ");
    case "TaskStopRequested":
      return `sweeper: ${event.deadline} deadline passed, StopTask: ${event.reason}`;
    case "TaskLost":
    case "LaunchResumed":
    case "RetryResent":
      return `sweeper: ${event.reason}`;
    case "JobSucceeded":
      return "";
    case "JobWaiting":
      return `for a slot to launch attempt ${event.attempt}: ${event.reason}`;
    case "RetryScheduled":
      return `${event.manual ? "by hand" : event.delaySeconds === 0 ? "at once" : `in ${formatDuration(event.delaySeconds * 1000)}`}: ${event.reason}${
        event.manual || event.countsAsAttempt
          ? ""
          : event.throttled
            ? " (throttled: uses no retry)"
            : " (does not use an attempt)"
      }`;
    case "JobFailed":
    case "JobTimedOut":
    case "JobCancelled":
      return event.reason;
  }
}

/** The task id: the last part of its ARN (`arn:aws:ecs:region:account:task/cluster/ID`). */
export function taskId(taskArn: string): string {
  return taskArn.slice(taskArn.lastIndexOf("/") + 1);
}

/** The cluster named in a task ARN of the long format, if any. */
export function clusterOfTask(taskArn: string): string | undefined {
  const match = /:task\/([^/]+)\/[^/]+$/.exec(taskArn);
  return match?.[1];
}

export interface LogLocation {
  readonly attempt: number;
  readonly taskArn: string;
  readonly logGroup?: string;
  /** awslogs stream: `<prefix>/<container>/<task id>`. */
  readonly logStream?: string;
  /** Local mode: the task's log file. */
  readonly logFile?: string;
  readonly command: string;
}

export function logLocations(
  attempts: readonly AttemptTimeline[],
  config: CliConfig,
  active: boolean,
): LogLocation[] {
  const logGroup = config.logGroup?.value;
  return attempts.flatMap((attempt, index): LogLocation[] => {
    if (attempt.taskArn === undefined) return [];
    const follow = active && index === attempts.length - 1 && !attempt.stopped;
    if (config.localLogDirectory !== undefined) {
      const logFile = join(config.localLogDirectory, `${taskId(attempt.taskArn)}.log`);
      const command = ["tail -n +1", ...(follow ? ["-f"] : []), shellQuote(logFile)].join(" ");
      return [{ attempt: attempt.attempt, taskArn: attempt.taskArn, logFile, command }];
    }
    const logStream = `${config.logStreamPrefix}/${config.containerName}/${taskId(attempt.taskArn)}`;
    const since = (attempt.timings.createdAt ?? attempt.requestedAt).replace(/\.\d+Z$/, "Z");
    const command = [
      "aws logs tail",
      shellQuote(logGroup ?? "<worker log group>"),
      "--log-stream-names",
      shellQuote(logStream),
      "--since",
      since,
      ...(follow ? ["--follow"] : []),
      ...(config.region === undefined ? [] : ["--region", config.region.value]),
    ].join(" ");
    return [
      {
        attempt: attempt.attempt,
        taskArn: attempt.taskArn,
        ...(logGroup === undefined ? {} : { logGroup }),
        logStream,
        command,
      },
    ];
  });
}
