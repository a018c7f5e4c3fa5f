import { type TokenSource, deadline, endpoint, resolveToken } from "./credentials.js";
import { Emitter, type Unsubscribe, call, rethrow } from "./emitter.js";
import { HeraldError } from "./errors.js";
import { type EventPattern, type NamesOf, type Part, type PayloadOf, type RealtimeSchema, matches } from "./schema.js";
import { type ConnectionOptions, type ConnectionState, SocketLoop } from "./socket.js";

/** What a publish to a user's lane delivers; `payload` is absent when the publisher sent none. */
export interface Envelope<T extends string = string, P = unknown> {
  envelopeId: string;
  type: T;
  userId: string;
  timestamp: string;
  payload?: P;
}

/** A filter's payload part: top-level payload fields and the string each must equal. */
export type LaneFilter = Record<string, string>;

export interface LaneSubscription {
  /** The filters sent to Herald: one per type, each with the payload fields. */
  readonly filters: readonly LaneFilter[];
  unsubscribe(): Promise<void>;
}

export interface LaneEvents {
  /** Connected, and Herald holds every subscription's filters again. */
  open(): void;
  /** A failed attempt, a lost connection, or an `error` reply to a frame; `fatal` when the client stopped. */
  error(error: HeraldError): void;
  state(state: ConnectionState): void;
}

export interface LaneOptions extends ConnectionOptions {
  /** Herald's base URL (`https://rt.example.com`). */
  url: string;
  /** The user's session JWT; a function is asked before every connect, so a refreshed token is used. */
  token: TokenSource;
  /** `lanes.basePath` of the server (default `/lanes/v1`; `""` for HopeFlow's URLs). */
  basePath?: string;
}

type Types<S extends RealtimeSchema> = Extract<keyof Part<S, "lanes">, string>;
type LaneEnvelope<S extends RealtimeSchema, T> = Envelope<NamesOf<Part<S, "lanes">, T>, PayloadOf<Part<S, "lanes">, T>>;

export interface LaneClient<S extends RealtimeSchema = RealtimeSchema> {
  /**
   * Asks for the envelopes of `types` whose payload has every field of `filter` (no types: any type).
   * Resolves once Herald holds the filters; they are sent again after every reconnect.
   */
  subscribe(types: readonly Types<S>[], filter?: LaneFilter): Promise<LaneSubscription>;
  /** Envelopes of one type, or `*`; acknowledge them with `ack`. */
  on<T extends EventPattern<Part<S, "lanes">>>(type: "envelope", envelopeType: T, listener: (envelope: LaneEnvelope<S, T>) => void): Unsubscribe;
  on<K extends keyof LaneEvents>(type: K, listener: LaneEvents[K]): Unsubscribe;
  /**
   * Handles envelopes of one type (or `*`, for types without a handler of their own) and acks each with
   * what the handler returns (`null` when it throws).
   */
  handle<T extends EventPattern<Part<S, "lanes">>>(envelopeType: T, handler: (envelope: LaneEnvelope<S, T>) => unknown): Unsubscribe;
  /**
   * Acks an envelope with `result`, which the publisher gets back. False when it cannot reach Herald:
   * already acked, or the socket it came on is gone (Herald stopped waiting for it).
   */
  ack(envelope: Envelope, result?: unknown): boolean;
  readonly state: ConnectionState;
  close(): void;
}

interface Waiter {
  resolve(): void;
  reject(error: HeraldError): void;
}

/** Herald reads the first 50 filters of a frame. */
const FILTERS_PER_FRAME = 50;

