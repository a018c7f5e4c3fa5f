import { HeraldError } from "./errors.js";

/** Request headers, or a function giving them afresh for every request (a session token that gets refreshed). */
export type HeadersSource = Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);

/**
 * Where a WebSocket ticket comes from, asked again before every connect: tickets live a minute and may
 * be single-use. Either an async function (throw an error with `status` 401/403, or with `fatal: true`,
 * to say retrying cannot help), or Herald's ticket endpoint (`POST <url>` with `headers` and an optional
 * JSON `body` such as `{ organizationId }`), whose refusals keep their status and `error` code.
 */
export type TicketSource =
  | (() => string | Promise<string>)
  | { url: string; headers?: HeadersSource; body?: Record<string, unknown> };

/** A session token (JWT) for lanes: a string, or a function asked before every connect. */
export type TokenSource = string | (() => string | Promise<string>);

export async function resolveHeaders(source: HeadersSource | undefined): Promise<Record<string, string>> {
  if (!source) return {};
  return typeof source === "function" ? await source() : source;
}

/** `signal` aborted when the client closes, or after `timeoutMs`. */
export function deadline(signal: AbortSignal, timeoutMs: number): AbortSignal {
  return AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
}

/** `fetch` whose network failures and timeouts become `HeraldError`s; HTTP answers are returned whatever their status. */
export async function request(fetchImpl: typeof fetch, url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetchImpl(url, init);
  } catch (e) {
    const timedOut = e instanceof DOMException && e.name === "TimeoutError";
    throw new HeraldError(timedOut ? "timeout" : "network_error", `${init.method ?? "GET"} ${url}: ${String(e)}`, { cause: e });
  }
}

/** The application's callback, given up when `signal` aborts: a callback that never settles must not stall reconnects. */
async function callback<T>(fn: () => T | Promise<T>, signal: AbortSignal): Promise<T> {
  try {
    return await new Promise<T>((resolve, reject) => {
      const abort = () => reject(signal.reason);
      if (signal.aborted) return abort();
      signal.addEventListener("abort", abort, { once: true });
      Promise.resolve()
        .then(fn)
        .then(resolve, reject)
        .finally(() => signal.removeEventListener("abort", abort));
    });
  } catch (e) {
    throw HeraldError.from(e);
  }
}

export async function fetchTicket(source: TicketSource, fetchImpl: typeof fetch, signal: AbortSignal): Promise<string> {
  if (typeof source === "function") return callback(source, signal);
  const headers = await resolveHeaders(source.headers);
  const init: RequestInit = { method: "POST", headers, signal };
  if (source.body) {
    init.headers = { ...headers, "Content-Type": "application/json" };
    init.body = JSON.stringify(source.body);
  }
  const response = await request(fetchImpl, source.url, init);
  if (!response.ok) throw await HeraldError.fromResponse(response);
  const { wsTicket } = (await response.json()) as { wsTicket?: unknown };
  if (typeof wsTicket !== "string") throw new HeraldError("bad_response", `${source.url} answered without a wsTicket`);
  return wsTicket;
}

export async function resolveToken(source: TokenSource, signal: AbortSignal): Promise<string> {
  return typeof source === "function" ? callback(source, signal) : source;
}

/** The global `fetch`, looked up when called so a polyfill installed later is used. */
export function defaultFetch(): typeof fetch {
  return (input, init) => globalThis.fetch(input, init);
}

/** `base` (http, https, ws or wss, with or without a path) joined with `path` and a query. */
export function endpoint(base: string, path: string, query: Record<string, string | undefined>, scheme: "http" | "ws"): string {
  const url = new URL(base.replace(/\/+$/, "") + path);
  url.protocol = url.protocol.replace(/^(http|ws)/, scheme);
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) url.searchParams.set(key, value);
  }
  return url.toString();
}
