/// <reference lib="dom" />
// The jobs list: filters (status, window, input, id prefix; tenant and priority join the same form once
// jobs carry them), a page of jobs newest first with "more" for the next, read again every few seconds
// while the page is open, so new jobs and changes appear by themselves.

import type { ListAnswer } from "../server/api";
import { get } from "./client";
import { h, replace } from "./dom";
import { formatDuration, formatTime, inputName } from "./format";
import { statusBadge } from "./status";

const STATUSES = [
  "SUBMITTED",
  "WAITING",
  "LAUNCHING",
  "RUNNING",
  "RETRYING",
  "SUCCEEDED",
  "FAILED",
  "TIMED_OUT",
  "CANCELLED",
  "REJECTED",
];
const WINDOWS = [
  ["1h", "last hour"],
  ["24h", "last 24 hours"],
  ["7d", "last 7 days"],
  ["30d", "last 30 days"],
] as const;
const PAGE = 50;

export interface JobsFilter {
  status: string;
  since: string;
  input: string;
  id: string;
}

export function jobsView(
  root: HTMLElement,
  filter: JobsFilter,
  onFilter: (f: JobsFilter) => void,
  fail: (e: unknown) => void,
): () => void {
  const table = h("div", { class: "jobs", "aria-live": "polite" });
  const summary = h("p", { class: "muted", id: "jobs-summary" });
  const more = h("div", {});
  let extra: ListAnswer["jobs"] = [];
  let cursor: string | undefined;

  const form = h(
    "form",
    {
      class: "filters",
      role: "search",
      "aria-label": "Filter jobs",
      onsubmit: (e: Event) => {
        e.preventDefault();
        submit();
      },
    },
    field(
      "Status",
      h(
        "select",
        { name: "status", id: "f-status" },
        h("option", { value: "" }, "any (by submission)"),
        STATUSES.map((s) => h("option", { value: s, selected: s === filter.status }, s)),
      ),
    ),
    field(
      "Submitted",
      h(
        "select",
        { name: "since", id: "f-since" },
        WINDOWS.map(([v, label]) => h("option", { value: v, selected: v === filter.since }, label)),
      ),
    ),
    field(
      "Input contains",
      h("input", {
        name: "input",
        id: "f-input",
        type: "search",
        value: filter.input,
        placeholder: "clip.mp4",
      }),
    ),
    field(
      "Id starts with",
      h("input", {
        name: "id",
        id: "f-id",
        type: "search",
        value: filter.id,
        placeholder: "s3-4f2a",
        autocomplete: "off",
      }),
    ),
    h("button", { type: "submit" }, "Apply"),
  );
  function submit(): void {
    const data = new FormData(form as HTMLFormElement);
    onFilter({
      status: String(data.get("status") ?? ""),
      since: String(data.get("since") ?? "24h"),
      input: String(data.get("input") ?? ""),
      id: String(data.get("id") ?? ""),
    });
  }
  replace(root, h("h1", {}, "Jobs"), form, summary, table, more);

  const query = (c?: string) => ({
    status: filter.status || undefined,
    // A status lists all time (most recently changed first), as `jobs list --status` does.
    since: filter.status ? undefined : filter.since,
    input: filter.input || undefined,
    id: filter.id || undefined,
    cursor: c,
    limit: String(PAGE),
  });

  async function refresh(): Promise<void> {
    const first = await get<ListAnswer>("/api/jobs", query());
    render(
      first.jobs.concat(extra.filter((j) => !first.jobs.some((f) => f.jobId === j.jobId))),
      extra.length === 0 ? first.cursor : cursor,
    );
  }
  function render(jobs: ListAnswer["jobs"], next: string | undefined): void {
    cursor = next;
    const now = Date.now();
    summary.textContent =
      jobs.length === 0
        ? "No jobs match: widen the window or clear a filter."
        : `${jobs.length} job${jobs.length === 1 ? "" : "s"}, newest first${filter.status ? ` (in ${filter.status}, most recently changed first)` : ""}. Updates by itself.`;
    replace(
      table,
      jobs.length === 0
        ? null
        : h(
            "table",
            { class: "job-table" },
            h("caption", { class: "visually-hidden" }, "Jobs"),
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                ["Id", "Status", "Attempt", "Input", "Submitted", "Duration", "Reason"].map((c) =>
                  h("th", { scope: "col" }, c),
                ),
              ),
            ),
            h(
              "tbody",
              {},
              jobs.map((job) => {
                const end = job.finishedAt ? Date.parse(job.finishedAt) : now;
                const start = job.submittedAt ? Date.parse(job.submittedAt) : undefined;
                return h(
                  "tr",
                  { "data-job": job.jobId },
                  h(
                    "td",
                    { "data-label": "Id" },
                    h("a", { href: `#/job/${encodeURIComponent(job.jobId)}`, class: "mono" }, job.jobId),
                  ),
                  h("td", { "data-label": "Status" }, statusBadge(job.status)),
                  h("td", { "data-label": "Attempt", class: "num" }, String(job.attempt)),
                  h(
                    "td",
                    { "data-label": "Input", title: job.input?.videoUrl ?? "" },
                    inputName(job.input?.videoUrl),
                  ),
                  h(
                    "td",
                    { "data-label": "Submitted" },
                    h("time", { datetime: job.submittedAt ?? "" }, formatTime(job.submittedAt)),
                  ),
                  h(
                    "td",
                    { "data-label": "Duration", class: "num" },
                    start === undefined ? "-" : `${formatDuration(end - start)}${job.finishedAt ? "" : "…"}`,
                  ),
                  h("td", { "data-label": "Reason", class: "reason" }, job.reason ?? ""),
                );
              }),
            ),
          ),
    );
    replace(
      more,
      cursor === undefined
        ? null
        : h(
            "button",
            { type: "button", class: "secondary", onclick: () => void loadMore().catch(fail) },
            `Show ${PAGE} more`,
          ),
    );
  }
  async function loadMore(): Promise<void> {
    if (cursor === undefined) return;
    const next = await get<ListAnswer>("/api/jobs", query(cursor));
    extra = extra.concat(next.jobs);
    cursor = next.cursor;
    await refresh();
  }

  let stopped = false;
  const tick = async () => {
    if (stopped) return;
    try {
      await refresh();
    } catch (error) {
      fail(error);
    }
    if (!stopped) timer = window.setTimeout(tick, 3000);
  };
  let timer = window.setTimeout(tick, 0);
  return () => {
    stopped = true;
    window.clearTimeout(timer);
  };
}

function field(label: string, control: HTMLElement): HTMLElement {
  return h("label", { class: "field" }, h("span", {}, label), control);
}
