/// <reference lib="dom" />
// A job's page: what it is and where it stands, its attempts as bars on a time axis (waiting, launching,
// running, stopped) with each attempt's size, capacity, exit and stop codes, reason and cost, the progress
// of a running job, its outputs inline (contact sheet, thumbnails, result.json), its logs following live,
// and the full event history. Retry and cancel ask for a confirmation, then call the same workflows as the
// CLI. Read again every second until the job is finished.

import type { ActionAnswer, JobAnswer, LogsAnswer } from "../server/api";
import { ApiError, get, post } from "./client";
import { type Child, h, replace, svg } from "./dom";
import {
  describeCapacity,
  describeSize,
  formatBytes,
  formatDuration,
  formatTime,
  formatUsd,
  inputName,
} from "./format";
import { statusBadge } from "./status";

type Attempt = JobAnswer["timeline"]["attempts"][number];

export function jobView(
  root: HTMLElement,
  jobId: string,
  fail: (e: unknown) => void,
  recovered: () => void,
): () => void {
  let stopped = false;
  let timer = 0;
  const head = h("div", {});
  const actions = h("div", { class: "actions" });
  const notice = h("div", { role: "status", class: "notice", "aria-live": "polite" });
  const timeline = h("section", { "aria-labelledby": "h-timeline" });
  const outputs = h("section", { "aria-labelledby": "h-outputs" });
  const logs = h("section", { "aria-labelledby": "h-logs" });
  const history = h("section", { "aria-labelledby": "h-history" });
  const dialog = h("dialog", { "aria-labelledby": "confirm-title" }) as HTMLDialogElement;
  replace(
    root,
    h("p", {}, h("a", { href: "#/" }, "← All jobs")),
    head,
    actions,
    notice,
    timeline,
    outputs,
    logs,
    history,
    dialog,
  );
  let outputsKey = "";
  // The log followed: the latest attempt's (moving on to a retry's), unless one was picked.
  const logState = {
    pinned: false,
    attempt: undefined as number | undefined,
    lines: 0,
    complete: false,
    pre: h("pre", { class: "log", tabindex: "0", "aria-label": "Worker log" }),
  };
  let last: JobAnswer | undefined;

  async function refresh(): Promise<void> {
    const job = await get<JobAnswer>(`/api/jobs/${encodeURIComponent(jobId)}`);
    last = job;
    renderHead(job);
    renderActions(job);
    replace(
      timeline,
      h("h2", { id: "h-timeline" }, "Attempts"),
      attemptsPicture(job),
      attemptsTable(job),
      costLine(job),
    );
    const key = job.outputs.map((o) => `${o.name}:${o.size}`).join(",");
    if (key !== outputsKey) {
      outputsKey = key;
      replace(outputs, h("h2", { id: "h-outputs" }, "Outputs"), await outputsSection(job));
    }
    renderLogs(job);
    replace(history, h("h2", { id: "h-history" }, "History"), eventsTable(job));
    await followLogs(job);
  }

  function renderHead(job: JobAnswer): void {
    const s = job.job;
    const progress = job.progress?.progress;
    const rows: Array<[string, Child]> = [
      [
        "Input",
        h(
          "span",
          { title: s.input?.videoUrl ?? "" },
          inputName(s.input?.videoUrl),
          " ",
          h("span", { class: "muted mono" }, s.input?.videoUrl ?? ""),
        ),
      ],
      ["Submitted", formatTime(s.submittedAt)],
      ["Finished", s.finishedAt ? formatTime(s.finishedAt) : undefined],
      ["Attempts", s.attempt === 0 ? undefined : attemptsSummary(job)],
      [
        "Progress",
        job.progress === undefined
          ? undefined
          : (job.progress.error ??
            (progress === undefined ? "starting (no step logged yet)" : progressBar(progress))),
      ],
      [
        "Reason",
        s.reason && !["SUCCEEDED", "RUNNING", "LAUNCHING", "SUBMITTED"].includes(s.status)
          ? s.reason
          : undefined,
      ],
      ["Exit code", s.exitCode === undefined ? undefined : String(s.exitCode)],
    ];
    replace(
      head,
      h("h1", {}, "Job ", h("span", { class: "mono" }, s.jobId), " ", statusBadge(s.status)),
      h(
        "dl",
        { class: "facts" },
        rows.filter(([, v]) => v !== undefined && v !== "").map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]),
      ),
    );
  }

  function renderActions(job: JobAnswer): void {
    replace(
      actions,
      job.canRetry
        ? h("button", { type: "button", onclick: () => confirmAction(job, "retry") }, "Retry…")
        : null,
      job.canCancel
        ? h(
            "button",
            { type: "button", class: "danger", onclick: () => confirmAction(job, "cancel") },
            "Cancel…",
          )
        : null,
      job.retry?.refused ? h("p", { class: "warning" }, job.retry.refused) : null,
    );
  }

  function confirmAction(job: JobAnswer, action: "retry" | "cancel"): void {
    const warning = action === "retry" ? (job.retry?.refused ?? job.retry?.warning) : undefined;
    const refused = action === "retry" && job.retry?.refused !== undefined;
    const title = action === "retry" ? `Retry job ${job.job.jobId}?` : `Cancel job ${job.job.jobId}?`;
    const text =
      action === "retry"
        ? `A new attempt starts; the history is kept (it is ${job.job.status}).`
        : "The cancellation is recorded and its task is stopped (ECS StopTask).";
    replace(
      dialog,
      h(
        "form",
        { method: "dialog" },
        h("h2", { id: "confirm-title" }, title),
        h("p", {}, text),
        warning ? h("p", { class: "warning" }, warning) : null,
        h(
          "div",
          { class: "actions" },
          h(
            "button",
            { type: "button", class: "secondary", value: "no", onclick: () => dialog.close() },
            "Keep it as it is",
          ),
          refused
            ? null
            : h(
                "button",
                {
                  type: "button",
                  class: action === "cancel" ? "danger" : "",
                  onclick: () => {
                    dialog.close();
                    void act(job.job.jobId, action, warning !== undefined);
                  },
                },
                action === "retry" ? (warning ? "Retry anyway" : "Retry") : "Cancel the job",
              ),
        ),
      ),
    );
    dialog.showModal();
  }

  async function act(id: string, action: "retry" | "cancel", force: boolean): Promise<void> {
    try {
      const answer = await post<ActionAnswer>(
        `/api/jobs/${encodeURIComponent(id)}/${action}`,
        action === "retry" ? { force } : {},
      );
      notice.textContent = answer.message;
      logState.pinned = false;
      outputsKey = "";
      schedule(0);
    } catch (error) {
      notice.textContent = error instanceof ApiError ? `Refused: ${error.message}` : String(error);
    }
  }

  function renderLogs(job: JobAnswer): void {
    if (logs.childElementCount > 0 && logs.dataset.attempts === job.logAttempts.join(",")) return;
    logs.dataset.attempts = job.logAttempts.join(",");
    if (job.logAttempts.length === 0) {
      replace(
        logs,
        h("h2", { id: "h-logs" }, "Logs"),
        h("p", { class: "muted" }, "No task launched yet: no log."),
      );
      return;
    }
    const latest = job.logAttempts.at(-1);
    const select = h(
      "select",
      {
        id: "log-attempt",
        onchange: (e: Event) => {
          logState.pinned = true;
          logState.attempt = Number((e.target as HTMLSelectElement).value);
          logState.lines = 0;
          logState.complete = false;
          logState.pre.replaceChildren();
          void followLogs(job).catch(fail);
        },
      },
      job.logAttempts.map((n) =>
        h(
          "option",
          { value: String(n), selected: n === (logState.pinned ? logState.attempt : latest) },
          `attempt ${n}`,
        ),
      ),
    );
    replace(
      logs,
      h("h2", { id: "h-logs" }, "Logs"),
      h("label", { class: "field inline" }, h("span", {}, "Attempt"), select),
      h("p", { class: "muted", id: "log-where" }),
      logState.pre,
    );
  }

  async function followLogs(job: JobAnswer): Promise<void> {
    if (job.logAttempts.length === 0) return;
    const attempt = logState.pinned ? logState.attempt : job.logAttempts.at(-1);
    if (attempt !== logState.attempt) {
      logState.attempt = attempt;
      logState.lines = 0;
      logState.complete = false;
      logState.pre.replaceChildren();
    }
    if (logState.complete) return;
    const answer = await get<LogsAnswer>(`/api/jobs/${encodeURIComponent(job.job.jobId)}/logs`, {
      attempt: String(attempt),
      from: String(logState.lines),
    });
    const where = document.getElementById("log-where");
    if (where) where.textContent = `${answer.where}${answer.complete ? "" : " — following"}`;
    const atBottom = logState.pre.scrollTop + logState.pre.clientHeight >= logState.pre.scrollHeight - 4;
    for (const line of answer.lines) {
      const fields = Object.entries(line.fields)
        .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
        .join(" ");
      logState.pre.append(
        h(
          "span",
          { class: `log-line level-${line.level ?? "none"}` },
          line.time ? `${line.time.slice(11, 23)} ` : "",
          line.level ? `${line.level.padEnd(5)} ` : "",
          line.message,
          fields ? h("span", { class: "muted" }, ` ${fields}`) : null,
        ),
        "\n",
      );
    }
    logState.lines += answer.lines.length;
    logState.complete = answer.complete;
    if (atBottom) logState.pre.scrollTop = logState.pre.scrollHeight;
  }

  function schedule(ms: number): void {
    window.clearTimeout(timer);
    timer = window.setTimeout(async () => {
      if (stopped) return;
      try {
        await refresh();
        recovered();
      } catch (error) {
        fail(error);
      }
      const finished = last !== undefined && !last.canCancel && logState.complete;
      if (!stopped) schedule(finished ? 10_000 : 1000);
    }, ms);
  }
  schedule(0);
  return () => {
    stopped = true;
    window.clearTimeout(timer);
  };
}

