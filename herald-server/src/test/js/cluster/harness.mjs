// Shared by the room-cluster scripts (run by the RoomCluster* tests of io.herald.server.cluster, not by
// PartysocketCompatTest, which runs only the scripts directly in src/test/js). Every script is
// `node cluster/<script>.mjs n1=127.0.0.1:<port> n2=... [args]`: the Herald nodes by id, in order.
// The nodes bind LOBBY (RelayRoom), PRESENCE (PresenceRoom), DOC (YjsRoom) and PROBE (the test room
// io.herald.server.cluster.OwnerProbeRoom), all public, with short room leases.
//
// A script talks with its Java test: it prints `STEP <name> <json>` lines the test waits for, and
// waits for the files the test writes into the folder HERALD_SIGNALS (`await signal("killed")`).
// Exits 0 when every check held, 1 with a message and every client's history otherwise.
import PartySocket from "partysocket";
import WebSocket from "ws";
import * as shared from "../../js-shared/cluster.mjs";
import { nodes, route, until } from "../../js-shared/cluster.mjs";

export { args, check, ids, markDown, nodes, signal, sleep, step, unique, until } from "../../js-shared/cluster.mjs";

const clients = [];

export function run(name, body, timeoutMs = 60000) {
  shared.run(name, body, timeoutMs, () => clients.forEach((c) => c.close()), () => {
    for (const c of clients) {
      console.error(`  ${c.label} (home ${c.home}, id ${c.ws.id}): events ${JSON.stringify(c.events.slice(-16))}`);
      console.error(`  ${c.label} received ${JSON.stringify(c.messages.map(show).slice(-40)).slice(0, 3000)}`);
    }
  });
}

function show(m) {
  return typeof m === "string" ? m : `<binary ${new Uint8Array(m).length} bytes>`;
}

/**
 * The `ws` WebSocket class a client's PartySocket constructs: it sends each attempt to `route(home)`
 * whatever host the URL names, and records the node the attempt went to and the x-herald-node header
 * of its 101.
 */
function routedWebSocket(client) {
  return class RoutedWebSocket extends WebSocket {
    constructor(url, protocols) {
      const target = route(client.home);
      const u = new URL(url);
      u.host = nodes.get(target);
      super(u.toString(), protocols);
      const attempt = { target, header: undefined };
      client.attempts.push(attempt);
      this.on("upgrade", (res) => {
        attempt.header = res.headers["x-herald-node"];
      });
    }
  };
}

/** A PartySocket whose home is node `home`, with short reconnect delays. */
export function connect(label, home, options) {
  const client = new Client(label, home);
  client.ws = new PartySocket({
    host: nodes.get(home),
    WebSocket: routedWebSocket(client),
    minReconnectionDelay: 50,
    maxReconnectionDelay: 250,
    connectionTimeout: 3000,
    ...options,
  });
  client.listen();
  clients.push(client);
  return client;
}

/** A PartySocket plus everything it saw: messages, open/close/error events, and where each open landed. */
export class Client {
  constructor(label, home) {
    this.label = label;
    this.home = home;
    this.attempts = [];
    /** One entry per open: {target, header} of the attempt that opened. */
    this.landed = [];
    this.messages = [];
    this.events = [];
    this.opens = 0;
    /** The codes of every close event, including partysocket giving up an attempt that never opened. */
    this.closeCodes = [];
    /** The codes of the closes of sockets that had opened: what the client lived through as a drop. */
    this.dropped = [];
    this.isOpen = false;
  }

  listen() {
    this.ws.addEventListener("message", (e) => this.messages.push(e.data));
    this.ws.addEventListener("open", () => {
      this.opens++;
      this.isOpen = true;
      const a = this.attempts.at(-1);
      this.landed.push({ target: a.target, header: a.header });
      this.events.push(`open@${a.target}`);
    });
    this.ws.addEventListener("close", (e) => {
      this.closeCodes.push(e.code);
      if (this.isOpen) {
        this.dropped.push(e.code);
      }
      this.isOpen = false;
      this.events.push(`close:${e.code}`);
    });
    this.ws.addEventListener("error", (e) => this.events.push(`error:${e.message}`));
  }

  send(data) {
    return this.ws.send(data);
  }

  close() {
    this.ws.close();
  }

  texts() {
    return this.messages.filter((m) => typeof m === "string");
  }

  /** Text messages that parse as JSON objects. */
  json() {
    return this.texts().filter((m) => m.startsWith("{")).map((m) => JSON.parse(m));
  }

  /** The JSON messages of `type`. */
  typed(type) {
    return this.json().filter((m) => m.type === type);
  }

  /** The latest {"type":"presence"} message, or undefined. */
  presence() {
    return this.typed("presence").at(-1);
  }

  /** Resolves once the latest presence lists exactly `ids` (any order, duplicates counted). */
  async presenceIs(want, what = `presence ${JSON.stringify(want)}`) {
    const sorted = [...want].sort().join(",");
    await until(() => {
      const p = this.presence();
      return p && p.peers.map((x) => x.id).sort().join(",") === sorted;
    }, `${this.label}: ${what}`);
    return this.presence();
  }

  /** Resolves once the socket has opened `n` times in total. */
  async opened(n = 1, timeoutMs = 15000) {
    await until(() => this.opens >= n, `${this.label}: open #${n}`, timeoutMs);
  }

  /** Resolves once a text message equal to `text` arrived. */
  async received(text, timeoutMs = 10000) {
    await until(() => this.messages.includes(text), `${this.label}: receive ${JSON.stringify(text)}`, timeoutMs);
  }

  /** Resolves with the `n`th (1-based) OwnerProbeRoom hello, once it arrived. */
  async hello(n = 1, timeoutMs = 15000) {
    await until(() => this.typed("hello").length >= n, `${this.label}: hello #${n}`, timeoutMs);
    return this.typed("hello")[n - 1];
  }

  /** Sends `who` to an OwnerProbeRoom and resolves with the answer that arrives after it. */
  async who(timeoutMs = 10000) {
    const before = this.typed("who").length;
    this.send("who");
    await until(() => this.typed("who").length > before, `${this.label}: answer to who`, timeoutMs);
    return this.typed("who").at(-1);
  }
}

/** GETs an OwnerProbeRoom's description through node `id` (answered by the room's owner), JSON; throws on a non-200. */
export async function describe(id, room, query = "", timeoutMs = 5000) {
  const r = await fetch(`http://${nodes.get(id)}/parties/probe/${room}${query}`, { signal: AbortSignal.timeout(timeoutMs) });
  const body = await r.text();
  if (r.status !== 200) {
    throw new Error(`GET /parties/probe/${room}${query} through ${id}: ${r.status} ${body}`);
  }
  return JSON.parse(body);
}

/** Whether two arrays hold the same elements, in any order. */
export function sameSet(a, b) {
  return JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
}
