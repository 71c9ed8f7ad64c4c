/// <reference lib="dom" />
// Statistics over the jobs submitted in a window: jobs per hour by outcome, waiting and running (p50/p95),
// failure reasons, cost per day and per outcome, the Spot share, and the size recommendation — the numbers
// of `jobs stats` and `jobs stats --sizes`, drawn.

import type { StatsAnswer } from "../server/api";
import { horizontalBars, STATUS_COLOURS, sizeBars, stackedBars } from "./charts";
import { get } from "./client";
import { h, replace } from "./dom";
import { describeSize, formatDuration, formatTime, formatUsd } from "./format";

const OUTCOMES = [
  "SUCCEEDED",
  "FAILED",
  "TIMED_OUT",
  "CANCELLED",
  "REJECTED",
  "RUNNING",
  "LAUNCHING",
  "SUBMITTED",
  "WAITING",
  "RETRYING",
];

export function statsView(
  root: HTMLElement,
  since: string,
  onSince: (s: string) => void,
  fail: (e: unknown) => void,
): () => void {
  const body = h(
    "div",
    { "aria-live": "polite" },
    h("p", { class: "muted" }, "Reading the jobs of the window…"),
  );
  const select = h(
    "select",
    { id: "stats-since", onchange: (e: Event) => onSince((e.target as HTMLSelectElement).value) },
    [
      ["24h", "last 24 hours"],
      ["7d", "last 7 days"],
      ["30d", "last 30 days"],
    ].map(([v, l]) => h("option", { value: v, selected: v === since }, l)),
  );
  replace(
    root,
    h("h1", {}, "Statistics"),
    h("label", { class: "field inline" }, h("span", {}, "Submitted"), select),
    body,
  );
  let stopped = false;
  get<StatsAnswer>("/api/stats", { since })
    .then((answer) => {
      if (!stopped) render(body, answer);
    })
    .catch(fail);
  return () => {
    stopped = true;
  };
}

function render(body: HTMLElement, a: StatsAnswer): void {
  const s = a.stats;
  const hourly = a.activity.perHour.map((h) => ({
    label:
      h.hour.slice(11, 13) === "00" || a.activity.perHour.length <= 24
        ? `${h.hour.slice(5, 10)} ${h.hour.slice(11, 13)}h`
        : `${h.hour.slice(11, 13)}h`,
    values: h.byStatus as Record<string, number>,
  }));
  const dist = (name: string, d: StatsAnswer["stats"]["queueWait"]) => [
    { label: `${name} p50`, value: d.p50 ?? 0, text: formatDuration(d.p50) },
    { label: `${name} p95`, value: d.p95 ?? 0, text: formatDuration(d.p95) },
  ];
  const sizes = a.sizes;
  replace(
    body,
    h(
      "p",
      {},
      `${s.jobs} job(s) submitted ${formatTime(a.window.from)} – ${formatTime(a.window.to)}`,
      s.successRate === undefined
        ? ""
        : `; ${(s.successRate * 100).toFixed(1)}% of those that ran to an outcome succeeded`,
      a.truncated ? ` (the newest ${a.limit} only)` : "",
      ".",
    ),
    h(
      "div",
      { class: "grid" },
      stackedBars("Jobs per hour, by outcome", hourly, OUTCOMES),
      horizontalBars("Time waiting (submitted → task created) and running", [
        ...dist("waiting", s.queueWait),
        ...dist("running", s.runTime),
      ]),
      horizontalBars(
        "Failure reasons (failed and timed-out jobs)",
        a.activity.failureReasons.map((r) => ({
          label: r.reason,
          value: r.jobs,
          text: `${r.jobs} job(s)`,
          colour: STATUS_COLOURS.FAILED,
        })),
      ),
      horizontalBars(
        `Cost per day${a.cost.estimate ? " (estimate: local timings)" : ""}`,
        a.activity.costPerDay.map((d) => ({ label: d.day, value: d.usd, text: formatUsd(d.usd) })),
      ),
      horizontalBars(
        "Cost per outcome",
        Object.entries(a.activity.costPerOutcome).map(([k, v]) => ({
          label: k,
          value: v ?? 0,
          text: formatUsd(v ?? 0),
          colour: STATUS_COLOURS[k] ?? "",
        })),
      ),
      h(
        "figure",
        { class: "chart" },
        h("figcaption", {}, "Spot share"),
        a.activity.spot.share === undefined
          ? h("p", { class: "muted" }, "No attempt recorded its capacity.")
          : h(
              "p",
              { class: "big" },
              `${Math.round(a.activity.spot.share * 100)}%`,
              h("span", { class: "muted" }, ` of ${a.activity.spot.ofAttempts} attempt(s) ran on Spot`),
            ),
        h(
          "p",
          {},
          `Total ${formatUsd(a.cost.totalUsd)}`,
          a.cost.perSucceededJobUsd === undefined
            ? ""
            : `, ${formatUsd(a.cost.perSucceededJobUsd)} per succeeded job`,
        ),
      ),
      h(
        "figure",
        { class: "chart" },
        h("figcaption", {}, "Size recommendation"),
        sizes.recommended === undefined
          ? h("p", { class: "muted" }, sizes.noRecommendation ?? "No recommendation.")
          : h("p", { class: "big" }, describeSize(sizes.recommended)),
        h(
          "p",
          {},
          `${sizes.measured} measured job(s)`,
          sizes.peakMemoryMb ? `; peak memory p95 ${sizes.peakMemoryMb.p95} MiB` : "",
          sizes.current ? `; ran with ${describeSize(sizes.current)}` : "",
          sizes.saving ? `; saving ${sizes.saving.percent.toFixed(0)}% per job-hour` : "",
        ),
      ),
    ),
  );
  sizeBars(body);
}
