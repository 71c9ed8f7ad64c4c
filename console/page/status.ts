/// <reference lib="dom" />
// A job's status as a badge: the word itself (never colour alone), coloured by outcome.

import { h } from "./dom";

export function statusBadge(status: string): HTMLElement {
  return h("span", { class: `badge status-${status.toLowerCase().replace(/_/g, "-")}` }, status);
}