function attemptsSummary(job: JobAnswer): string {
  const failed = job.timeline.attempts.filter(
    (a) => a.failure !== undefined || a.launchFailure !== undefined,
  ).length;
  const s = job.job;
  const parts = [`${s.attempt} launched`];
  if (failed > 0) parts.push(`${failed} failed`);
  if (s.infraRetries > 0) parts.push(`${s.infraRetries} relaunched after an infrastructure failure`);
  return parts.join(", ");
}

function progressBar(p: NonNullable<NonNullable<JobAnswer["progress"]>["progress"]>): HTMLElement {
  const done = p.done ? p.stepNumber : p.stepNumber - 1;
  return h(
    "span",
    { class: "progress" },
    h("progress", { max: String(p.steps), value: String(done), "aria-label": "Worker progress" }),
    ` step ${p.stepNumber} of ${p.steps}, ${p.step}${p.done ? ", done" : ""}`,
  );
}

/** Segments of an attempt on the time axis: waiting for a task, launching it, running, and its stop. */
function segments(a: Attempt, end: number): Array<{ kind: string; from: number; to: number }> {
  const t = a.timings;
  const at = (iso: string | undefined) => (iso === undefined ? undefined : Date.parse(iso));
  const requested = Date.parse(a.requestedAt);
  const created = at(t.createdAt);
  const started = at(t.startedAt);
  const stoppedAt = at(t.executionStoppedAt ?? t.stoppingAt ?? t.stoppedAt);
  const out: Array<{ kind: string; from: number; to: number }> = [];
  const finish = stoppedAt ?? (a.stopped ? (started ?? created ?? requested) : end);
  out.push({
    kind: "waiting",
    from: requested,
    to: created ?? (a.stopped || a.launchFailure ? finish : end),
  });
  if (created !== undefined) out.push({ kind: "launching", from: created, to: started ?? finish });
  if (started !== undefined) out.push({ kind: "running", from: started, to: finish });
  return out.filter((s) => s.to >= s.from);
}

