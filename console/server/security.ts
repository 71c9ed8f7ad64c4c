// The console's guard: it binds to loopback, and every request must carry the run's secret — in the URL
// the console prints (`?token=`, as Jupyter does), then in an HttpOnly, SameSite=Strict cookie — and be
// addressed to the console's own host name (a DNS-rebinding page names another). A request that changes
// something must also come from the console's own page: the page's anti-forgery token in a header (a
// cross-site form cannot set one), and Origin / Sec-Fetch-Site saying same-origin when the browser sends them.

import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { networkInterfaces } from "node:os";

export interface Secrets {
  /** Grants access: in the printed URL, then the cookie. */
  readonly token: string;
  /** Sent to the page (a meta tag), echoed back in X-Console-Csrf on every state-changing request. */
  readonly csrf: string;
}

export const CSRF_HEADER = "x-console-csrf";

export function newSecrets(): Secrets {
  return { token: randomBytes(24).toString("base64url"), csrf: randomBytes(24).toString("base64url") };
}

export function cookieName(port: number): string {
  // Per port: two consoles on one host (cookies ignore ports) keep their own.
  return `video_jobs_console_${port}`;
}

export function sessionCookie(port: number, token: string): string {
  return `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

/**
 * The Host values the console answers to: the address it listens on and localhost; listening on every
 * address (0.0.0.0, ::), also each address of this machine's interfaces, which is what others type. An IP
 * address is never a DNS-rebinding page's host (that needs a name of the attacker's), so no name is added.
 */
export function acceptedHosts(listening: string, port: number): string[] {
  const shown = (address: string) => (address.includes(":") ? `[${address}]` : address);
  const own =
    listening === "0.0.0.0" || listening === "::"
      ? Object.values(networkInterfaces())
          .flat()
          .flatMap((address) => (address === undefined ? [] : [address.address]))
      : [];
  return [...new Set([listening, "localhost", ...own].map((h) => `${shown(h)}:${port}`.toLowerCase()))];
}

export type Verdict =
  | { readonly ok: true; readonly viaUrl: boolean }
  | { readonly ok: false; readonly status: 400 | 403; readonly reason: string };

/** Whether the request may be answered at all. */
export function admit(
  request: IncomingMessage,
  secrets: Secrets,
  port: number,
  hosts: readonly string[],
): Verdict {
  const host = request.headers.host ?? "";
  if (!hosts.includes(host.toLowerCase())) {
    return { ok: false, status: 400, reason: `this console answers to ${hosts[0]} only, not "${host}"` };
  }
  const url = new URL(request.url ?? "/", "http://console.invalid");
  const fromUrl = url.searchParams.get("token");
  if (fromUrl !== null && same(fromUrl, secrets.token)) return { ok: true, viaUrl: true };
  const cookie = readCookie(request.headers.cookie, cookieName(port));
  if (cookie !== undefined && same(cookie, secrets.token)) return { ok: true, viaUrl: false };
  return {
    ok: false,
    status: 403,
    reason:
      fromUrl === null && cookie === undefined
        ? "this console needs its secret: open the URL it printed when it started (with ?token=...)"
        : "wrong secret: open the URL this console printed when it started (a console restarted has a new one)",
  };
}

/** Whether a state-changing request comes from the console's own page. */
export function sameOriginWrite(
  request: IncomingMessage,
  secrets: Secrets,
  origin: string,
): string | undefined {
  const site = request.headers["sec-fetch-site"];
  if (site !== undefined && site !== "same-origin") return `a request from another site (${site}) is refused`;
  const from = request.headers.origin;
  if (from !== undefined && from !== origin) return `a request from ${from} is refused`;
  const csrf = request.headers[CSRF_HEADER];
  if (typeof csrf !== "string" || !same(csrf, secrets.csrf))
    return "the page's anti-forgery token is missing or wrong: reload the page";
  return undefined;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return value.join("=");
  }
  return undefined;
}

/** The headers every answer carries: no inline script or style, nothing framed, nothing cached or leaked. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "x-frame-options": "DENY",
  "cache-control": "no-store",
};
