/// <reference lib="dom" />
// The job console's page: a hash router over three views (jobs, a job, statistics), and the one place a
// failure is shown — a whole page when the stack or local mode cannot be reached, a line otherwise.

import { ApiError, get, SOURCE } from "./client";
import { h, replace } from "./dom";
import { jobView } from "./job-view";
import { type JobsFilter, jobsView } from "./jobs-view";
import { statsView } from "./stats-view";

const app = document.getElementById("app") as HTMLElement;
const banner = h("div", { class: "banner", role: "alert", hidden: true });
const main = h("main", { id: "main", tabindex: "-1" });
const nav = h(
  "nav",
  { "aria-label": "Console" },
  h("a", { href: "#/", "data-nav": "jobs" }, "Jobs"),
  h("a", { href: "#/stats", "data-nav": "stats" }, "Statistics"),
);
replace(
  app,
  h("a", { href: "#main", class: "skip" }, "Skip to content"),
  h(
    "header",
    {},
    h("a", { href: "#/", class: "brand" }, "Video jobs"),
    nav,
    h("span", { class: "source" }, SOURCE),
  ),
  banner,
  main,
);

let stop: () => void = () => {};

function fail(error: unknown): void {
  if (error instanceof ApiError && error.unreachable) {
    stop();
    replace(
      main,
      h("h1", {}, `Cannot reach ${SOURCE}`),
      h("p", {}, error.message),
      error.hint ? h("p", {}, "Fix: ", error.hint) : null,
      h("p", {}, "The console tries again every few seconds."),
    );
    window.setTimeout(route, 5000);
    return;
  }
  banner.hidden = false;
  replace(
    banner,
    error instanceof ApiError ? `${error.message}${error.hint ? ` — ${error.hint}` : ""}` : String(error),
  );
}

function route(): void {
  stop();
  banner.hidden = true;
  const hash = location.hash.replace(/^#/, "") || "/";
  const [path = "/", search = ""] = hash.split("?");
  const params = new URLSearchParams(search);
  for (const link of nav.querySelectorAll("a")) link.removeAttribute("aria-current");
  const job = /^\/job\/(.+)$/.exec(path);
  if (job?.[1] !== undefined) {
    document.title = `Job ${decodeURIComponent(job[1])} — video jobs`;
    // A job not recorded yet (just submitted) is read again until it is: the banner goes once it is there.
    stop = jobView(main, decodeURIComponent(job[1]), fail, () => {
      banner.hidden = true;
    });
    return;
  }
  if (path === "/stats") {
    nav.querySelector('[data-nav="stats"]')?.setAttribute("aria-current", "page");
    document.title = "Statistics — video jobs";
    stop = statsView(
      main,
      params.get("since") ?? "24h",
      (since) => {
        location.hash = `#/stats?since=${since}`;
      },
      fail,
    );
    return;
  }
  nav.querySelector('[data-nav="jobs"]')?.setAttribute("aria-current", "page");
  document.title = "Jobs — video jobs";
  const filter: JobsFilter = {
    status: params.get("status") ?? "",
    since: params.get("since") ?? "24h",
    input: params.get("input") ?? "",
    id: params.get("id") ?? "",
  };
  stop = jobsView(
    main,
    filter,
    (f) => {
      const q = new URLSearchParams(Object.entries(f).filter(([, v]) => v !== ""));
      location.hash = `#/?${q.toString()}`;
    },
    fail,
  );
}

window.addEventListener("hashchange", route);
// First the connection: a console whose stack or local mode is not there says so before anything else.
get("/api/health").then(route, (error: unknown) => {
  fail(error);
  if (!(error instanceof ApiError && error.unreachable)) route();
});
