import { PartySocket, type PartySocketOptions } from "partysocket";
import { type TicketSource, defaultFetch, fetchTicket } from "./credentials.js";
import { HeraldError } from "./errors.js";
import { captureRefusal, type WebSocketConstructor } from "./socket.js";

type Query = Record<string, string | null | undefined>;

export interface RoomOptions extends Omit<PartySocketOptions, "query" | "WebSocket"> {
  /** Herald's host and port (`rt.example.com`, `127.0.0.1:8080`); partysocket picks ws for local addresses, else wss. */
  host: string;
  /** The party: the kebab-case of the binding's name (`LOBBY` is `lobby`). */
  party: string;
  room: string;
  /** A ticket for every (re)connect, sent as `ws_ticket`; without one, put a `token` in `query` or rely on the session cookie. */
  ticket?: TicketSource;
  query?: Query | (() => Query | Promise<Query>);
  /** Consecutive 401/403 refusals after which the socket is closed for good (default 3). */
  maxAuthFailures?: number;
  /** Every failure to get a ticket, and every refused upgrade where the WebSocket implementation shows it (`ws`); `fatal` once the socket gave up. */
  onError?: (error: HeraldError) => void;
  /** The WebSocket class; required on Node 20, which has no global one. */
  WebSocket?: WebSocketConstructor;
  fetch?: typeof fetch;
}

/**
 * A partysocket for a Herald room: a fresh ticket in the query of every connect, and no endless retries
 * of a session Herald refuses. Everything else (buffering, reconnects, `id`) is partysocket's own.
 */
export function createRoom(options: RoomOptions): PartySocket {
  const { ticket, query, maxAuthFailures = 3, onError, fetch: fetchOption, WebSocket: WS, ...rest } = options;
  const fetchImpl = fetchOption ?? defaultFetch();
  const timeout = options.connectionTimeout ?? 10_000;
  let authFailures = 0;
  let socket: PartySocket | undefined;

  function refused(error: HeraldError): void {
    authFailures = error.isAuth ? authFailures + 1 : 0;
    if (error.fatal || authFailures >= maxAuthFailures) {
      error.fatal = true;
      socket?.close();
    }
    onError?.(error);
  }

  const params = async (): Promise<Query> => {
    const base = typeof query === "function" ? await query() : (query ?? {});
    if (!ticket) return base;
    try {
      return { ...base, ws_ticket: await fetchTicket(ticket, fetchImpl, AbortSignal.timeout(timeout)) };
    } catch (e) {
      // partysocket reports a failed query as an error event and tries again on its schedule
      const error = HeraldError.from(e);
      refused(error);
      throw error;
    }
  };

  const Base = WS ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  const Refusing =
    Base &&
    class extends (Base as new (url: string, protocols?: string | string[]) => object) {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols);
        captureRefusal(this, refused);
      }
    };

  socket = new PartySocket({
    ...rest,
    query: ticket || typeof query === "function" ? params : query,
    ...(Refusing ? { WebSocket: Refusing as unknown as PartySocketOptions["WebSocket"] } : {}),
  });
  socket.addEventListener("open", () => {
    authFailures = 0;
  });
  return socket;
}
