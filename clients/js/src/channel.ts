import { Backoff, type BackoffOptions, sleep } from "./backoff.js";
import { type HeadersSource, deadline, defaultFetch, endpoint, request, resolveHeaders } from "./credentials.js";
import { Emitter, type Unsubscribe, call } from "./emitter.js";
import { HeraldError } from "./errors.js";
import { type EventPattern, type NamesOf, type Part, type PayloadOf, type RealtimeSchema, matches } from "./schema.js";
import type { ConnectionState } from "./socket.js";
import { SseParser } from "./sse.js";

/** How events are arriving: the SSE stream, or the polling fallback. */
export type ChannelMode = "stream" | "poll";

/** An event of the channel with its id. */
export interface ChannelMessage<E extends string = string, D = unknown> {
  id: number;
  event: E;
  data: D;
  via: ChannelMode;
}

/** A `realtime.reset`: events were missed that the channel no longer holds; the application should reload its state. */
export interface ChannelReset {
  reason: string;
  /** The id the client resumed from. */
  lastKnownId: number;
  oldestId?: number;
  /** The client's cursor from here on. */
  id: number;
}

export interface ChannelEvents {
  /** A stream is connected (its `: connected` arrived). */
  open(): void;
  reset(reset: ChannelReset): void;
  mode(mode: ChannelMode): void;
  /** A failed stream or poll; `fatal` when the client stopped. */
  error(error: HeraldError): void;
  state(state: ConnectionState): void;
}

export interface ChannelOptions extends BackoffOptions {
  /** Herald's base URL (`https://rt.example.com`). */
  url: string;
  channel: string;
  /** Sent with every stream and poll request, e.g. `{ Authorization: "Bearer <jwt>" }`; a function is asked every time. */
  headers?: HeadersSource;
  /** An id kept from an earlier client: the first request resumes after it. */
  lastEventId?: string | number;
  /** Consecutive stream failures after which the client polls instead (default 3). */
  fallbackAfter?: number;
  /** How often to poll in the fallback (ms, default 10000). */
  pollIntervalMs?: number;
  /** While polling, how often to try the stream again (ms, default 30000). */
  streamRetryMs?: number;
  /** The server's `channels.heartbeatMs` (default 30000): a stream silent for twice as long is given up. */
  heartbeatMs?: number;
  /** How long a request may take to be answered, and a stream to say `: connected` (ms, default 10000). */
  connectTimeoutMs?: number;
  /** Consecutive 401/403 refusals after which the client stops with a fatal `error` (default 3). */
  maxAuthFailures?: number;
  fetch?: typeof fetch;
}

export interface ChannelClient<S extends RealtimeSchema = RealtimeSchema> {
  /** Events of one name, or `*` for all (a `realtime.reset` goes to `reset` instead). */
  on<E extends EventPattern<Part<S, "channels">>>(
    type: "event",
    event: E,
    listener: (data: PayloadOf<Part<S, "channels">, E>, message: ChannelMessage<NamesOf<Part<S, "channels">, E>, PayloadOf<Part<S, "channels">, E>>) => void,
  ): Unsubscribe;
  on<K extends keyof ChannelEvents>(type: K, listener: ChannelEvents[K]): Unsubscribe;
  readonly state: ConnectionState;
  readonly mode: ChannelMode;
  /** The id of the last event received: keep it to resume a later client with `lastEventId`. */
  readonly lastEventId: string | undefined;
  close(): void;
}

/** Herald sends every `data:` as JSON; anything else is handed over as text. */
function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

interface Route {
  pattern: string;
  listener: (data: unknown, message: ChannelMessage) => void;
}

interface Outcome {
  connected: boolean;
  error: HeraldError;
}

/**
 * A channel's Server-Sent Events over `fetch` (so it can send `Last-Event-ID` and `Authorization`),
 * resumed after every drop from the last id, and polled instead when the stream keeps failing (a proxy
 * that buffers or cuts streams), trying the stream again now and then.
 */
