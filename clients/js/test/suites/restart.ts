import { expect, it } from "vitest";
import WebSocket from "ws";
import { type ChannelReset, type OpenInfo, type ResetInfo, createBroadcast, createChannel, createLane } from "../../src/index.js";
import { type Cluster, recorder, ticketsFrom } from "../support/cluster.js";
import { jwt, unique, until } from "../support/processes.js";

export function restartSuite(c: Cluster): void {
  it("broadcast resumes without loss, the channel resumes after its last id, the lane subscribes again", async () => {
    const org = unique("org");
    const channel = unique("open:restart");
    const user = unique("user");
    const issued: string[] = [];
    const quick = { minDelayMs: 50, maxDelayMs: 1000 };

    const broadcast = createBroadcast({ ...quick, WebSocket, url: c.a.url, ticket: ticketsFrom(() => c.b, jwt("u_restart", org), issued) });
    const opens = recorder<OpenInfo>();
    const resets = recorder<ResetInfo>();
    const payloads = recorder<number>();
    const offsets = recorder<number>();
    broadcast.on("open", opens.push);
    broadcast.on("reset", resets.push);
    broadcast.on("broadcast", "n", (payload, message) => {
      payloads.push(payload as number);
      offsets.push(message.offset);
    });

    // the stream must be what resumes here, not the polling fallback
    const stream = createChannel({ ...quick, url: c.a.url, channel, fallbackAfter: Number.POSITIVE_INFINITY });
    const channelResets = recorder<ChannelReset>();
    const ids = recorder<number>();
    const data = recorder<number>();
    let streamOpens = 0;
    stream.on("open", () => streamOpens++);
    stream.on("reset", channelResets.push);
    stream.on("event", "c", (value, message) => {
      data.push(value as number);
      ids.push(message.id);
    });

    const lane = createLane({ ...quick, WebSocket, url: c.a.url, token: () => jwt(user) });
    let laneOpens = 0;
    lane.on("open", () => laneOpens++);
    lane.handle("ping", (envelope) => ({ back: envelope.payload }));

    const sendBroadcast = (n: number) => c.b.send("/broadcast/v1/broadcast", { event: "n", payload: n, organizationId: org });
    const sendChannel = (n: number) => c.b.send("/channels/v1/publish", { channel, event: "c", data: n });
    const sendLane = (n: number) => c.a.send("/lanes/v1/publish", { userId: user, type: "ping", payload: n, timeoutMs: 10_000 });
    try {
      await lane.subscribe(["ping"]);
      await until("the broadcast socket and the stream to open", () => opens.items.length === 1 && streamOpens === 1);
      for (const n of [1, 2]) {
        await sendBroadcast(n);
        await sendChannel(n);
      }
      await until("the events before the kill", () => payloads.items.length === 2 && data.items.length === 2);
      expect(await sendLane(1)).toEqual({ clientCount: 1, results: [{ back: 1 }] });

      await c.a.kill();
      for (const n of [3, 4, 5]) {
        await sendBroadcast(n);
        await sendChannel(n);
      }
      await c.a.restart();

      await until("the broadcast socket to resume", () => opens.items.length === 2);
      await until("what was missed", () => payloads.items.length === 5 && data.items.length === 5, 60_000, () => ({ broadcast: payloads.items, channel: data.items }));
      await until("the lane to reconnect", () => laneOpens === 2 && lane.state === "open");
      // the reconnected socket subscribed again by itself: a publish on its node reaches it at once
      expect(await sendLane(2)).toEqual({ clientCount: 1, results: [{ back: 2 }] });
      await sendBroadcast(6);
      await sendChannel(6);
      await until("the live events after the restart", () => payloads.items.length === 6 && data.items.length === 6);

      expect(payloads.items).toEqual([1, 2, 3, 4, 5, 6]);
      const first = offsets.items[0];
      expect(offsets.items).toEqual([0, 1, 2, 3, 4, 5].map((i) => first + i));
      expect(opens.items).toEqual([{ resumed: false }, { resumed: true, missed: 3 }]);
      expect(resets.items).toEqual([]);
      expect(data.items).toEqual([1, 2, 3, 4, 5, 6]);
      expect(ids.items).toEqual([1, 2, 3, 4, 5, 6]);
      expect(channelResets.items).toEqual([]);
      expect(streamOpens).toBe(2);
      // a ticket per connect: at least the first and the one that got back in, none used twice
      expect(issued.length).toBeGreaterThanOrEqual(2);
      expect(new Set(issued).size).toBe(issued.length);
    } finally {
      broadcast.close();
      stream.close();
      lane.close();
    }
  });
}
