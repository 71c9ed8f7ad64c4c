// Human output: durations, ages, aligned tables and colour. Colour only when writing to a terminal, never
// with NO_COLOR set (https://no-color.org), TERM=dumb or --no-color; node:util's styleText does the
// painting, so no colour library is needed.

import { styleText } from "node:util";
import type { JobStatus } from "../jobs/model";

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
  WAITING: "gray",
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

// Widths are terminal columns, not string lengths: a CJK character takes two, a combining accent none, so
// `café 日本.mp4` lines up with its neighbours and is never cut in the middle of a character.

const ZERO_WIDTH = /^(?:\p{Mn}|\p{Me}|\p{Cf})$/u;
const DOUBLE_WIDTH =
  /^[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6\u{1F300}-\u{1F64F}\u{1F900}-\u{1F9FF}\u{20000}-\u{3FFFD}]$/u;

function charWidth(char: string): number {
  if (ZERO_WIDTH.test(char)) return 0;
  return DOUBLE_WIDTH.test(char) ? 2 : 1;
}

/** Terminal columns the text takes (no escape codes expected: cells are painted after they are laid out). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) width += charWidth(char);
  return width;
}

/** The longest start of `text` that fits in `max` columns. */
function fitStart(text: string, max: number): string {
  let width = 0;
  let end = 0;
  for (const char of text) {
    const w = charWidth(char);
    if (width + w > max) break;
    width += w;
    end += char.length;
  }
  return text.slice(0, end);
}

/** The longest end of `text` that fits in `max` columns. */
function fitEnd(text: string, max: number): string {
  const chars = [...text];
  let width = 0;
  let start = chars.length;
  while (start > 0) {
    const w = charWidth(chars[start - 1] as string);
    if (width + w > max) break;
    width += w;
    start--;
  }
  return chars.slice(start).join("");
}

/** Pads to `width` columns, on the right (or the left for right-aligned cells). */
function pad(text: string, width: number, align: "left" | "right" = "left"): string {
  const fill = " ".repeat(Math.max(0, width - displayWidth(text)));
  return align === "right" ? fill + text : text + fill;
}

/** Cuts the end off: for sentences, whose start says most. */
export function truncate(text: string, max: number): string {
  return displayWidth(text) <= max ? text : `${fitStart(text, max - 1)}…`;
}

/**
 * Cuts the end off between words (after a space, `;` or `,`), so a reason reads "failed after 3 attempts;
 * last: …" rather than "failed after 3 atte…"; mid-word only when the first word alone is too long.
 */
export function truncateWords(text: string, max: number): string {
  if (displayWidth(text) <= max) return text;
  const start = fitStart(text, max - 1);
  const boundary = Math.max(start.lastIndexOf(" "), start.lastIndexOf(";"), start.lastIndexOf(","));
  const cut = boundary >= start.length * 0.5 ? start.slice(0, boundary) : start;
  return `${cut.replace(/[\s;,:]+$/, "")}…`;
}

/**
 * A reason's first clause, for a one-row summary: "input is not a processable video: ffmpeg: <its stderr>"
 * reads "input is not a processable video: ffmpeg"; a short reason is kept whole.
 */
export function firstClause(text: string, max = 48): string {
  if (displayWidth(text) <= max) return text;
  const parts = text.split(/(?<=\S): /);
  let out = parts[0] ?? text;
  for (const part of parts.slice(1)) {
    const joined = `${out}: ${part}`;
    if (displayWidth(joined) <= max) {
      out = joined;
      continue;
    }
    // The clause that does not fit is cut between its words, if enough of it shows to say something.
    const room = max - displayWidth(out) - 2;
    return room >= 12 ? `${out}: ${truncateWords(part, room)}` : `${out}…`;
  }
  return displayWidth(out) <= max ? out : truncateWords(out, max);
}

/** Shortens in the middle, keeping the end (the file name of a URL says most). */
export function shorten(text: string, max: number): string {
  if (displayWidth(text) <= max) return text;
  const tail = Math.ceil((max - 1) * 0.6);
  return `${fitStart(text, max - 1 - tail)}…${fitEnd(text, tail)}`;
}

/**
 * Shortens a URL or path to `max` columns keeping what names it: its file name whole, and as much of the
 * start (scheme, bucket) as fits, the folders between elided: `s3://uploads/…/café 日本.mp4`. A query
 * string goes first. Only a file name longer than `max` is itself cut, in its middle, keeping its extension.
 */