function attemptsPicture(job: JobAnswer): Child {
  const attempts = job.timeline.attempts;
  if (attempts.length === 0)
    return h(
      "p",
      { class: "muted" },
      job.job.status === "WAITING"
        ? "Waiting for a running-task slot: no attempt yet."
        : "No attempt launched yet.",
    );
  const end = job.job.finishedAt ? Date.parse(job.job.finishedAt) : Date.parse(job.now);
  const start = Date.parse(job.timeline.submittedAt ?? attempts[0]?.requestedAt ?? job.now);
  const span = Math.max(1000, end - start);
  const width = 720;
  const left = 92;
  const row = 30;
  const height = attempts.length * row + 26;
  const x = (t: number) => left + ((t - start) / span) * (width - left - 8);
  const items: Child[] = [];
  attempts.forEach((a, i) => {
    const y = i * row + 6;
    items.push(svg("text", { x: 0, y: y + 14, class: "axis" }, `attempt ${a.attempt}`));
    for (const s of segments(a, end)) {
      items.push(
        svg(
          "rect",
          {
            x: x(s.from),
            y,
            width: Math.max(2, x(s.to) - x(s.from)),
            height: 18,
            class: `seg seg-${s.kind}`,
          },
          svg("title", {}, `attempt ${a.attempt} ${s.kind}: ${formatDuration(s.to - s.from)}`),
        ),
      );
    }
    if (a.stopped) {
      const last = segments(a, end).at(-1);
      const px = x(last?.to ?? end);
      items.push(
        svg(
          "rect",
          {
            x: px - 1,
            y: y - 2,
            width: 3,
            height: 22,
            class: a.failure || a.launchFailure ? "seg-stop-failed" : "seg-stop",
          },
          svg(
            "title",
            {},
            `attempt ${a.attempt} stopped${a.exitCode === undefined ? "" : `, exit ${a.exitCode}`}`,
          ),
        ),
      );
    }
  });
  items.push(
    svg("text", { x: left, y: height - 4, class: "axis" }, formatTime(new Date(start).toISOString())),
  );
  items.push(
    svg(
      "text",
      { x: width - 8, y: height - 4, class: "axis", "text-anchor": "end" },
      `+${formatDuration(span)}`,
    ),
  );
  return h(
    "figure",
    { class: "timeline" },
    svg(
      "svg",
      {
        viewBox: `0 0 ${width} ${height}`,
        role: "img",
        "aria-label": `Attempts on a time axis from submission, ${formatDuration(span)} in all`,
      },
      items,
    ),
    h(
      "ul",
      { class: "legend" },
      ["waiting", "launching", "running"].map((k) =>
        h("li", {}, h("span", { class: `swatch seg-${k}`, "aria-hidden": "true" }), ` ${k}`),
      ),
      h("li", {}, h("span", { class: "swatch seg-stop-failed", "aria-hidden": "true" }), " stopped (failed)"),
    ),
  );
}