export function createChannel<S extends RealtimeSchema = RealtimeSchema>(options: ChannelOptions): ChannelClient<S> {
  const events = new Emitter<ChannelEvents>();
  const routes = new Set<Route>();
  const fetchImpl = options.fetch ?? defaultFetch();
  const backoff = new Backoff(options);
  const stop = new AbortController();
  const fallbackAfter = options.fallbackAfter ?? 3;
  const pollInterval = options.pollIntervalMs ?? 10_000;
  const streamRetry = options.streamRetryMs ?? 30_000;
  const silence = 2 * (options.heartbeatMs ?? 30_000);
  const timeout = options.connectTimeoutMs ?? 10_000;
  const maxAuthFailures = options.maxAuthFailures ?? 3;
  const path = encodeURIComponent(options.channel);
  const streamUrl = endpoint(options.url, `/sse/${path}`, {}, "http");
  let lastId = options.lastEventId === undefined ? undefined : String(options.lastEventId);
  let mode: ChannelMode = "stream";
  let state: ConnectionState = "connecting";

  function setState(next: ConnectionState): void {
    if (state === next || state === "closed") return;
    state = next;
    events.emit("state", next);
  }

  function setMode(next: ChannelMode): void {
    if (mode === next) return;
    mode = next;
    events.emit("mode", next);
  }

  async function headers(extra: Record<string, string>): Promise<Record<string, string>> {
    const h = { ...(await resolveHeaders(options.headers)), ...extra };
    if (lastId !== undefined) h["Last-Event-ID"] = lastId;
    return h;
  }

  function deliver(id: string | undefined, event: string, data: unknown, via: ChannelMode): void {
    if (id !== undefined) lastId = id;
    if (event === "realtime.reset") {
      const info = (data ?? {}) as Omit<ChannelReset, "id">;
      events.emit("reset", { ...info, id: Number(id) });
      return;
    }
    const message: ChannelMessage = { id: Number(id), event, data, via };
    for (const route of routes) {
      if (matches(route.pattern, event)) call(route.listener, [data, message]);
    }
  }

  /** One stream, from its request to its end. */
  async function stream(): Promise<Outcome> {
    const abort = new AbortController();
    let why: HeraldError | undefined;
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
    const give = (error: HeraldError) => {
      why ??= error;
      abort.abort();
      // a fetch that does not tie its body to the signal must still stop
      reader?.cancel().catch(() => {});
    };
    const onStop = () => give(new HeraldError("closed", "closed by the application"));
    stop.signal.addEventListener("abort", onStop);
    let connected = false;
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    const quiet = (ms: number, error: () => HeraldError) => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => give(error()), ms);
    };
    quiet(timeout, () => new HeraldError("timeout", `no ": connected" within ${timeout} ms`));
    try {
      const response = await request(fetchImpl, streamUrl, {
        headers: await headers({ Accept: "text/event-stream" }),
        signal: abort.signal,
      });
      if (!response.ok || !response.body) {
        return { connected, error: why ?? (await HeraldError.fromResponse(response)) };
      }
      const parser = new SseParser(
        (e) => deliver(e.id, e.event, parse(e.data), "stream"),
        (comment) => {
          if (comment !== "connected" || connected) return;
          connected = true;
          backoff.opened();
          setMode("stream");
          setState("open");
          events.emit("open");
        },
      );
      reader = response.body.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.push(decoder.decode(value, { stream: true }));
        if (connected) quiet(silence, () => new HeraldError("timeout", `the stream was silent for ${silence} ms`));
      }
      return { connected, error: why ?? new HeraldError("network_error", "the stream ended") };
    } catch (e) {
      return { connected, error: why ?? HeraldError.from(e) };
    } finally {
      clearTimeout(watchdog);
      stop.signal.removeEventListener("abort", onStop);
      abort.abort();
    }
  }

  /** One poll; undefined when it was answered. */
  async function poll(): Promise<HeraldError | undefined> {
    try {
      const url = endpoint(options.url, `/channels/v1/poll/${path}`, { lastEventId: lastId }, "http");
      const response = await request(fetchImpl, url, { headers: await headers({}), signal: deadline(stop.signal, timeout) });
      if (!response.ok) return await HeraldError.fromResponse(response);
      const list = (await response.json()) as Array<{ id: number; event: string; data: unknown }>;
      setState("open");
      for (const e of list) deliver(String(e.id), e.event, e.data, "poll");
      return undefined;
    } catch (e) {
      return HeraldError.from(e);
    }
  }

  async function run(): Promise<void> {
    let failures = 0;
    let authFailures = 0;
    let lastStreamTry = 0;
    while (!stop.signal.aborted) {
      let error: HeraldError | undefined;
      let wait: number;
      // a failed attempt to leave the fallback does not make a working poll "connecting"
      let active = true;
      if (mode === "stream" || Date.now() - lastStreamTry >= streamRetry) {
        active = mode === "stream";
        lastStreamTry = Date.now();
        const outcome = await stream();
        error = outcome.error;
        failures = outcome.connected ? 0 : failures + 1;
        if (mode === "stream" && failures >= fallbackAfter) {
          setMode("poll");
          wait = 0;
        } else {
          wait = mode === "stream" ? backoff.next() : pollInterval;
        }
      } else {
        error = await poll();
        wait = pollInterval;
      }
      if (stop.signal.aborted) return;
      if (error) {
        authFailures = error.isAuth ? authFailures + 1 : 0;
        if (error.fatal || authFailures >= maxAuthFailures) {
          error.fatal = true;
          stop.abort();
          events.emit("error", error);
          setState("closed");
          return;
        }
        events.emit("error", error);
        if (active) setState("connecting");
      } else {
        authFailures = 0;
      }
      await sleep(wait, stop.signal);
    }
  }

  void run();
  return {
    on: ((type: string, a: unknown, b?: unknown) => {
      if (type !== "event") return events.on(type as keyof ChannelEvents, a as ChannelEvents[keyof ChannelEvents]);
      const route: Route = { pattern: a as string, listener: b as Route["listener"] };
      routes.add(route);
      return () => routes.delete(route);
    }) as ChannelClient<S>["on"],
    get state() {
      return state;
    },
    get mode() {
      return mode;
    },
    get lastEventId() {
      return lastId;
    },
    close() {
      if (stop.signal.aborted) return;
      stop.abort();
      setState("closed");
    },
  };
}
