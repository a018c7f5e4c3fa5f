// The parts whose guarantees are about time or bytes, checked without a server: fake timers make the
// liveness bound exact, and the parser sees every way a stream can be cut into chunks.
import { afterEach, describe, expect, it, vi } from "vitest";
import { Backoff } from "../src/backoff.js";
import { type HeraldError, createBroadcast, createChannel } from "../src/index.js";
import { matches } from "../src/schema.js";
import { type SseEvent, SseParser } from "../src/sse.js";

describe("backoff", () => {
  it("grows from the minimum to the maximum with full jitter", () => {
    const top = new Backoff({ minDelayMs: 500, maxDelayMs: 30_000 });
    expect(Array.from({ length: 9 }, () => top.next(0, () => 1))).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    const bottom = new Backoff({ minDelayMs: 500, maxDelayMs: 30_000 });
    expect(Array.from({ length: 9 }, () => bottom.next(0, () => 0))).toEqual(Array(9).fill(500));
    const half = new Backoff({ minDelayMs: 500, maxDelayMs: 30_000 });
    half.next(0, () => 0.5);
    expect(half.next(0, () => 0.5)).toBe(750);
  });

  it("starts over after a connection stayed up long enough, not before", () => {
    const b = new Backoff({ minDelayMs: 500, maxDelayMs: 30_000, resetAfterMs: 10_000 });
    for (let i = 0; i < 5; i++) b.next(0, () => 1);
    b.opened(100_000);
    expect(b.next(109_999, () => 1)).toBe(16_000);
    b.opened(200_000);
    expect(b.next(210_000, () => 1)).toBe(500);
  });
});

/** A WebSocket driven by the test. */
class FakeSocket {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  onopen: ((e: unknown) => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onclose: ((e: { code: number; reason: string }) => void) | null = null;
  onerror: ((e: unknown) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(text: string): void {
    this.sent.push(text);
  }
  close(): void {
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(data: string): void {
    this.onmessage?.({ data });
  }
}

describe("liveness", () => {
  afterEach(() => {
    vi.useRealTimers();
    FakeSocket.all = [];
  });

  it("gives up a silent socket within two ping intervals of the last frame, and resumes from its cursor", async () => {
    vi.useFakeTimers();
    const errors: HeraldError[] = [];
    const client = createBroadcast({ url: "http://herald.test", ticket: async () => "t", WebSocket: FakeSocket, pingIntervalMs: 1000 });
    client.on("error", (e) => errors.push(e));
    await vi.advanceTimersByTimeAsync(0);
    const socket = FakeSocket.all[0];
    expect(socket.url).toBe("ws://herald.test/broadcast/v1/websocket?ws_ticket=t&resume=1");
    socket.open();
    socket.receive('{"type":"position","epoch":"e1","offset":4}');

    // answered pings keep it for as long as it answers
    for (let i = 0; i < 10; i++) {
      await vi.advanceTimersByTimeAsync(1000);
      expect(socket.sent.at(-1)).toBe("ping");
      socket.receive("pong");
    }
    const lastFrame = Date.now();
    await vi.advanceTimersByTimeAsync(1999);
    expect(errors).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(errors.map((e) => e.code)).toEqual(["timeout"]);
    expect(Date.now() - lastFrame).toBeLessThanOrEqual(2000);
    expect(socket.readyState).toBe(3);

    await vi.advanceTimersByTimeAsync(1000);
    expect(FakeSocket.all[1].url).toBe("ws://herald.test/broadcast/v1/websocket?ws_ticket=t&since=e1%3A4");
    client.close();
  });
});

describe("stream watchdog", () => {
  afterEach(() => vi.useRealTimers());

  it("keeps a quiet stream until it was silent for twice the heartbeat, then resumes after its last id", async () => {
    vi.useFakeTimers();
    const requests: Array<Record<string, string>> = [];
    const streams: Array<ReadableStreamDefaultController<Uint8Array>> = [];
    const fake: typeof fetch = async (_url, init) => {
      requests.push(init?.headers as Record<string, string>);
      return new Response(new ReadableStream<Uint8Array>({ start: (c) => void streams.push(c) }), { status: 200 });
    };
    const errors: HeraldError[] = [];
    const client = createChannel({ url: "http://herald.test", channel: "c1", fetch: fake, heartbeatMs: 1000, connectTimeoutMs: 500 });
    client.on("error", (e) => errors.push(e));
    const bytes = (text: string) => new TextEncoder().encode(text);
    await vi.advanceTimersByTimeAsync(0);
    streams[0].enqueue(bytes(": connected\n\nevent: e\nid: 7\ndata: 1\n\n"));
    await vi.advanceTimersByTimeAsync(0);
    expect(client.state).toBe("open");

    // well past the connect timeout: a connected stream is judged by its heartbeat
    await vi.advanceTimersByTimeAsync(1999);
    streams[0].enqueue(bytes(": keepalive\n\n"));
    await vi.advanceTimersByTimeAsync(1999);
    expect(errors).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(errors.map((e) => e.code)).toEqual(["timeout"]);

    await vi.advanceTimersByTimeAsync(500);
    expect(requests[1]["Last-Event-ID"]).toBe("7");
    client.close();
  });
});

describe("event-stream parser", () => {
  const stream = ": connected\n\nevent: a\nid: 1\ndata: {\"x\":1}\n\r\nevent: b\r\nid: 2\r\ndata: line1\r\ndata: line2\r\n\r\n: keepalive\n\n";

  it("reads the same events and comments however the bytes are split", () => {
    const expected: Array<SseEvent | string> = [
      "connected",
      { event: "a", id: "1", data: '{"x":1}' },
      { event: "b", id: "2", data: "line1\nline2" },
      "keepalive",
    ];
    for (let size = 1; size <= stream.length; size++) {
      const seen: Array<SseEvent | string> = [];
      const parser = new SseParser((e) => seen.push(e), (c) => seen.push(c));
      for (let i = 0; i < stream.length; i += size) parser.push(stream.slice(i, i + size));
      expect(seen, `chunks of ${size}`).toEqual(expected);
    }
  });
});

describe("event patterns", () => {
  it("match a name, a whole namespace or everything", () => {
    expect(matches("nudge", "nudge")).toBe(true);
    expect(matches("jobs:*", "jobs:done")).toBe(true);
    expect(matches("jobs:*", "jobs")).toBe(false);
    expect(matches("jobs:*", "jobsx:done")).toBe(false);
    expect(matches("jobs:*", "other:jobs:done")).toBe(false);
    expect(matches("*", "anything")).toBe(true);
    expect(matches("nudge", "nudges")).toBe(false);
  });
});
