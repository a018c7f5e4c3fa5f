import { Backoff, type BackoffOptions, sleep } from "./backoff.js";
import { HeraldError } from "./errors.js";

/**
 * The part of a WebSocket the clients use. Event parameters are loose on purpose: the browser's
 * WebSocket and the `ws` package's type their events differently, and both must fit.
 */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: any) => void) | null;
  onmessage: ((event: any) => void) | null;
  onclose: ((event: any) => void) | null;
  onerror: ((event: any) => void) | null;
}

/** A WebSocket class: the global one in browsers and Node 22+, or `ws`'s default export on Node 20. */
export type WebSocketConstructor = new (url: string) => SocketLike;

/** Connection settings shared by the socket clients. */
export interface ConnectionOptions extends BackoffOptions {
  /**
   * How often the client sends `ping` (ms, default 25000, the server's default `server.pingIntervalMs`).
   * A socket that answers nothing to one ping is given up at the next: a dead connection is noticed within two intervals.
   */
  pingIntervalMs?: number;
  /** How long a ticket request, and then the upgrade, may take before the attempt is given up (ms, default 10000). */
  connectTimeoutMs?: number;
  /** Consecutive 401/403 refusals after which the client stops with a fatal `error` (default 3). */
  maxAuthFailures?: number;
  /** The WebSocket class; required on Node 20, which has no global one. */
  WebSocket?: WebSocketConstructor;
  /** The fetch function for ticket requests (default: the global `fetch`). */
  fetch?: typeof fetch;
}

/** `connecting` while no socket is open (first connect or reconnect), `closed` once stopped for good. */
export type ConnectionState = "connecting" | "open" | "closed";

export interface LoopHooks {
  /** The URL of the next socket (a fresh ticket or token in it); may throw. */
  url(signal: AbortSignal): Promise<string>;
  opened(): void;
  /** Every text frame except `pong`. */
  message(text: string): void;
  state(state: ConnectionState): void;
  error(error: HeraldError): void;
}

interface Attempt {
  socket: SocketLike;
  /** The refusal of the upgrade, when the WebSocket implementation lets it be read (the `ws` package). */
  refusal?: HeraldError;
  pings: Array<{ resolve(): void; reject(e: HeraldError): void } | null>;
}

/**
 * A WebSocket kept open: fresh URL per connect, backoff between attempts, a ping/pong liveness check,
 * and a stop after repeated 401/403. The broadcast and lane clients put their protocol on top.
 */
export class SocketLoop {
  private readonly backoff: Backoff;
  private readonly pingInterval: number;
  private readonly connectTimeout: number;
  private readonly maxAuthFailures: number;
  private readonly WebSocket: WebSocketConstructor;
  private readonly stop = new AbortController();
  private current: Attempt | undefined;
  private authFailures = 0;
  private stateNow: ConnectionState = "connecting";

