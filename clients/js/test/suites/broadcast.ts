import { expect, it } from "vitest";
import WebSocket from "ws";
import { type HeraldError, type OpenInfo, type ResetInfo, createBroadcast, defineRealtime } from "../../src/index.js";
import { type Cluster, recorder, ticketsFrom } from "../support/cluster.js";
import { jwt, unique, until } from "../support/processes.js";

type App = {
  broadcast: { "jobs:started": { job: string }; "jobs:done": { job: string; ok: boolean }; nudge: number };
  tables: { tasks: { id: string; title: string } };
};

const fast = { WebSocket, minDelayMs: 20, maxDelayMs: 200 };

export function broadcastSuite(c: Cluster): void {
  it("routes postgres_changes by table and event type, and custom events by name and namespace", async () => {
    const org = unique("org");
    const realtime = defineRealtime<App>();
    const client = realtime.createBroadcast({
      ...fast,
      url: c.a.url,
      ticket: { url: `${c.b.url}/broadcast/v1/ws-ticket`, headers: { Authorization: `Bearer ${jwt("u_routes", org)}` } },
    });
    const opens = recorder<OpenInfo>();
    const updates = recorder<string>();
    const changes = recorder<string>();
    const jobs = recorder<string>();
    const nudges = recorder<number>();
    const everything = recorder<string>();
    client.on("open", opens.push);
    client.on("postgres_changes", { table: "tasks", eventType: "UPDATE" }, (change) => updates.push(change.new.title));
    client.on("postgres_changes", {}, (change) => changes.push(`${change.eventType} ${change.table}`));
    client.on("broadcast", "jobs:*", (payload, message) => jobs.push(`${message.event} ${payload.job}`));
    client.on("broadcast", "nudge", (n) => nudges.push(n));
    client.on("broadcast", "*", (_, message) => everything.push(message.event));
    try {
      await until("the socket to open", () => opens.items.length === 1);
      await c.b.send("/broadcast/v1/changes", { table: "tasks", eventType: "INSERT", organizationId: org, new: { id: "t1", title: "draft" } });
      await c.b.send("/broadcast/v1/changes", { table: "tasks", eventType: "UPDATE", organizationId: org, new: { id: "t1", title: "final" } });
      await c.b.send("/broadcast/v1/broadcast", { event: "jobs:started", payload: { job: "j1" }, organizationId: org });
      await c.b.send("/broadcast/v1/broadcast", { event: "nudge", payload: 7, organizationId: org });
      await c.b.send("/broadcast/v1/broadcast", { event: "jobs:done", payload: { job: "j1", ok: true }, organizationId: org });
      await until("every event", () => changes.items.length === 2 && everything.items.length === 3);

      expect(opens.items).toEqual([{ resumed: false }]);
      expect(updates.items).toEqual(["final"]);
      expect(changes.items).toEqual(["INSERT tasks", "UPDATE tasks"]);
      expect(jobs.items).toEqual(["jobs:started j1", "jobs:done j1"]);
      expect(nudges.items).toEqual([7]);
      expect(everything.items).toEqual(["jobs:started", "nudge", "jobs:done"]);
      expect(client.cursor).toMatch(/^[\w-]+:5$/);
    } finally {
      client.close();
    }
  });

  it("emits reset when the history no longer holds what was missed, then goes on from the new position", async () => {
    const org = unique("org");
    const token = jwt("u_reset", org);
    const publish = (payload: unknown) => c.b.send("/broadcast/v1/broadcast", { event: "n", payload, organizationId: org });

    const first = createBroadcast({ ...fast, url: c.a.url, ticket: ticketsFrom(() => c.b, token) });
    const seenFirst = recorder<unknown>();
    first.on("broadcast", "*", seenFirst.push);
    const opened = recorder<OpenInfo>();
    first.on("open", opened.push);
    await until("the first socket to open", () => opened.items.length === 1);
    await publish(0);
    await until("the first event", () => seenFirst.items.length === 1);
    const cursor = first.cursor as string;
    first.close();
    const epoch = cursor.split(":")[0];
    expect(cursor).toBe(`${epoch}:1`);

    // history.size is 5 and Redis trims whole blocks of 100 entries: after 250 more, offset 1 is long gone
    for (let i = 1; i <= 250; i++) await publish(i);

    const second = createBroadcast({ ...fast, url: c.a.url, ticket: ticketsFrom(() => c.b, token), cursor });
    const resets = recorder<ResetInfo>();
    const seen = recorder<unknown>();
    const opens = recorder<OpenInfo>();
    second.on("reset", resets.push);
    second.on("broadcast", "*", seen.push);
    second.on("open", opens.push);
    try {
      await until("the reset", () => resets.items.length === 1);
      expect(resets.items).toEqual([{ epoch, offset: 251 }]);
      expect(opens.items).toEqual([{ resumed: false }]);
      await publish("after");
      await until("the event after the reset", () => seen.items.length === 1);
      expect(seen.items).toEqual(["after"]);
      expect(second.cursor).toBe(`${epoch}:252`);
    } finally {
      second.close();
    }

    // a cursor of another epoch (a stream Redis lost) is not recoverable either
    const third = createBroadcast({ ...fast, url: c.a.url, ticket: ticketsFrom(() => c.b, token), cursor: "zzzzzzzz:3" });
    const thirdResets = recorder<ResetInfo>();
    third.on("reset", thirdResets.push);
    try {
      await until("the reset of a foreign epoch", () => thirdResets.items.length === 1);
      expect(thirdResets.items).toEqual([{ epoch, offset: 252 }]);
    } finally {
      third.close();
    }
  });

  it("notices a frozen node by ping/pong, takes a fresh single-use ticket for every connect and resumes", async () => {
    const org = unique("org");
    const issued: string[] = [];
    const client = createBroadcast({
      ...fast,
      url: c.a.url,
      ticket: ticketsFrom(() => c.b, jwt("u_frozen", org), issued),
      pingIntervalMs: 1000,
      connectTimeoutMs: 2000,
    });
    const opens = recorder<OpenInfo>();
    const errors = recorder<HeraldError>();
    const seen = recorder<unknown>();
    client.on("open", opens.push);
    client.on("error", errors.push);
    client.on("broadcast", "*", seen.push);
    const publish = (payload: string) => c.b.send("/broadcast/v1/broadcast", { event: "n", payload, organizationId: org });
    try {
      await until("the socket to open", () => opens.items.length === 1);
      await publish("before");
      await until("the first event", () => seen.items.length === 1);

      const frozenAt = Date.now();
      c.a.pause();
      try {
        await until("the client to notice the frozen node", () => errors.items.some((e) => e.code === "timeout"));
        console.log(`broadcast: a frozen node noticed after ${Date.now() - frozenAt} ms (ping interval 1000 ms)`);
        await publish("while frozen");
      } finally {
        c.a.resume();
      }
      await until("the socket to open again", () => opens.items.length >= 2 && client.state === "open");
      await until("the event published while frozen", () => seen.items.length === 2);
      await publish("after");
      await until("the event after", () => seen.items.length === 3);

      expect(seen.items).toEqual(["before", "while frozen", "after"]);
      // every reconnect resumed from the cursor (a loaded machine may add reconnects of its own)
      expect(opens.items.slice(1).every((o) => o.resumed)).toBe(true);
      expect(issued.length).toBeGreaterThanOrEqual(2);
      expect(new Set(issued).size).toBe(issued.length);
    } finally {
      client.close();
    }
  });

  it("stops after repeated refusals, each with Herald's status and error code", async () => {
    let asked = 0;
    const counting: typeof fetch = (input, init) => {
      asked++;
      return fetch(input, init);
    };
    const badSession = createBroadcast({
      ...fast,
      url: c.a.url,
      fetch: counting,
      ticket: { url: `${c.a.url}/broadcast/v1/ws-ticket`, headers: { Authorization: "Bearer not-a-session" } },
    });
    const errors = recorder<HeraldError>();
    badSession.on("error", errors.push);
    await until("the client to give up", () => badSession.state === "closed");
    expect(errors.items.map((e) => [e.status, e.code, e.fatal])).toEqual([
      [401, "invalid_credentials", false],
      [401, "invalid_credentials", false],
      [401, "invalid_credentials", true],
    ]);
    expect(asked).toBe(3);

    // a refused upgrade: on Node the `ws` package lets the client read Herald's answer
    const badTicket = createBroadcast({ ...fast, url: c.a.url, ticket: async () => "v1.bm90IGEgdGlja2V0.c2ln" });
    const refusals = recorder<HeraldError>();
    badTicket.on("error", refusals.push);
    await until("the client to give up", () => badTicket.state === "closed");
    expect(refusals.items.map((e) => [e.status, e.code, e.fatal])).toEqual([
      [401, "invalid_ticket", false],
      [401, "invalid_ticket", false],
      [401, "invalid_ticket", true],
    ]);
  });
}