/** A user lane socket (HopeFlow's protocol) that keeps its filters across reconnects and acks what it handles. */
export function createLane<S extends RealtimeSchema = RealtimeSchema>(options: LaneOptions): LaneClient<S> {
  const events = new Emitter<LaneEvents>();
  const listeners = new Set<{ pattern: string; listener: (envelope: Envelope) => void }>();
  const handlers = new Map<string, (envelope: Envelope) => unknown>();
  const subscriptions = new Set<LaneFilter[]>();
  const origins = new WeakMap<Envelope, object>();
  const acked = new WeakSet<Envelope>();
  // subscribe() calls waiting for the filters to be held on a socket
  let waiting: Waiter[] = [];
  const basePath = (options.basePath ?? "/lanes/v1").replace(/\/+$/, "");

  // a malformed URL throws here, not on every reconnect
  endpoint(options.url, "/", {}, "ws");
  const loop = new SocketLoop(options, {
    async url(signal) {
      const token = await resolveToken(options.token, deadline(signal, options.connectTimeoutMs ?? 10_000));
      return endpoint(options.url, basePath === "" ? "/" : `${basePath}/websocket`, { token }, "ws");
    },
    opened() {
      const all = [...subscriptions].flat();
      const confirmed = waiting;
      waiting = [];
      for (let i = 0; i < all.length; i += FILTERS_PER_FRAME) {
        loop.send(JSON.stringify({ type: "subscribe", filters: all.slice(i, i + FILTERS_PER_FRAME) }));
      }
      // `open` only once Herald holds the filters again: until then a publish would find none
      loop.ping().then(
        () => {
          confirmed.forEach((w) => w.resolve());
          events.emit("open");
        },
        () => waiting.push(...confirmed),
      );
    },
    message(text) {
      let frame: Record<string, unknown>;
      try {
        frame = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return;
      }
      if (typeof frame.envelopeId === "string") receive(frame as unknown as Envelope);
      else if (frame.type === "error") {
        events.emit("error", new HeraldError(String(frame.code), String(frame.message ?? frame.code)));
      }
    },
    state(state) {
      if (state === "closed") {
        const error = new HeraldError("closed", "the lane client is closed");
        waiting.forEach((w) => w.reject(error));
        waiting = [];
      }
      events.emit("state", state);
    },
    error: (error) => events.emit("error", error),
  });

  function receive(envelope: Envelope): void {
    const socket = loop.socket;
    if (socket) origins.set(envelope, socket);
    for (const { pattern, listener } of listeners) {
      if (matches(pattern, envelope.type)) call(listener, [envelope]);
    }
    const handler = handlers.get(envelope.type) ?? handlers.get("*");
    if (!handler) return;
    Promise.resolve()
      .then(() => handler(envelope))
      .then(
        (result) => ack(envelope, result ?? null),
        (e: unknown) => {
          ack(envelope, null);
          rethrow(e);
        },
      );
  }

  function ack(envelope: Envelope, result: unknown = null): boolean {
    if (acked.has(envelope) || origins.get(envelope) !== loop.socket) return false;
    acked.add(envelope);
    return loop.send(JSON.stringify({ type: "ack", envelopeId: envelope.envelopeId, result }));
  }

  /** Resolves once every frame sent so far on the open socket was handled; else after the next reconnect's resubscription. */
  function confirm(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (loop.state === "closed") return reject(new HeraldError("closed", "the lane client is closed"));
      const waiter = { resolve, reject };
      if (loop.state !== "open") return void waiting.push(waiter);
      loop.ping().then(resolve, () => waiting.push(waiter));
    });
  }

  function send(type: "subscribe" | "unsubscribe", filters: LaneFilter[]): void {
    for (let i = 0; i < filters.length; i += FILTERS_PER_FRAME) {
      loop.send(JSON.stringify({ type, filters: filters.slice(i, i + FILTERS_PER_FRAME) }));
    }
  }

  async function subscribe(types: readonly string[], filter: LaneFilter = {}): Promise<LaneSubscription> {
    for (const [key, value] of Object.entries(filter)) {
      if (typeof value !== "string") throw new TypeError(`filter.${key} must be a string`);
    }
    const filters = types.length > 0 ? types.map((type) => ({ ...filter, type })) : [{ ...filter }];
    if (Object.keys(filters[0]).length === 0) throw new TypeError("subscribe needs a type or a payload field");
    subscriptions.add(filters);
    send("subscribe", filters);
    await confirm();
    return {
      filters,
      async unsubscribe() {
        if (!subscriptions.delete(filters)) return;
        // Herald holds each distinct filter once: keep those another subscription still wants
        const kept = new Set([...subscriptions].flat().map(canonical));
        send("unsubscribe", filters.filter((f) => !kept.has(canonical(f))));
        if (loop.state === "open") await confirm();
      },
    };
  }

  loop.start();
  return {
    subscribe: subscribe as LaneClient<S>["subscribe"],
    on: ((type: string, a: unknown, b?: unknown) => {
      if (type !== "envelope") return events.on(type as keyof LaneEvents, a as LaneEvents[keyof LaneEvents]);
      const entry = { pattern: a as string, listener: b as (envelope: Envelope) => void };
      listeners.add(entry);
      return () => listeners.delete(entry);
    }) as LaneClient<S>["on"],
    handle: ((type: string, handler: (envelope: Envelope) => unknown) => {
      handlers.set(type, handler);
      return () => {
        if (handlers.get(type) === handler) handlers.delete(type);
      };
    }) as LaneClient<S>["handle"],
    ack,
    get state() {
      return loop.state;
    },
    close: () => loop.close(),
  };
}

function canonical(filter: LaneFilter): string {
  return JSON.stringify(Object.entries(filter).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
