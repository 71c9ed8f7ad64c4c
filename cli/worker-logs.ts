// A worker task's log, read and made readable: from its CloudWatch Logs stream for a deployed stack
// (awslogs driver, stream `<prefix>/<container>/<task id>`), or from local mode's file `<task id>.log`.
// The worker writes one JSON object per line (worker/src/log.ts: time, level, msg, jobId, attempt and the
// step's fields); each becomes one line of time, level, message and a few context keys. Anything else
// (a stack trace, ffmpeg's own output) is printed as it is.

import { open } from "node:fs/promises";
import {
  type CloudWatchLogsClient,
  GetLogEventsCommand,
  type GetLogEventsCommandOutput,
} from "@aws-sdk/client-cloudwatch-logs";
import { CliError } from "./errors";
import { formatTime, type Painter } from "./format";
import type { LogLocation } from "./history";

export interface LogLine {
  readonly time?: string;
  readonly level?: string;
  readonly message: string;
  /** Context keys besides time, level, msg and the job's id and attempt (which the command names). */
  readonly fields: Readonly<Record<string, unknown>>;
  /** Whether the line was one of the worker's JSON lines. */
  readonly structured: boolean;
}

/** Reads the lines written since the previous call. */
export interface LogSource {
  /** Where the log is, for people: `log group /ecs/x, stream worker/worker/abc` or a file path. */
  readonly description: string;
  /** `final`: the last read, which also returns a last line without its newline. */
  read(final?: boolean): Promise<LogLine[]>;
}

const OMITTED_FIELDS = new Set(["time", "level", "msg", "jobId", "attempt"]);
/** Keys shown first when present: what a step line is about. */
const FIRST_FIELDS = ["step", "status", "durationMs", "exitCode", "outcome", "reason"];
const MAX_FIELDS = 6;
const MAX_VALUE_CHARS = 120;

export function parseLogLine(raw: string, fallbackTime?: string): LogLine {
  const text = raw.replace(/\r?\n$/, "");
  if (text.startsWith("{")) {
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value === "object" && value !== null && !Array.isArray(value)) {
        const record = value as Record<string, unknown>;
        const fields: Record<string, unknown> = {};
        for (const [key, field] of Object.entries(record)) if (!OMITTED_FIELDS.has(key)) fields[key] = field;
        const time = typeof record.time === "string" ? record.time : fallbackTime;
        return {
          ...(time === undefined ? {} : { time }),
          ...(typeof record.level === "string" ? { level: record.level } : {}),
          message: typeof record.msg === "string" ? record.msg : "",
          fields,
          structured: true,
        };
      }
    } catch {
      // not JSON after all: printed as it is
    }
  }
  return {
    ...(fallbackTime === undefined ? {} : { time: fallbackTime }),
    message: text,
    fields: {},
    structured: false,
  };
}

/** `2026-11-26 10:00:03Z  INFO   step  step=probe status=ok durationMs=120`. */
export function formatLogLine(line: LogLine, p: Painter): string {
  const time = line.time === undefined ? "" : `${p.paint("dim", formatTime(line.time))}  `;
  if (!line.structured) return `${time}${line.message}`;
  const level = (line.level ?? "").toUpperCase().padEnd(5);
  const painted =
    line.level === "error" ? p.paint("red", level) : line.level === "warn" ? p.paint("yellow", level) : level;
  const keys = [
    ...FIRST_FIELDS.filter((k) => k in line.fields),
    ...Object.keys(line.fields).filter((k) => !FIRST_FIELDS.includes(k)),
  ].slice(0, MAX_FIELDS);
  const context = keys.map((key) => `${key}=${fieldText(line.fields[key])}`).join(" ");
  const hidden = Object.keys(line.fields).length - keys.length;
  return `${time}${painted}  ${line.message}${context === "" ? "" : `  ${context}`}${hidden > 0 ? p.paint("dim", ` (+${hidden})`) : ""}`;
}

