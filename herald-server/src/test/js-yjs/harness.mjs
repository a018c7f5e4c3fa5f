// Shared by the Yjs compatibility scripts: the host argument, a time bound, Y.Doc clients on the real
// y-websocket provider (with `ws` as Node's WebSocket), and polling waits. Every script is
// `node <script>.mjs 127.0.0.1:<port> [args]`, exits 0 when every check held and 1 with a message
// otherwise. YjsCompatTest runs them against a server with these bindings, both authenticated:
// YJS (io.herald.room.builtin.YjsRoom, party "yjs") and YJS_ECHO (a YjsRoom whose onCustomMessage
// echoes, party "yjs-echo"); rooms.yjs.maxUpdateBytes 16 KiB; single-use tickets. The session JWT
// of user alice comes in HERALD_TOKEN.
import WebSocket from "ws";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";

export const host = process.argv[2];
if (!host || !/^[\w.-]+:\d+$/.test(host)) {
  console.error("usage: node <script>.mjs <host>:<port> [args]   (for example 127.0.0.1:8080)");
  process.exit(2);
}

/** The session JWT minted by the Java test. */
export const token = process.env.HERALD_TOKEN;
if (!token) {
  console.error("HERALD_TOKEN is not set: run the scripts through YjsCompatTest, or export a session JWT");
  process.exit(2);
}

/** rooms.yjs.maxUpdateBytes of the test server. */
export const MAX_UPDATE_BYTES = 16 * 1024;

const clients = [];

/** Runs `body`, exits 0 when it resolves, 1 when it throws or runs past `timeoutMs`. */
export function run(name, body, timeoutMs = 20000) {
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
    console.error(`  ${c.label}: events ${JSON.stringify(c.events.slice(-12))}, content ${content(c.doc)}`);
  }
  process.exit(1);
}

/** A random suffix so every run uses fresh rooms. */
export function unique(prefix) {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * A Y.Doc synced with the room `room` of `party` through y-websocket's WebsocketProvider:
 * serverUrl ws://<host>/parties/<party>, the JWT as ?token=, no BroadcastChannel (so that documents
 * in this one process can only meet through the server), short reconnect backoff.
 */
export function connect(label, room, { party = "yjs", ...options } = {}) {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(`ws://${host}/parties/${party}`, room, doc, {
    WebSocketPolyfill: WebSocket,
    params: { token },
    disableBc: true,
    maxBackoffTime: 500,
    ...options,
  });
  return track(label, doc, provider);
}

/** Records what a provider (y-websocket's or y-partyserver's) reports: status, sync, closes. */
export function track(label, doc, provider) {
  const c = { label, doc, provider, events: [], closes: [], customMessages: [] };
  provider.on("status", (e) => c.events.push(e.status));
  provider.on("sync", (s) => c.events.push(`sync:${s}`));
  provider.on("connection-close", (e) => {
    c.events.push(`close:${e ? e.code : "local"}`);
    if (e) {
      c.closes.push(e.code);
    }
  });
  provider.on("custom-message", (m) => c.customMessages.push(m));
  clients.push(c);
  return c;
}

/** The document as a string: Y.Text "text" and Y.Map "map", object keys sorted (map order is per replica). */
export function content(doc) {
  return JSON.stringify({ text: doc.getText("text").toString(), map: doc.getMap("map").toJSON() }, sorted);
}

function sorted(_key, value) {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, value[k]]));
  }
  return value;
}

/** Resolves once the provider has received a sync step 2 since it last connected. */
export async function synced(c) {
  await until(() => c.provider.synced, `${c.label}: synced`);
}

/** Resolves once every client's document has the same content and state vector. */
export async function converged(cs, what = "convergence") {
  const same = () =>
    cs.every((c) => content(c.doc) === content(cs[0].doc)) &&
    cs.every((c) => Buffer.from(Y.encodeStateVector(c.doc)).equals(Buffer.from(Y.encodeStateVector(cs[0].doc))));
  await until(same, () => `${what} of ${cs.map((c) => c.label).join(", ")}: ${cs.map((c) => content(c.doc)).join(" | ")}`);
  return content(cs[0].doc);
}

/** The clientIDs whose awareness states `c` holds (its own included). */
export function awarenessIds(c) {
  return [...c.provider.awareness.getStates().keys()].sort((a, b) => a - b);
}

/** Polls `condition` every 10 ms; rejects naming `what` after `timeoutMs`. */
export async function until(condition, what, timeoutMs = 8000) {
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

/** Throws `message` unless `condition`. */
export function check(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}