  constructor(
    options: ConnectionOptions,
    private readonly hooks: LoopHooks,
  ) {
    this.backoff = new Backoff(options);
    this.pingInterval = options.pingIntervalMs ?? 25_000;
    this.connectTimeout = options.connectTimeoutMs ?? 10_000;
    this.maxAuthFailures = options.maxAuthFailures ?? 3;
    const WS = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!WS) throw new HeraldError("no_websocket", "No global WebSocket here: pass the WebSocket option (on Node 20, the `ws` package's default export)");
    this.WebSocket = WS;
  }

  start(): void {
    void this.run();
  }

  get state(): ConnectionState {
    return this.stateNow;
  }

  /** Sends on the open socket; false when there is none (the frame is not queued). */
  send(text: string): boolean {
    const socket = this.current?.socket;
    if (this.stateNow !== "open" || !socket || socket.readyState !== 1) return false;
    socket.send(text);
    return true;
  }

  /** Sends `ping`; resolves at its `pong`, which Herald sends once every earlier frame of the socket was handled. */
  ping(): Promise<void> {
    const attempt = this.current;
    if (!attempt || !this.send("ping")) return Promise.reject(new HeraldError("closed", "not connected"));
    return new Promise((resolve, reject) => attempt.pings.push({ resolve, reject }));
  }

  /** An identity of the open socket, so a reply (an ack) is only sent on the socket it answers. */
  get socket(): object | undefined {
    return this.stateNow === "open" ? this.current : undefined;
  }

  close(): void {
    if (this.stop.signal.aborted) return;
    this.stop.abort();
    this.setState("closed");
  }

  private setState(state: ConnectionState): void {
    if (this.stateNow === state || this.stateNow === "closed") return;
    this.stateNow = state;
    this.hooks.state(state);
  }

  private async run(): Promise<void> {
    const signal = this.stop.signal;
    while (!signal.aborted) {
      this.setState("connecting");
      let error: HeraldError;
      try {
        error = await this.connect(await this.hooks.url(signal));
      } catch (e) {
        error = HeraldError.from(e);
      }
      if (signal.aborted) return;
      this.authFailures = error.isAuth ? this.authFailures + 1 : 0;
      if (error.fatal || this.authFailures >= this.maxAuthFailures) {
        error.fatal = true;
        this.stop.abort();
        this.hooks.error(error);
        this.setState("closed");
        return;
      }
      this.hooks.error(error);
      await sleep(this.backoff.next(), signal);
    }
  }

  /** One socket, from its upgrade to its end; resolves with why it ended. */
  private connect(url: string): Promise<HeraldError> {
    return new Promise((resolve) => {
      const socket = new this.WebSocket(url);
      const attempt: Attempt = { socket, pings: [] };
      this.current = attempt;
      let opened = false;
      let heard = true;
      let liveness: ReturnType<typeof setInterval> | undefined;
      captureRefusal(socket, (refusal) => {
        attempt.refusal = refusal;
      });

      let finished = false;
      const finish = (error: HeraldError, polite = false) => {
        if (finished) return;
        finished = true;
        clearTimeout(connectTimer);
        clearInterval(liveness);
        this.stop.signal.removeEventListener("abort", onStop);
        socket.onopen = socket.onmessage = socket.onclose = null;
        // `ws` throws an error event nobody listens to: keep one listener
        socket.onerror = () => {};
        for (const waiter of attempt.pings) waiter?.reject(error);
        attempt.pings.length = 0;
        if (socket.readyState < 2) {
          // a dead connection would hold a polite close until TCP gives up: drop it and move on
          const terminate = (socket as { terminate?: () => void }).terminate;
          if (polite || !terminate) socket.close(polite ? 1000 : 4000, polite ? undefined : "abandoned");
          else terminate.call(socket);
        }
        if (this.current === attempt) this.current = undefined;
        resolve(error);
      };
      const onStop = () => finish(new HeraldError("closed", "closed by the application"), true);
      this.stop.signal.addEventListener("abort", onStop);
      const connectTimer = setTimeout(
        () => finish(new HeraldError("timeout", `no upgrade within ${this.connectTimeout} ms`)),
        this.connectTimeout,
      );

      socket.onopen = () => {
        opened = true;
        clearTimeout(connectTimer);
        this.authFailures = 0;
        this.backoff.opened();
        this.setState("open");
        liveness = setInterval(() => {
          if (!heard) return finish(new HeraldError("timeout", `no answer to a ping within ${this.pingInterval} ms`));
          heard = false;
          attempt.pings.push(null);
          socket.send("ping");
        }, this.pingInterval);
        this.hooks.opened();
      };
      socket.onmessage = (event: { data: unknown }) => {
        heard = true;
        if (typeof event.data !== "string") return;
        if (event.data === "pong") {
          attempt.pings.shift()?.resolve();
          return;
        }
        this.hooks.message(event.data);
      };
      socket.onclose = (event: { code: number; reason: string }) => {
        finish(
          opened
            ? HeraldError.fromClose(event.code, event.reason)
            : (attempt.refusal ?? new HeraldError("network_error", `the upgrade of ${redact(url)} failed (${event.code})`)),
        );
      };
      socket.onerror = () => {
        // the close event follows and says more
      };
    });
  }
}

/**
 * Browsers hide the HTTP answer to a refused upgrade; the `ws` package shows it to an
 * `unexpected-response` listener, so on Node a refusal keeps Herald's status and error code.
 * `refused` runs before the socket's close event.
 */
export function captureRefusal(socket: unknown, refused: (error: HeraldError) => void): void {
  const emitter = socket as {
    on?: (event: string, listener: (request: unknown, response: NodeLikeResponse) => void) => void;
    terminate?: () => void;
  };
  if (typeof emitter.on !== "function" || typeof emitter.terminate !== "function") return;
  emitter.on("unexpected-response", (_request, response) => {
    let body = "";
    let done = false;
    const end = () => {
      if (done) return;
      done = true;
      refused(HeraldError.fromBody(response.statusCode ?? 0, body));
      emitter.terminate?.();
    };
    response.setEncoding?.("utf8");
    response.on("data", (chunk: string) => {
      if (body.length < 65_536) body += chunk;
    });
    response.on("end", end);
    response.on("error", end);
  });
}

interface NodeLikeResponse {
  statusCode?: number;
  setEncoding?(encoding: string): void;
  on(event: string, listener: (chunk: string) => void): void;
}

/** A socket URL without its credentials, for messages. */
export function redact(url: string): string {
  return url.replace(/([?&](?:ws_ticket|token)=)[^&]*/g, "$1…");
}