function attemptsTable(job: JobAnswer): Child {
  const attempts = job.timeline.attempts;
  if (attempts.length === 0) return null;
  const costs = new Map(job.cost.attempts.map((c) => [c.attempt, c.cost.usd]));
  return h(
    "div",
    { class: "scroll", tabindex: "0", role: "region", "aria-label": "Attempts table" },
    h(
      "table",
      { class: "attempts" },
      h("caption", { class: "visually-hidden" }, "Attempts"),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          [
            "#",
            "Size",
            "Capacity",
            "Waiting",
            "Launching",
            "Running",
            "Exit",
            "Stop code",
            "Outcome",
            "Cost",
          ].map((c) => h("th", { scope: "col" }, c)),
        ),
      ),
      h(
        "tbody",
        {},
        attempts.map((a) => {
          const d = a.durations;
          return h(
            "tr",
            {},
            h("td", { "data-label": "#", class: "num" }, String(a.attempt)),
            h(
              "td",
              { "data-label": "Size" },
              describeSize(a.size),
              a.placementChange ? h("div", { class: "muted" }, a.placementChange) : null,
            ),
            h("td", { "data-label": "Capacity" }, describeCapacity(a.capacity)),
            h("td", { "data-label": "Waiting", class: "num" }, formatDuration(waited(a))),
            h(
              "td",
              { "data-label": "Launching", class: "num" },
              formatDuration((d.provisioning ?? 0) + (d.imagePull ?? 0) || undefined),
            ),
            h("td", { "data-label": "Running", class: "num" }, formatDuration(d.running)),
            h(
              "td",
              { "data-label": "Exit", class: "num" },
              a.exitCode === undefined ? "-" : String(a.exitCode),
            ),
            h("td", { "data-label": "Stop code" }, a.stopCode ?? "-"),
            h("td", { "data-label": "Outcome", class: "reason" }, outcome(a)),
            h(
              "td",
              { "data-label": "Cost", class: "num" },
              costs.has(a.attempt) ? formatUsd(costs.get(a.attempt) ?? 0) : "-",
            ),
          );
        }),
      ),
    ),
  );
}

function waited(a: Attempt): number | undefined {
  return a.timings.createdAt === undefined
    ? undefined
    : Date.parse(a.timings.createdAt) - Date.parse(a.requestedAt);
}

function outcome(a: Attempt): string {
  if (a.launchFailure) return `launch failed: ${a.launchFailure.reason}`;
  if (!a.stopped) return a.ran ? "running" : a.taskArn ? "starting" : "launching";
  if (a.failure) return `${a.failure.kind}: ${a.failure.description}`;
  return [a.stoppedReason, "succeeded"].filter(Boolean).join(": ");
}

