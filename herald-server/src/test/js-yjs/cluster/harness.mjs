// Shared by the Yjs room-cluster scripts (run by the RoomCluster* tests of io.herald.server.cluster, not
// by YjsCompatTest, which runs only the scripts directly in src/test/js-yjs). Every script is
// `node cluster/<script>.mjs n1=127.0.0.1:<port> n2=... [args]`: the Herald nodes by id, in order,
// binding DOC (io.herald.room.builtin.YjsRoom, public). Like src/test/js/cluster/harness.mjs, a script
// prints `STEP <name> <json>` lines its Java test waits for and waits for the signal files the test
// writes into HERALD_SIGNALS; a client's "load balancer" sends it to its home node until the script
// marks that node down, then to the next live one.
import fs from "node:fs";
import path from "node:path";
import WebSocket from "ws";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";

const NODE_ARG = /^([\w.-]+)=([\w.-]+:\d+)$/;

/** host:port of each node by id, in the order given. */
export const nodes = new Map();
for (const a of process.argv.slice(2)) {
  const m = NODE_ARG.exec(a);
  if (m) {
    nodes.set(m[1], m[2]);
  }
}
if (nodes.size === 0) {
  console.error("usage: node cluster/<script>.mjs n1=127.0.0.1:<port> n2=127.0.0.1:<port> ...");
  process.exit(2);
}
export const ids = [...nodes.keys()];

const signals = process.env.HERALD_SIGNALS;
const down = new Set();
const clients = [];

/** From now on clients whose home is node `id` connect to the next node that is not down. */
export function markDown(id) {
  down.add(id);
}

function route(home) {
  const i = ids.indexOf(home);
  for (let k = 0; k < ids.length; k++) {
    const next = ids[(i + k) % ids.length];
    if (!down.has(next)) {
      return next;
    }
  }
  throw new Error("every node is down");
}

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
      clients.forEach((c) => c.provider.destroy());
      console.log(`${name}: ok`);
      process.exit(0);
    },
    (e) => fail(`${name}: ${e && e.stack ? e.stack : e}`),
  );
}

function fail(message) {
  console.error(message);
  for (const c of clients) {
    console.error(`  ${c.label} (home ${c.home}): events ${JSON.stringify(c.events.slice(-16))}, holds ${summary(c.doc)}`);
  }
  process.exit(1);
}

export function unique(prefix) {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * A Y.Doc synced with room `room` of party `doc` through y-websocket, whose home is node `home`: no
 * BroadcastChannel (documents in this process meet only through the servers), short backoff. Each
 * connection attempt is recorded with the node it went to and its 101's x-herald-node.
 */
export function connect(label, home, room) {
  const c = { label, home, doc: new Y.Doc(), events: [], closes: [], attempts: [] };
  class RoutedWebSocket extends WebSocket {
    constructor(url, protocols) {
      const target = route(home);
      const u = new URL(url);
      u.host = nodes.get(target);
      super(u.toString(), protocols);
      const attempt = { target, header: undefined };
      c.attempts.push(attempt);
      this.on("upgrade", (res) => {
        attempt.header = res.headers["x-herald-node"];
      });
    }
  }
  c.provider = new WebsocketProvider(`ws://${nodes.get(home)}/parties/doc`, room, c.doc, {
    WebSocketPolyfill: RoutedWebSocket,
    disableBc: true,
    maxBackoffTime: 250,
  });
  c.provider.on("status", (e) => c.events.push(`${e.status}@${c.attempts.at(-1)?.target}`));
  c.provider.on("sync", (s) => c.events.push(`sync:${s}`));
  c.provider.on("connection-close", (e) => {
    c.events.push(`close:${e ? e.code : "local"}`);
    c.closes.push(e ? e.code : "local");
  });
  clients.push(c);
  return c;
}

/** How many map keys of each client a document holds, and its text's length: a failure's short view. */
export function summary(doc) {
  const by = {};
  for (const k of doc.getMap("map").keys()) {
    const who = k.split(":")[0];
    by[who] = (by[who] ?? 0) + 1;
  }
  return JSON.stringify({ keys: by, textLength: doc.getText("text").length });
}

/** The document as a string: Y.Text "text" and Y.Map "map", object keys sorted. */
export function content(doc) {
  return JSON.stringify({ text: doc.getText("text").toString(), map: doc.getMap("map").toJSON() }, sorted);
}

function sorted(_key, value) {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, value[k]]));
  }
  return value;
}

export async function synced(c, timeoutMs = 15000) {
  await until(() => c.provider.synced, `${c.label}: synced`, timeoutMs);
}

/** Resolves once every client's document has the same content and state vector. */
export async function converged(cs, what = "convergence", timeoutMs = 20000) {
  const same = () =>
    cs.every((c) => content(c.doc) === content(cs[0].doc)) &&
    cs.every((c) => Buffer.from(Y.encodeStateVector(c.doc)).equals(Buffer.from(Y.encodeStateVector(cs[0].doc))));
  await until(same, () => `${what} of ${cs.map((c) => c.label).join(", ")}: ${cs.map((c) => summary(c.doc)).join(" | ")}`, timeoutMs);
  return content(cs[0].doc);
}

export async function until(condition, what, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`waited ${timeoutMs} ms for ${typeof what === "function" ? what() : what}`);
    }
    await sleep(10);
  }
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function check(condition, message) {
  if (!condition) {
    throw new Error(typeof message === "function" ? message() : message);
  }
}
