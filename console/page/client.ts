/// <reference lib="dom" />
// The page's calls to its console: JSON over same-origin fetch (the session cookie goes along), the
// anti-forgery token from the page's meta tag on every POST. A failure keeps the console's explanation.

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly hint?: string,
    /** The stack or local mode did not answer. */
    readonly unreachable = false,
  ) {
    super(message);
  }
}

const csrf = document.querySelector<HTMLMetaElement>('meta[name="console-csrf"]')?.content ?? "";
export const SOURCE = document.querySelector<HTMLMetaElement>('meta[name="console-source"]')?.content ?? "";

async function answer<T>(response: Response): Promise<T> {
  const body: unknown = await response
    .json()
    .catch(() => ({ error: `${response.status} ${response.statusText}` }));
  if (!response.ok) {
    const b = body as { error?: string; hint?: string; unreachable?: boolean };
    throw new ApiError(b.error ?? `HTTP ${response.status}`, response.status, b.hint, b.unreachable === true);
  }
  return body as T;
}

export async function get<T>(
  path: string,
  params: Record<string, string | readonly string[] | undefined> = {},
): Promise<T> {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    for (const v of typeof value === "string" ? [value] : value) if (v !== "") query.append(key, v);
  }
  const qs = query.toString();
  return answer<T>(await fetch(`${path}${qs ? `?${qs}` : ""}`, { credentials: "same-origin" }));
}

export async function post<T>(path: string, body: unknown): Promise<T> {
  return answer<T>(
    await fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", "x-console-csrf": csrf },
      body: JSON.stringify(body),
    }),
  );
}
