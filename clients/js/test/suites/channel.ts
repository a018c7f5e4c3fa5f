import { expect, it } from "vitest";
import { type ChannelMessage, type ChannelMode, type ChannelReset, type HeraldError, createChannel } from "../../src/index.js";
import { type Cluster, recorder } from "../support/cluster.js";
import { jwt, unique, until } from "../support/processes.js";

const fast = { minDelayMs: 20, maxDelayMs: 200 };

export function channelSuite(c: Cluster): void {
  const publish = (channel: string, event: string, data: unknown) => c.a.send("/channels/v1/publish", { channel, event, data });

  it("emits reset on realtime.reset and resumes from the id it carries", async () => {
    const channel = unique("open:reset");
    await publish(channel, "e", 1);
    await publish(channel, "e", 2);
    // a cursor kept from before the channel lost its ids: ahead of anything the channel has
    const client = createChannel({ ...fast, url: c.a.url, channel, lastEventId: 1000 });
    const resets = recorder<ChannelReset>();
    const messages = recorder<ChannelMessage>();
    client.on("reset", resets.push);
    client.on("event", "*", (_, m) => messages.push(m));
    try {
      await until("the reset", () => resets.items.length === 1);
      expect(resets.items).toEqual([{ reason: "buffer_gap", lastKnownId: 1000, id: 2 }]);
      expect(client.lastEventId).toBe("2");
      await publish(channel, "e", 3);
      await until("the live event", () => messages.items.length === 1);
      expect(messages.items).toEqual([{ id: 3, event: "e", data: 3, via: "stream" }]);
    } finally {
      client.close();
    }
  });

  it("falls back to polling while streams are refused, and back to the stream when one is accepted", async () => {
    const channel = unique("open:poll");
    // maxSubscribersPerChannel is 1: while this stream is open, the client's streams get 429
    const blocker = new AbortController();
    const held = await fetch(`${c.a.url}/sse/${channel}`, { headers: { Accept: "text/event-stream" }, signal: blocker.signal });
    expect(held.status).toBe(200);
    const reader = (held.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();

    const client = createChannel({ ...fast, url: c.a.url, channel, fallbackAfter: 2, pollIntervalMs: 100, streamRetryMs: 400 });
    const modes = recorder<ChannelMode>();
    const errors = recorder<HeraldError>();
    const messages = recorder<ChannelMessage>();
    client.on("mode", modes.push);
    client.on("error", errors.push);
    client.on("event", "*", (_, m) => messages.push(m));
    try {
      await until("the fallback", () => client.mode === "poll");
      await publish(channel, "p", "polled");
      await until("the polled event", () => messages.items.length === 1);
      blocker.abort();
      await until("the stream again", () => client.mode === "stream" && client.state === "open");
      await publish(channel, "p", "streamed");
      await until("the streamed event", () => messages.items.length === 2);

      expect(messages.items).toEqual([
        { id: 1, event: "p", data: "polled", via: "poll" },
        { id: 2, event: "p", data: "streamed", via: "stream" },
      ]);
      expect(modes.items).toEqual(["poll", "stream"]);
      expect(errors.items.length).toBeGreaterThanOrEqual(2);
      expect(errors.items.slice(0, 2).map((e) => [e.status, e.code])).toEqual([
        [429, "too_many_requests"],
        [429, "too_many_requests"],
      ]);
    } finally {
      client.close();
      blocker.abort();
    }
  });

  it("sends its headers on every request, and stops after repeated refusals", async () => {
    const org = unique("org");
    const channel = `team:${org}:runs`;
    let asked = 0;
    const client = createChannel({
      ...fast,
      url: c.a.url,
      channel,
      headers: () => {
        asked++;
        return { Authorization: `Bearer ${jwt("u_team", org)}` };
      },
    });
    const messages = recorder<unknown>();
    client.on("event", "run.stage", messages.push);
    const opened = recorder<void>();
    client.on("open", opened.push);
    try {
      await until("the stream to open", () => opened.items.length === 1);
      await publish(channel, "run.stage", { stage: "verify" });
      await until("the event", () => messages.items.length === 1);
      expect(messages.items).toEqual([{ stage: "verify" }]);
      expect(asked).toBe(1);
    } finally {
      client.close();
    }

    const refused = createChannel({ ...fast, url: c.a.url, channel });
    const errors = recorder<HeraldError>();
    refused.on("error", errors.push);
    await until("the client to give up", () => refused.state === "closed");
    expect(errors.items.map((e) => [e.status, e.code, e.fatal])).toEqual([
      [401, "unauthenticated", false],
      [401, "unauthenticated", false],
      [401, "unauthenticated", true],
    ]);
  });
}