export function shortenPath(text: string, max: number): string {
  if (displayWidth(text) <= max) return text;
  const query = text.indexOf("?", text.indexOf("//") + 2);
  const path = query >= 0 ? text.slice(0, query) : text;
  const slash = path.lastIndexOf("/");
  const name = path.slice(slash + 1);
  const tail = `/${name}${query >= 0 ? "?…" : ""}`;
  const room = max - displayWidth(tail) - 1;
  const head = path.slice(0, Math.max(0, slash));
  if (slash > 0 && displayWidth(head) + displayWidth(tail) <= max) return `${head}${tail}`;
  const scheme = head.indexOf("//") + 2;
  if (slash > 0 && room >= scheme) {
    // The kept start ends at a folder boundary (`s3://bucket/…/name`), or is the scheme alone
    // (`s3://…/name`): never half a bucket name.
    const kept = fitStart(head, room);
    const boundary = kept.lastIndexOf("/");
    return `${boundary >= scheme ? kept.slice(0, boundary + 1) : kept.slice(0, scheme)}…${tail}`;
  }
  return shortenName(name, max);
}

/** A file name cut in its middle, its extension kept: `a-very-lo…-name.mp4`. */
function shortenName(name: string, max: number): string {
  if (displayWidth(name) <= max) return name;
  const dot = name.lastIndexOf(".");
  const extension = dot > 0 && name.length - dot <= 6 ? name.slice(dot) : "";
  const stem = name.slice(0, name.length - extension.length);
  const room = max - 1 - displayWidth(extension);
  if (room < 2) return `${fitStart(name, max - 1)}…`;
  const end = Math.floor(room / 3);
  return `${fitStart(stem, room - end)}…${fitEnd(stem, end)}${extension}`;
}

export interface Column<Row> {
  readonly header: string;
  readonly value: (row: Row) => string;
  /** Applied after padding, so escape codes never upset the alignment. */
  readonly paint?: (row: Row, padded: string) => string;
  readonly align?: "left" | "right";
  /**
   * How the column's text is made to fit when the table is wider than the terminal (shortenPath,
   * truncateWords, ...); a column without one keeps its width. `min` is the narrowest it gets (default:
   * the header's width, at least 8).
   */
  readonly shrink?: (text: string, max: number) => string;
  readonly min?: number;
  /** Shrunk to this width before any other column gives up a column (an id whose start is enough). */
  readonly soft?: number;
  /** The last column only: text longer than its width continues on the next lines, under the column. */
  readonly wrap?: boolean;
  /** Left out when even the narrowest layout is wider than the terminal (`-o wide` shows it). */
  readonly optional?: boolean;
}

export interface TableOptions {
  /** Columns available; undefined: no limit (`-o wide`, or not measured). */
  readonly width?: number | undefined;
}

/** The terminal's width for tables: its columns, 80 when not a terminal, no limit with `-o wide`. */
export function tableWidth(
  stream: { readonly columns?: number; readonly isTTY?: boolean },
  wide: boolean,
): number | undefined {
  if (wide) return undefined;
  return stream.isTTY === true && stream.columns !== undefined && stream.columns > 0 ? stream.columns : 80;
}

const GAP = 2;

/**
 * An aligned plain-text table: header, then one line per row; the last column is not padded. With a
 * width, optional columns go first (the last one first) while even the narrowest layout would not fit;
 * then shrinkable columns give up columns, the widest first, down to their minimum, until it fits.
 */
