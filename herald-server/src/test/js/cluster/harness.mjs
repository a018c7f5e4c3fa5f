// Shared by the room-cluster scripts (run by the RoomCluster* tests of io.herald.server.cluster, not by
// PartysocketCompatTest, which runs only the scripts directly in src/test/js). Every script is
// `node cluster/<script>.mjs n1=127.0.0.1:<port> n2=... [args]`: the Herald nodes by id, in order.
// The nodes bind LOBBY (RelayRoom), PRESENCE (PresenceRoom), DOC (YjsRoom) and PROBE (the test room
// io.herald.server.cluster.OwnerProbeRoom), all public, with short room leases.
//
// A script talks with its Java test: it prints `STEP <name> <json>` lines the test waits for, and
// waits for the files the test writes into the folder HERALD_SIGNALS (`await signal("killed")`).
// Exits 0 when every check held, 1 with a message and every client's history otherwise.
import fs from "node:fs";
import path from "node:path";
import PartySocket from "partysocket";
import WebSocket from "ws";

const NODE_ARG = /^([\w.-]+)=([\w.-]+:\d+)$/;

/** host:port of each node by id, in the order given. */
export const nodes = new Map();
for (const a of process.argv.slice(2)) {
  const m = NODE_ARG.exec(a);
  if (m) {
    nodes.set(m[1], m[2]);
  }
}
/** The arguments that are not nodes. */
export const args = process.argv.slice(2).filter((a) => !NODE_ARG.test(a));
if (nodes.size === 0) {
  console.error("usage: node cluster/<script>.mjs n1=127.0.0.1:<port> n2=127.0.0.1:<port> ... [args]");
  process.exit(2);
}
/** The node ids, in order. */
export const ids = [...nodes.keys()];

const signals = process.env.HERALD_SIGNALS;
const down = new Set();
const clients = [];

/**
 * Marks node `id` as down: from now on the clients whose home it is connect to the next node that is
 * not down (in the order of `ids`), as a load balancer would send them once its health check failed.
 */
export function markDown(id) {
  down.add(id);
}

/** The node a client of `home` connects to now. */
export function route(home) {
  if (!down.has(home)) {
    return home;
  }
  const i = ids.indexOf(home);
  for (let k = 1; k <= ids.length; k++) {
    const next = ids[(i + k) % ids.length];
    if (!down.has(next)) {
      return next;
    }
  }
  throw new Error("every node is down");
}

/** Prints `STEP <name> <json>` for the Java test. */
export function step(name, value = {}) {
  console.log(`STEP ${name} ${JSON.stringify(value)}`);
}

/** Resolves with the content of the signal file `name` once the Java test wrote it. */
export async function signal(name, timeoutMs = 60000) {
  if (!signals) {
    throw new Error("HERALD_SIGNALS is not set: run the script through its RoomCluster test");
  }
  const file = path.join(signals, name);
  await until(() => fs.existsSync(file), `the test's signal ${name}`, timeoutMs);
  return fs.readFileSync(file, "utf8");
}

/** Runs `body`, exits 0 when it resolves, 1 when it throws or runs past `timeoutMs`. */
export function run(name, body, timeoutMs = 60000) {
  const timer = setTimeout(() => fail(`${name}: timed out after ${timeoutMs} ms`), timeoutMs);
  body().then(
    () => {
      clearTimeout(timer);
      clients.forEach((c) => c.close());
      console.log(`${name}: ok`);
      process.exit(0);
    },
    (e) => fail(`${name}: ${e && e.stack ? e.stack : e}`),
  );
}

function fail(message) {
  console.error(message);
  for (const c of clients) {
    console.error(`  ${c.label} (home ${c.home}, id ${c.ws.id}): events ${JSON.stringify(c.events.slice(-16))}`);
    console.error(`  ${c.label} received ${JSON.stringify(c.messages.map(show).slice(-40)).slice(0, 3000)}`);
  }
  process.exit(1);
}

function show(m) {
  return typeof m === "string" ? m : `<binary ${new Uint8Array(m).length} bytes>`;
}

/** A random suffix so every run uses fresh rooms. */
export function unique(prefix) {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
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

/** Polls `condition` every 10 ms; rejects naming `what` (a string or a function giving one) after `timeoutMs`. */
export async function until(condition, what, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(`waited ${timeoutMs} ms for ${typeof what === "function" ? what() : what}`);
    }
    await sleep(10);
  }
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Throws `message` unless `condition`. */
export function check(condition, message) {
  if (!condition) {
    throw new Error(typeof message === "function" ? message() : message);
  }
}

/** Whether two arrays hold the same elements, in any order. */
export function sameSet(a, b) {
  return JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
}
