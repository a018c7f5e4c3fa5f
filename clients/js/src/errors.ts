/**
 * Every failure the clients report: a refusal by Herald (HTTP status and its `error` code), the
 * close of an open socket (close code and reason), or a network failure (`network_error`, `timeout`).
 */
export class HeraldError extends Error {
  override readonly name = "HeraldError";
  /** Herald's `error` code (`invalid_ticket`, `too_many_requests`, ...), or one of the client's: `network_error`, `timeout`, `closed`. */
  readonly code: string;
  /** The HTTP status of a refused request or upgrade. */
  readonly status: number | undefined;
  /** The close code of a socket that was open. */
  readonly closeCode: number | undefined;
  /** The close reason sent with `closeCode`. */
  readonly reason: string | undefined;
  /** True when the client stopped because of this error and will not reconnect. */
  fatal = false;

  constructor(code: string, message: string, details: { status?: number; closeCode?: number; reason?: string; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.status = details.status;
    this.closeCode = details.closeCode;
    this.reason = details.reason;
  }

  /** A refusal from Herald's JSON error body (`{"error":…,"message":…}`); other bodies keep the status alone. */
  static fromBody(status: number, body: string): HeraldError {
    let code = `http_${status}`;
    let message = `HTTP ${status}`;
    try {
      const parsed: unknown = JSON.parse(body);
      if (parsed && typeof parsed === "object") {
        const { error, message: text } = parsed as { error?: unknown; message?: unknown };
        if (typeof error === "string") code = error;
        if (typeof text === "string") message = text;
      }
    } catch {
      // not Herald's body (a proxy's page, say): the status is all there is
    }
    return new HeraldError(code, `${message} (${status} ${code})`, { status });
  }

  static async fromResponse(response: Response): Promise<HeraldError> {
    let body = "";
    try {
      body = await response.text();
    } catch {
      // the body is only a detail
    }
    return HeraldError.fromBody(response.status, body);
  }

  /** The close of a socket that was open; codes that name one of Herald's errors get its `error` code. */
  static fromClose(closeCode: number, reason: string): HeraldError {
    const code = CLOSE_CODES[closeCode] ?? (closeCode === 1006 ? "network_error" : "closed");
    return new HeraldError(code, `socket closed with ${closeCode}${reason ? ` (${reason})` : ""}`, { closeCode, reason });
  }

  /** Wraps whatever a ticket or token callback threw; an error with a numeric `status` keeps it. */
  static from(error: unknown): HeraldError {
    if (error instanceof HeraldError) return error;
    if (error instanceof DOMException && error.name === "TimeoutError") return new HeraldError("timeout", error.message, { cause: error });
    if (error && typeof error === "object") {
      const { status, code, fatal, message } = error as { status?: unknown; code?: unknown; fatal?: unknown; message?: unknown };
      const wrapped = new HeraldError(
        typeof code === "string" ? code : typeof status === "number" ? `http_${status}` : "network_error",
        typeof message === "string" ? message : String(error),
        { status: typeof status === "number" ? status : undefined, cause: error },
      );
      wrapped.fatal = fatal === true;
      return wrapped;
    }
    return new HeraldError("network_error", String(error), { cause: error });
  }

  /** 401 and 403 (or close 1008): credentials a retry with the same session will not fix. */
  get isAuth(): boolean {
    return this.status === 401 || this.status === 403 || this.closeCode === 1008;
  }
}

/** Close codes Herald uses for a single error each (1008 and 1011 stand for several). */
const CLOSE_CODES: Record<number, string> = {
  1001: "idle_timeout",
  1002: "protocol_error",
  1007: "invalid_text",
  1009: "payload_too_large",
  1012: "shutting_down",
  1013: "overloaded",
};
