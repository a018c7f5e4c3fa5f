import { fetchTicket, defaultFetch, endpoint, type TicketSource, deadline } from "./credentials.js";
import { Emitter, type Unsubscribe, call } from "./emitter.js";
import type { HeraldError } from "./errors.js";
import { type EventPattern, type NamesOf, type Part, type PayloadOf, type RealtimeSchema, matches } from "./schema.js";
import { type ConnectionOptions, type ConnectionState, SocketLoop } from "./socket.js";

export type ChangeEventType = "INSERT" | "UPDATE" | "DELETE";

interface ChangeBase<T extends string> {
  type: "postgres_changes";
  table: T;
  schema: string;
  /** The event's offset in its scope's stream. */
  offset: number;
}

/** A `postgres_changes` message: a row inserted, updated or deleted, as this socket's roles may see it. */
export type Change<T extends string = string, R = Record<string, unknown>> =
  | (ChangeBase<T> & { eventType: "INSERT"; new: R; old: null })
  | (ChangeBase<T> & { eventType: "UPDATE"; new: R; old: R | null })
  | (ChangeBase<T> & { eventType: "DELETE"; new: null; old: R });

/** The changes of the tables `T` with the event types `E`. */
export type ChangeOf<Tables, T extends string, E extends ChangeEventType> = {
  [K in T]: Extract<Change<K, K extends keyof Tables ? Tables[K] : Record<string, unknown>>, { eventType: E }>;
}[T];

/** A custom event published to `POST /broadcast/v1/broadcast`. */
export interface BroadcastMessage<E extends string = string, P = unknown> {
  type: "broadcast";
  event: E;
  payload: P;
  offset: number;
}

/** How a connection began: fresh (`resume=1`), or resumed from the cursor with what was missed replayed. */
export type OpenInfo = { resumed: false } | { resumed: true; missed: number };

/** The cursor after a `reset`: what was missed is gone, the application should reload its state. */
export interface ResetInfo {
  epoch: string;
  offset: number;
}

export interface BroadcastEvents {
  /** Subscribed: the first frame of a connection arrived. */
  open(info: OpenInfo): void;
  reset(info: ResetInfo): void;
  /** A failed attempt or a lost connection; `fatal` when the client stopped. */
  error(error: HeraldError): void;
  state(state: ConnectionState): void;
}

export interface BroadcastOptions extends ConnectionOptions {
  /** Herald's base URL (`https://rt.example.com`); `ws`/`wss` work too. */
  url: string;
  ticket: TicketSource;
  /** Sent as `organizationId` on the upgrade: must be the ticket's org. */
  organizationId?: string;
  /** A cursor kept from an earlier client (`<epoch>:<offset>`): the first connect resumes from it instead of starting fresh. */
  cursor?: string;
}

export interface BroadcastClient<S extends RealtimeSchema = RealtimeSchema> {
  /** Changes of a table (or of every table), optionally of one event type. */
  on<T extends Extract<keyof Part<S, "tables">, string> = Extract<keyof Part<S, "tables">, string>, E extends ChangeEventType = ChangeEventType>(
    type: "postgres_changes",
    filter: { table?: T; eventType?: E | "*" },
    listener: (change: ChangeOf<Part<S, "tables">, T, E>) => void,
  ): Unsubscribe;
  /** Custom events: one name, `<namespace>:*`, or `*`. */
  on<E extends EventPattern<Part<S, "broadcast">>>(
    type: "broadcast",
    event: E,
    listener: (payload: PayloadOf<Part<S, "broadcast">, E>, message: BroadcastMessage<NamesOf<Part<S, "broadcast">, E>, PayloadOf<Part<S, "broadcast">, E>>) => void,
  ): Unsubscribe;
  on<K extends keyof BroadcastEvents>(type: K, listener: BroadcastEvents[K]): Unsubscribe;
  readonly state: ConnectionState;
  /** `<epoch>:<offset>` of the last event (or position) received; keep it to resume a later client with `cursor`. */
  readonly cursor: string | undefined;
  close(): void;
}

type Frame =
  | { type: "position"; epoch: string; offset: number }
  | { type: "resumed"; recovered: boolean; missed?: number }
  | (Record<string, unknown> & { type: "postgres_changes" | "broadcast"; offset?: number });