function fieldText(value: unknown): string {
  let text: string;
  if (typeof value === "string") text = value;
  else if (
    typeof value === "object" &&
    value !== null &&
    "message" in value &&
    typeof value.message === "string"
  ) {
    // An error (worker/src/log.ts describe()): its class and message say it.
    const name = "name" in value && typeof value.name === "string" ? `${value.name}: ` : "";
    text = `${name}${value.message}`;
  } else text = JSON.stringify(value) ?? String(value);
  if (text.length > MAX_VALUE_CHARS) text = `${text.slice(0, MAX_VALUE_CHARS - 1)}…`;
  return /^[^\s"=]+$/.test(text) ? text : JSON.stringify(text);
}

/** The log of one attempt where it is: local mode's file, or the task's CloudWatch Logs stream. */
export function logSourceOf(location: LogLocation, logs: () => CloudWatchLogsClient): LogSource {
  if (location.logFile !== undefined) return fileSource(location.logFile);
  if (location.logGroup === undefined || location.logStream === undefined) {
    throw new Error("unreachable: a CloudWatch location without a log group");
  }
  return cloudWatchSource(logs(), location.logGroup, location.logStream);
}

/** A CloudWatch Logs stream, read forwards from its start (GetLogEvents, page by page). */
export function cloudWatchSource(logs: CloudWatchLogsClient, logGroup: string, logStream: string): LogSource {
  let token: string | undefined;
  return {
    description: `log group ${logGroup}, stream ${logStream}`,
    async read() {
      const lines: LogLine[] = [];
      for (;;) {
        let page: GetLogEventsCommandOutput;
        try {
          page = await logs.send(
            new GetLogEventsCommand({
              logGroupName: logGroup,
              logStreamName: logStream,
              startFromHead: true,
              ...(token === undefined ? {} : { nextToken: token }),
            }),
          );
        } catch (error) {
          if ((error as Error).name !== "ResourceNotFoundException") throw error;
          // The stream appears when the container starts writing: nothing to read yet. A missing log
          // group is a configuration error, said as such.
          if (/log group/i.test((error as Error).message)) {
            throw new CliError(`log group ${logGroup} not found`, {
              hint: "check --log-group / JOBS_LOG_GROUP / --stack, and the region",
              cause: error,
            });
          }
          return lines;
        }
        for (const event of page.events ?? []) {
          const at = event.timestamp === undefined ? undefined : new Date(event.timestamp).toISOString();
          for (const raw of (event.message ?? "").split("\n"))
            if (raw !== "") lines.push(parseLogLine(raw, at));
        }
        // The end of the stream so far: the same forward token comes back.
        const next = page.nextForwardToken;
        if (next === undefined || next === token) return lines;
        token = next;
      }
    },
  };
}

/** Local mode's log file of a task, read from where the previous call stopped. */
export function fileSource(path: string): LogSource {
  let offset = 0;
  let partial = Buffer.alloc(0);
  return {
    description: path,
    async read(final = false) {
      let handle: Awaited<ReturnType<typeof open>>;
      try {
        handle = await open(path, "r");
      } catch (error) {
        // The file appears when the worker writes its first line.
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
        throw error;
      }
      try {
        const chunks: Buffer[] = [];
        for (;;) {
          const buffer = Buffer.alloc(64 * 1024);
          const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
          if (bytesRead === 0) break;
          chunks.push(buffer.subarray(0, bytesRead));
          offset += bytesRead;
        }
        const data = Buffer.concat([partial, ...chunks]);
        // Bytes after the last newline are a line still being written (perhaps mid-character): kept for
        // the next read, unless this is the last one.
        const end = final ? data.length : data.lastIndexOf(0x0a) + 1;
        partial = data.subarray(end);
        return data
          .subarray(0, end)
          .toString("utf8")
          .split("\n")
          .filter((raw) => raw !== "")
          .map((raw) => parseLogLine(raw));
      } finally {
        await handle.close();
      }
    },
  };
}