function costLine(job: JobAnswer): Child {
  if (job.cost.attempts.length === 0) return null;
  return h(
    "p",
    {},
    `Fargate compute: ${formatUsd(job.cost.totalUsd)}${job.cost.estimate ? " (estimate from local timings)" : ""}`,
  );
}

async function outputsSection(job: JobAnswer): Promise<Child> {
  if (job.outputsError) return h("p", { class: "warning" }, job.outputsError);
  if (job.outputs.length === 0)
    return h(
      "p",
      { class: "muted" },
      job.timeline.attempts.length === 0
        ? "No task launched: nothing written."
        : job.job.status === "SUCCEEDED"
          ? "The worker wrote nothing."
          : "Nothing written (yet): result.json comes last, when the worker succeeds.",
    );
  const base = `/api/jobs/${encodeURIComponent(job.job.jobId)}/outputs/`;
  const href = (name: string, download = false) =>
    `${base}${name.split("/").map(encodeURIComponent).join("/")}${download ? "?download=1" : ""}`;
  const sheet = job.outputs.find((o) => o.kind === "contact sheet");
  const thumbs = job.outputs.filter((o) => o.kind === "thumbnail");
  const result = job.outputs.find((o) => o.kind === "result");
  let resultText: string | undefined;
  if (result !== undefined) {
    try {
      resultText = JSON.stringify(
        await (await fetch(href(result.name), { credentials: "same-origin" })).json(),
        null,
        2,
      );
    } catch {
      resultText = "(result.json is not readable JSON: download it)";
    }
  }
  return [
    sheet
      ? h(
          "figure",
          { class: "sheet" },
          h("img", { src: href(sheet.name), alt: `Contact sheet of job ${job.job.jobId}`, loading: "lazy" }),
          h("figcaption", {}, "Contact sheet"),
        )
      : null,
    thumbs.length > 0
      ? h(
          "ul",
          { class: "thumbs", "aria-label": "Thumbnails" },
          thumbs.map((t, i) =>
            h(
              "li",
              {},
              h(
                "a",
                { href: href(t.name) },
                h("img", { src: href(t.name), alt: `Thumbnail ${i + 1}, ${t.name}`, loading: "lazy" }),
              ),
            ),
          ),
        )
      : null,
    resultText
      ? h(
          "details",
          { open: true },
          h("summary", {}, "result.json"),
          h("pre", { class: "json", tabindex: "0" }, resultText),
        )
      : null,
    h(
      "table",
      { class: "files" },
      h("caption", { class: "visually-hidden" }, "Output files"),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col" }, "File"),
          h("th", { scope: "col" }, "Size"),
          h("th", { scope: "col" }, "Download"),
        ),
      ),
      h(
        "tbody",
        {},
        job.outputs.map((o) =>
          h(
            "tr",
            {},
            h("td", { class: "mono" }, o.name),
            h("td", { class: "num" }, formatBytes(o.size)),
            h(
              "td",
              {},
              h(
                "a",
                { href: href(o.name, true), download: o.name.split("/").at(-1) ?? o.name },
                `Download ${o.name.split("/").at(-1)}`,
              ),
            ),
          ),
        ),
      ),
    ),
  ];
}

function eventsTable(job: JobAnswer): Child {
  const submitted = Date.parse(job.timeline.submittedAt ?? job.events[0]?.at ?? job.now);
  return h(
    "div",
    { class: "scroll", tabindex: "0", role: "region", "aria-label": "Event history table" },
    h(
      "table",
      { class: "events" },
      h("caption", { class: "visually-hidden" }, "Event history"),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["Time", "+", "Event", "Attempt", "Details"].map((c) => h("th", { scope: "col" }, c)),
        ),
      ),
      h(
        "tbody",
        {},
        job.events.map((e) =>
          h(
            "tr",
            {},
            h("td", { "data-label": "Time" }, h("time", { datetime: e.at }, formatTime(e.at))),
            h("td", { "data-label": "+", class: "num" }, `+${formatDuration(Date.parse(e.at) - submitted)}`),
            h("td", { "data-label": "Event" }, e.type),
            h(
              "td",
              { "data-label": "Attempt", class: "num" },
              "attempt" in e && typeof e.attempt === "number" ? String(e.attempt) : "",
            ),
            h("td", { "data-label": "Details", class: "reason" }, e.description),
          ),
        ),
      ),
    ),
  );
}
