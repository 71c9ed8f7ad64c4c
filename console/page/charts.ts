/// <reference lib="dom" />
// The console's charts, drawn as SVG by hand: stacked bars per hour, horizontal bars, and the attempt
// timeline of a job. A few dozen lines each, so the page needs no charting library; each chart has a title
// and a text table beside it (a screen reader reads the numbers, not the picture).

import { type Child, h, svg } from "./dom";

export const STATUS_COLOURS: Record<string, string> = {
  SUCCEEDED: "#1a7f37",
  FAILED: "#cf222e",
  TIMED_OUT: "#bc4c00",
  CANCELLED: "#6e7781",
  REJECTED: "#8250df",
  RUNNING: "#0969da",
  LAUNCHING: "#54aeff",
  SUBMITTED: "#9a6700",
  WAITING: "#d4a72c",
  RETRYING: "#fb8f44",
};

export function stackedBars(
  title: string,
  columns: ReadonlyArray<{ label: string; values: Record<string, number> }>,
  keys: readonly string[],
): HTMLElement {
  const width = 420;
  const height = 160;
  const pad = { left: 32, bottom: 22, top: 8 };
  const max = Math.max(1, ...columns.map((c) => keys.reduce((s, k) => s + (c.values[k] ?? 0), 0)));
  const step = (width - pad.left) / Math.max(1, columns.length);
  const plot = height - pad.bottom - pad.top;
  const bars: Child[] = [];
  columns.forEach((column, i) => {
    let y = height - pad.bottom;
    for (const key of keys) {
      const v = column.values[key] ?? 0;
      if (v === 0) continue;
      const bar = (v / max) * plot;
      y -= bar;
      bars.push(
        svg(
          "rect",
          {
            x: pad.left + i * step + 1,
            y,
            width: Math.max(1, step - 2),
            height: bar,
            fill: STATUS_COLOURS[key] ?? "#57606a",
          },
          svg("title", {}, `${column.label}: ${v} ${key}`),
        ),
      );
    }
    if (columns.length <= 6 || i % Math.ceil(columns.length / 5) === 0)
      bars.push(svg("text", { x: pad.left + i * step, y: height - 6, class: "axis" }, column.label));
  });
  bars.push(svg("text", { x: 0, y: pad.top + 10, class: "axis" }, String(max)));
  bars.push(svg("text", { x: 0, y: height - pad.bottom, class: "axis" }, "0"));
  return h(
    "figure",
    { class: "chart" },
    h("figcaption", {}, title),
    svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": title }, bars),
    legend(keys.filter((k) => columns.some((c) => (c.values[k] ?? 0) > 0))),
  );
}

export function horizontalBars(
  title: string,
  rows: ReadonlyArray<{ label: string; value: number; text: string; colour?: string }>,
): HTMLElement {
  const max = Math.max(0, ...rows.map((r) => r.value));
  return h(
    "figure",
    { class: "chart" },
    h("figcaption", {}, title),
    rows.length === 0
      ? h("p", { class: "muted" }, "nothing in this window")
      : h(
          "table",
          { class: "bars" },
          h(
            "tbody",
            {},
            rows.map((r) =>
              h(
                "tr",
                {},
                h("th", { scope: "row" }, r.label),
                h(
                  "td",
                  {},
                  h("span", {
                    class: "bar",
                    "data-width": String(max === 0 ? 0 : Math.round((r.value / max) * 100)),
                    "data-colour": r.colour ?? "",
                  }),
                  h("span", { class: "bar-text" }, r.text),
                ),
              ),
            ),
          ),
        ),
  );
}

/** Bar widths and colours set from data attributes once in the document (no inline styles: the CSP). */
export function sizeBars(root: ParentNode): void {
  for (const bar of root.querySelectorAll<HTMLElement>(".bar")) {
    bar.style.width = `${bar.dataset.width ?? 0}%`;
    if (bar.dataset.colour) bar.style.background = bar.dataset.colour;
  }
}

function legend(keys: readonly string[]): HTMLElement {
  return h(
    "ul",
    { class: "legend" },
    keys.map((k) =>
      h(
        "li",
        {},
        svg(
          "svg",
          { width: 10, height: 10, "aria-hidden": "true" },
          svg("rect", { width: 10, height: 10, fill: STATUS_COLOURS[k] ?? "#57606a" }),
        ),
        ` ${k}`,
      ),
    ),
  );
}
