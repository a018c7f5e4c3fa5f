import { expect, it } from "vitest";
import WebSocket from "ws";
import { type Envelope, createLane, defineRealtime } from "../../src/index.js";
import type { Cluster } from "../support/cluster.js";
import { jwt, unique, until } from "../support/processes.js";

type App = { lanes: { chat: { room: string; n: number }; task: { id: string }; probe: null } };

export function laneSuite(c: Cluster): void {
  it("delivers matching envelopes and returns the handler's and the manual acks to the publisher", async () => {
    const user = unique("user");
    const lane = defineRealtime<App>().createLane({ url: c.a.url, token: () => jwt(user), WebSocket });
    lane.handle("chat", (envelope) => ({ seen: envelope.payload?.n }));
    lane.on("envelope", "task", (envelope) => {
      lane.ack(envelope, { done: envelope.payload?.id });
    });
    const publish = (node: typeof c.a, type: string, payload: unknown, timeoutMs = 10_000) =>
      node.send("/lanes/v1/publish", { userId: user, type, payload, timeoutMs });
    try {
      const chat = await lane.subscribe(["chat"], { room: "r1" });
      await lane.subscribe(["task"]);

      expect(await publish(c.a, "chat", { room: "r1", n: 1 })).toEqual({ clientCount: 1, results: [{ seen: 1 }] });
      expect(await publish(c.a, "chat", { room: "r2", n: 2 })).toEqual({ clientCount: 0, results: [] });
      expect(await publish(c.a, "task", { id: "x" })).toEqual({ clientCount: 1, results: [{ done: "x" }] });

      // from the other node: its publish reaches this socket once node a's subscription to the user's
      // lane took effect in Redis, which happens after the upgrade, asynchronously
      await until("node b to reach the socket", async () => (await publish(c.b, "task", { id: "probe" }, 2000)).clientCount === 1);
      expect(await publish(c.b, "chat", { room: "r1", n: 3 })).toEqual({ clientCount: 1, results: [{ seen: 3 }] });

      await chat.unsubscribe();
      expect(await publish(c.a, "chat", { room: "r1", n: 4 })).toEqual({ clientCount: 0, results: [] });
    } finally {
      lane.close();
    }
  });

  it("acks once: a second ack of the same envelope is not sent", async () => {
    const user = unique("user");
    const lane = createLane({ url: c.a.url, token: jwt(user), WebSocket });
    const results: boolean[] = [];
    lane.on("envelope", "*", (envelope: Envelope) => {
      results.push(lane.ack(envelope, 1), lane.ack(envelope, 2));
    });
    try {
      await lane.subscribe(["once"]);
      expect(await c.a.send("/lanes/v1/publish", { userId: user, type: "once", timeoutMs: 10_000 })).toEqual({ clientCount: 1, results: [1] });
      expect(results).toEqual([true, false]);
    } finally {
      lane.close();
    }
  });
}