export function renderTable<Row>(
  rows: readonly Row[],
  allColumns: readonly Column<Row>[],
  p: Painter,
  options: TableOptions = {},
): string {
  const naturalOf = (c: Column<Row>) =>
    Math.max(displayWidth(c.header), ...rows.map((row) => displayWidth(c.value(row))));
  let columns = [...allColumns];
  if (options.width !== undefined) {
    const narrowest = (c: Column<Row>) =>
      Math.min(naturalOf(c), c.shrink === undefined ? Infinity : floorOf(c));
    const total = () => columns.reduce((sum, c) => sum + narrowest(c), 0) + GAP * (columns.length - 1);
    while (total() > options.width) {
      const optional = columns.findLastIndex((c) => c.optional === true);
      if (optional < 0) break;
      columns = columns.filter((_, i) => i !== optional);
    }
  }
  const natural = rows.map((row) => columns.map((c) => c.value(row)));
  const widths = columns.map((c, i) =>
    Math.max(displayWidth(c.header), ...natural.map((r) => displayWidth(r[i] ?? ""))),
  );
  const last = columns.length - 1;
  const wraps = options.width !== undefined && columns[last]?.wrap === true;
  // A wrapping last column asks only for its minimum: it gets the rest after the others are fitted.
  if (wraps) widths[last] = Math.min(widths[last] ?? 0, floorOf(columns[last] as Column<Row>));
  if (options.width !== undefined) fitWidths(widths, columns, options.width);
  if (wraps) {
    // The last column takes whatever the others leave.
    const others = widths.slice(0, last).reduce((a, b) => a + b, 0) + GAP * last;
    widths[last] = Math.max(floorOf(columns[last] as Column<Row>), (options.width ?? 0) - others);
  }
  const cells = natural.map((r) =>
    r.map((text, i) => {
      const column = columns[i];
      const width = widths[i] ?? 0;
      if (wraps && i === last) return text;
      return column?.shrink !== undefined && displayWidth(text) > width ? column.shrink(text, width) : text;
    }),
  );
  const place = (text: string, i: number) => {
    const align = columns[i]?.align ?? "left";
    if (i === columns.length - 1 && align !== "right") return text;
    return pad(text, widths[i] ?? 0, align);
  };
  // A shrunk column may come out narrower than its share (a time without its date): give the rest back
  // to a wrapping last column.
  for (let i = 0; i < last; i++) {
    widths[i] = Math.min(
      widths[i] ?? 0,
      Math.max(displayWidth(columns[i]?.header ?? ""), ...cells.map((r) => displayWidth(r[i] ?? ""))),
    );
  }
  if (wraps) {
    const others = widths.slice(0, last).reduce((a, b) => a + b, 0) + GAP * last;
    widths[last] = Math.max(widths[last] ?? 0, (options.width ?? 0) - others);
  }
  const header = columns
    .map((c, i) => p.paint("bold", place(fitStart(c.header, widths[i] ?? 0), i)))
    .join(" ".repeat(GAP));
  const indent = " ".repeat(widths.slice(0, last).reduce((a, b) => a + b, 0) + GAP * last);
  const lines = rows.map((row, r) => {
    const [first, ...more] = wraps ? wrapText(cells[r]?.[last] ?? "", widths[last] ?? 0) : [cells[r]?.[last]];
    const line = columns
      .map((c, i) => {
        const placed = place(i === last ? (first ?? "") : (cells[r]?.[i] ?? ""), i);
        return c.paint ? c.paint(row, placed) : placed;
      })
      .join(" ".repeat(GAP));
    return [line, ...more.map((continued) => `${indent}${continued}`)].join("\n");
  });
  return `${[header, ...lines].map((line) => line.trimEnd()).join("\n")}\n`;
}

/** Word-wraps to `width` columns (a word longer than that is cut where it must be). */
export function wrapText(text: string, width: number): string[] {
  if (displayWidth(text) <= width || width < 1) return [text];
  const lines: string[] = [];
  let rest = text;
  while (displayWidth(rest) > width) {
    const start = fitStart(rest, width);
    const space = start.lastIndexOf(" ");
    // A word longer than the line (a URL, an ARN) is cut after one of its own separators when it has one.
    const separator = Math.max(...["/", ":", "-", "_", ".", ","].map((c) => start.lastIndexOf(c))) + 1;
    const cut = space > 0 ? space : separator > width * 0.4 ? separator : start.length;
    lines.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest !== "") lines.push(rest);
  return lines;
}

function floorOf<Row>(column: Column<Row>): number {
  return column.min ?? Math.max(displayWidth(column.header), 8);
}

/** Narrows shrinkable columns, the widest first, until the table fits `width` or none can give more. */
function fitWidths<Row>(widths: number[], columns: readonly Column<Row>[], width: number): void {
  const total = () => widths.reduce((a, b) => a + b, 0) + GAP * (widths.length - 1);
  const floor = (i: number) => Math.min(widths[i] ?? 0, floorOf(columns[i] as Column<Row>));
  for (let i = 0; i < columns.length && total() > width; i++) {
    const soft = columns[i]?.soft;
    if (soft !== undefined && columns[i]?.shrink !== undefined && (widths[i] ?? 0) > soft) {
      widths[i] = Math.max(soft, (widths[i] ?? 0) - (total() - width));
    }
  }
  while (total() > width) {
    let widest = -1;
    for (let i = 0; i < columns.length; i++) {
      if (columns[i]?.shrink === undefined || (widths[i] ?? 0) <= floor(i)) continue;
      if (widest < 0 || (widths[i] ?? 0) > (widths[widest] ?? 0)) widest = i;
    }
    if (widest < 0) return;
    const others = [...widths.keys()]
      .filter((i) => i !== widest && columns[i]?.shrink !== undefined)
      .map((i) => widths[i] ?? 0);
    const next = Math.max(0, ...others);
    const excess = total() - width;
    // Down to the next widest shrinkable column at most, so the wide ones shrink together.
    const by = Math.min(excess, Math.max(1, (widths[widest] ?? 0) - next));
    widths[widest] = Math.max(floor(widest), (widths[widest] ?? 0) - by);
  }
}
