/** Reconnect timing shared by every client. */
export interface BackoffOptions {
  /** The shortest delay before a reconnect, and the base of the exponential growth (ms, default 500). */
  minDelayMs?: number;
  /** The longest delay (ms, default 30000). */
  maxDelayMs?: number;
  /** A connection that stayed up this long starts the next series of retries from the shortest delay again (ms, default 10000). */
  resetAfterMs?: number;
}

/**
 * Exponential backoff with full jitter: attempt n waits a uniform random time between the minimum and
 * min(max, min·2ⁿ), so clients dropped together by one server do not come back together.
 */
export class Backoff {
  private readonly min: number;
  private readonly max: number;
  private readonly resetAfter: number;
  private attempt = 0;
  private openedAt: number | undefined;

  constructor(options: BackoffOptions = {}) {
    this.min = options.minDelayMs ?? 500;
    this.max = Math.max(this.min, options.maxDelayMs ?? 30_000);
    this.resetAfter = options.resetAfterMs ?? 10_000;
  }

  /** A connection is up. */
  opened(now = Date.now()): void {
    this.openedAt = now;
  }

  /** The delay before the next attempt; a connection that was up long enough resets the series. */
  next(now = Date.now(), random = Math.random): number {
    if (this.openedAt !== undefined && now - this.openedAt >= this.resetAfter) this.attempt = 0;
    this.openedAt = undefined;
    const cap = Math.min(this.max, this.min * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return this.min + random() * (cap - this.min);
  }
}

/** Waits `ms`, or less when `signal` aborts first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done);
  });
}