interface Route {
  accepts(frame: Record<string, unknown>): boolean;
  listener: (...args: never[]) => void;
  changes: boolean;
}

/**
 * A broadcast socket that stays subscribed: a fresh ticket before every connect, and every reconnect
 * resumes from the last offset received, so nothing published meanwhile is lost while the scope's
 * history still holds it; when it no longer does, `reset` tells the application to reload.
 */
export function createBroadcast<S extends RealtimeSchema = RealtimeSchema>(options: BroadcastOptions): BroadcastClient<S> {
  const events = new Emitter<BroadcastEvents>();
  const routes = new Set<Route>();
  const fetchImpl = options.fetch ?? defaultFetch();
  const timeout = options.connectTimeoutMs ?? 10_000;
  let epoch: string | undefined;
  let offset = 0;
  if (options.cursor !== undefined) {
    const m = /^([\w-]{1,64}):(\d+)$/.exec(options.cursor);
    if (!m) throw new TypeError(`cursor must be <epoch>:<offset>, not ${JSON.stringify(options.cursor)}`);
    epoch = m[1];
    offset = Number(m[2]);
  }
  // per connection: `open` waits for the first frame, and a `resumed` without recovery for the `position` after it
  let openPending = false;
  let resetPending = false;

  // a malformed URL throws here, not on every reconnect
  endpoint(options.url, "/", {}, "ws");
  const loop = new SocketLoop(options, {
    async url(signal) {
      const ticket = await fetchTicket(options.ticket, fetchImpl, deadline(signal, timeout));
      const from = epoch === undefined ? { resume: "1" } : { since: `${epoch}:${offset}` };
      return endpoint(options.url, "/broadcast/v1/websocket", { ws_ticket: ticket, organizationId: options.organizationId, ...from }, "ws");
    },
    opened() {
      openPending = true;
      resetPending = false;
    },
    message(text) {
      let frame: Frame;
      try {
        frame = JSON.parse(text) as Frame;
      } catch {
        return;
      }
      receive(frame);
    },
    state: (state) => events.emit("state", state),
    error: (error) => events.emit("error", error),
  });

  function announce(info: OpenInfo): void {
    if (!openPending) return;
    openPending = false;
    events.emit("open", info);
  }

  function receive(frame: Frame): void {
    if (frame.type === "position") {
      epoch = frame.epoch;
      offset = frame.offset;
      announce({ resumed: false });
      if (resetPending) {
        resetPending = false;
        events.emit("reset", { epoch, offset });
      }
    } else if (frame.type === "resumed") {
      // also mid-stream, after the node lost its broker and caught up by itself
      if (!frame.recovered) resetPending = true;
      else announce({ resumed: true, missed: frame.missed ?? 0 });
    } else {
      if (typeof frame.offset === "number") offset = frame.offset;
      for (const route of routes) {
        if (!route.accepts(frame)) continue;
        if (route.changes) call(route.listener as (f: unknown) => void, [frame]);
        else call(route.listener as (p: unknown, f: unknown) => void, [frame.payload, frame]);
      }
    }
  }

  function on(type: string, a: unknown, b?: unknown): Unsubscribe {
    if (type === "postgres_changes") {
      const { table, eventType } = a as { table?: string; eventType?: string };
      return add({
        changes: true,
        listener: b as Route["listener"],
        accepts: (f) =>
          f.type === "postgres_changes" &&
          (table === undefined || f.table === table) &&
          (eventType === undefined || eventType === "*" || f.eventType === eventType),
      });
    }
    if (type === "broadcast") {
      const pattern = a as string;
      return add({ changes: false, listener: b as Route["listener"], accepts: (f) => f.type === "broadcast" && matches(pattern, f.event as string) });
    }
    return events.on(type as keyof BroadcastEvents, a as BroadcastEvents[keyof BroadcastEvents]);
  }

  function add(route: Route): Unsubscribe {
    routes.add(route);
    return () => routes.delete(route);
  }

  loop.start();
  return {
    on: on as BroadcastClient<S>["on"],
    get state() {
      return loop.state;
    },
    get cursor() {
      return epoch === undefined ? undefined : `${epoch}:${offset}`;
    },
    close: () => loop.close(),
  };
}
