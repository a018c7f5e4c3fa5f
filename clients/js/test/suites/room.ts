import { expect, it } from "vitest";
import WebSocket from "ws";
import { type HeraldError, createRoom } from "../../src/index.js";
import { type Cluster, recorder } from "../support/cluster.js";
import { jwt, unique, until } from "../support/processes.js";

const fast = { WebSocket, minReconnectionDelay: 20, maxReconnectionDelay: 100, connectionTimeout: 20_000 };

export function roomSuite(c: Cluster): void {
  it("joins a room with a fresh ticket on every connect and relays between sockets", async () => {
    const room = unique("room");
    let tickets = 0;
    const counting: typeof fetch = (input, init) => {
      tickets++;
      return fetch(input, init);
    };
    const ticket = (user: string) => ({ url: `${c.rooms.url}/broadcast/v1/ws-ticket`, headers: { Authorization: `Bearer ${jwt(user, "org_rooms")}` } });
    const alice = createRoom({ ...fast, host: c.rooms.host, party: "lobby", room, ticket: ticket("alice"), fetch: counting });
    const bob = createRoom({ ...fast, host: c.rooms.host, party: "lobby", room, ticket: ticket("bob"), fetch: counting, prefix: "realtime" });
    const heard = recorder<string>();
    bob.addEventListener("message", (e) => heard.push(String(e.data)));
    let bobOpens = 0;
    bob.addEventListener("open", () => bobOpens++);
    try {
      await until("both sockets to open", () => alice.readyState === 1 && bob.readyState === 1);
      // the relay reaches bob only once the room has both: send until one arrives
      await until("alice's message at bob", () => {
        alice.send("hello");
        return heard.items.includes("hello");
      });
      expect(tickets).toBeGreaterThanOrEqual(2);
      const before = tickets;
      const opensBefore = bobOpens;

      bob.reconnect();
      await until("bob to reconnect", () => bobOpens > opensBefore && bob.readyState === 1);
      await until("alice's message after the reconnect", () => {
        alice.send("again");
        return heard.items.includes("again");
      });
      // single-use tickets: the reconnect only got in with a ticket of its own
      expect(tickets).toBeGreaterThan(before);
    } finally {
      alice.close();
      bob.close();
    }
  });

  it("gives up after repeated refusals of the ticket or the upgrade, with Herald's status and code", async () => {
    let asked = 0;
    const counting: typeof fetch = (input, init) => {
      asked++;
      return fetch(input, init);
    };
    const refusals = recorder<HeraldError>();
    const signedOut = createRoom({
      ...fast,
      host: c.rooms.host,
      party: "lobby",
      room: unique("room"),
      fetch: counting,
      ticket: { url: `${c.rooms.url}/broadcast/v1/ws-ticket`, headers: { Authorization: "Bearer expired" } },
      onError: refusals.push,
    });
    signedOut.addEventListener("error", () => {});
    await until("the socket to give up", () => refusals.items.some((e) => e.fatal));
    expect(refusals.items.map((e) => [e.status, e.code, e.fatal])).toEqual([
      [401, "invalid_credentials", false],
      [401, "invalid_credentials", false],
      [401, "invalid_credentials", true],
    ]);

    const upgrades = recorder<HeraldError>();
    const badTicket = createRoom({ ...fast, host: c.rooms.host, party: "lobby", room: unique("room"), ticket: async () => "v1.bm9wZQ.c2ln", onError: upgrades.push });
    badTicket.addEventListener("error", () => {});
    await until("the socket to give up", () => upgrades.items.some((e) => e.fatal));
    expect(upgrades.items.map((e) => [e.status, e.code, e.fatal])).toEqual([
      [401, "invalid_ticket", false],
      [401, "invalid_ticket", false],
      [401, "invalid_ticket", true],
    ]);
    // nothing more was asked for meanwhile: the first room stopped for good
    expect(asked).toBe(3);
  });
}
