// Time windows given on the command line: `--since 2h`, `--since 2026-11-01`, `--until 2026-11-02T12:00Z`.
// Relative times count back from now; a date alone is a UTC day (its start for --since, its end for --until,
// so `--since 2026-11-01 --until 2026-11-01` is that whole day). The result is in the store's format
// (ISO-8601 with milliseconds, UTC), which is what the table's sort keys hold.

import type { TimeWindow } from "../jobs/store";
import { UsageError } from "./errors";

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;
const RELATIVE = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
// A date and time; the zone may be omitted (then UTC, stated in --help), seconds and fraction optional.
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?$/i;

export const TIME_FORMATS =
  "a duration back from now (30m, 2h, 7d, 1w) or a UTC date/time (2026-11-01, 2026-11-01T10:00Z)";

/** Parses one bound; `end` makes a date alone mean the end of that day. */
export function parseTime(text: string, now: Date, option: string, bound: "start" | "end"): Date {
  const value = text.trim();
  if (value === "now") return now;
  const relative = RELATIVE.exec(value);
  if (relative) {
    const ms = Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS];
    return new Date(now.getTime() - ms);
  }
  if (DATE_ONLY.test(value)) {
    const start = Date.parse(`${value}T00:00:00.000Z`);
    if (!Number.isNaN(start) && new Date(start).toISOString().startsWith(value)) {
      return new Date(bound === "end" ? start + UNIT_MS.d - 1 : start);
    }
  }
  const dateTime = DATE_TIME.exec(value);
  if (dateTime) {
    const zone = dateTime[3] ?? "Z";
    const ms = Date.parse(`${dateTime[1]}T${dateTime[2]}${zone.toUpperCase()}`);
    if (!Number.isNaN(ms)) return new Date(ms);
  }
  throw new UsageError(`invalid time for ${option}: "${text}"`, `use ${TIME_FORMATS}`);
}

export interface WindowOptions {
  readonly since?: string | undefined;
  readonly until?: string | undefined;
}

/**
 * The window of `--since`/`--until`. A missing --since is `defaultSpan` (e.g. "24h") before the end; with no
 * default span either, a missing --since means all time and no flags at all mean no window.
 */
export function parseWindow(options: WindowOptions, now: Date, defaultSpan?: string): TimeWindow | undefined {
  if (options.since === undefined && options.until === undefined && defaultSpan === undefined)
    return undefined;
  const to = options.until === undefined ? now : parseTime(options.until, now, "--until", "end");
  const from =
    options.since !== undefined
      ? parseTime(options.since, now, "--since", "start")
      : defaultSpan !== undefined
        ? parseTime(defaultSpan, to, "--since", "start")
        : new Date(0);
  if (from.getTime() > to.getTime()) {
    throw new UsageError(
      `invalid time window: --since (${from.toISOString()}) is after --until (${to.toISOString()})`,
      "give a start before the end",
    );
  }
  return { from: from.toISOString(), to: to.toISOString() };
}

/** Whole UTC days a window touches: the submission index is partitioned by day. */
export function utcDaysIn(window: TimeWindow): number {
  const day = (iso: string) => Math.floor(Date.parse(iso) / UNIT_MS.d);
  return day(window.to) - day(window.from) + 1;
}
