// Human output: durations, ages, aligned tables and colour. Colour only when writing to a terminal, never
// with NO_COLOR set (https://no-color.org), TERM=dumb or --no-color; node:util's styleText does the
// painting, so no colour library is needed.

import { styleText } from "node:util";
import type { JobStatus } from "../jobs/state";

type Style = Parameters<typeof styleText>[0];

export interface Painter {
  readonly enabled: boolean;
  paint(style: Style, text: string): string;
  status(status: JobStatus | "NEW", text?: string): string;
}

export function colourEnabled(
  stream: { readonly isTTY?: boolean },
  env: Readonly<Record<string, string | undefined>>,
  flag = true,
): boolean {
  if (!flag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.TERM === "dumb") return false;
  return stream.isTTY === true;
}

const STATUS_STYLES: Record<JobStatus | "NEW", Style> = {
  NEW: "gray",
  SUBMITTED: "cyan",
  LAUNCHING: "cyan",
  LAUNCHED: "cyan",
  RUNNING: "blue",
  RETRYING: "yellow",
  SUCCEEDED: "green",
  FAILED: "red",
  TIMED_OUT: "red",
  CANCELLED: "magenta",
  REJECTED: "red",
};

export function painter(enabled: boolean): Painter {
  // validateStream: false — whether to paint is decided above, for the stream the text goes to.
  const paint = (style: Style, text: string) =>
    enabled && text !== "" ? styleText(style, text, { validateStream: false }) : text;
  return {
    enabled,
    paint,
    status: (status, text = status) => paint(STATUS_STYLES[status], text),
  };
}

/** 850ms, 42s, 3m 05s, 2h 04m, 3d 04h. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || Number.isNaN(ms)) return "-";
  if (ms < 1000) return ms === 0 ? "0s" : `${Math.round(ms)}ms`;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const pad = (n: number) => String(n).padStart(2, "0");
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${pad(seconds % 60)}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${pad(minutes % 60)}m`;
  return `${Math.floor(hours / 24)}d ${pad(hours % 24)}h`;
}

/** "+1m 05s": an offset from a reference time. */
export function formatOffset(ms: number | undefined): string {
  return ms === undefined ? "" : `+${formatDuration(ms)}`;
}

/** 2026-11-26 10:00:03Z: second precision, UTC, for tables. */
export function formatTime(iso: string | undefined): string {
  if (iso === undefined) return "-";
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")}Z`;
}

/** Cuts the end off: for sentences, whose start says most. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Shortens in the middle, keeping the end (the file name of a URL says most). */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const tail = Math.ceil((max - 1) * 0.6);
  return `${text.slice(0, max - 1 - tail)}…${text.slice(text.length - tail)}`;
}

export interface Column<Row> {
  readonly header: string;
  readonly value: (row: Row) => string;
  /** Applied after padding, so escape codes never upset the alignment. */
  readonly paint?: (row: Row, padded: string) => string;
  readonly align?: "left" | "right";
}

/** An aligned plain-text table: header, then one line per row; the last column is not padded. */
export function renderTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[], p: Painter): string {
  const cells = rows.map((row) => columns.map((c) => c.value(row)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => (r[i] ?? "").length)));
  const pad = (text: string, i: number) => {
    if (i === columns.length - 1 && columns[i]?.align !== "right") return text;
    const width = widths[i] ?? 0;
    return columns[i]?.align === "right" ? text.padStart(width) : text.padEnd(width);
  };
  const header = columns.map((c, i) => p.paint("bold", pad(c.header, i))).join("  ");
  const lines = rows.map((row, r) =>
    columns
      .map((c, i) => {
        const padded = pad(cells[r]?.[i] ?? "", i);
        return c.paint ? c.paint(row, padded) : padded;
      })
      .join("  "),
  );
  return `${[header, ...lines].map((line) => line.trimEnd()).join("\n")}\n`;
}
