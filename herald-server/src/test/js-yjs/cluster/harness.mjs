// Shared by the Yjs room-cluster scripts (run by the RoomCluster* tests of io.herald.server.cluster, not
// by YjsCompatTest, which runs only the scripts directly in src/test/js-yjs). Every script is
// `node cluster/<script>.mjs n1=127.0.0.1:<port> n2=... [args]`: the Herald nodes by id, in order,
// binding DOC (io.herald.room.builtin.YjsRoom, public). The steps, signals and the "load balancer"
// are src/test/js-shared/cluster.mjs, as for the partysocket scripts; this file adds y-websocket clients.
import WebSocket from "ws";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import * as shared from "../../js-shared/cluster.mjs";
import { nodes, route, until } from "../../js-shared/cluster.mjs";

export { check, ids, markDown, nodes, signal, sleep, step, unique, until } from "../../js-shared/cluster.mjs";

const clients = [];

export function run(name, body, timeoutMs = 60000) {
  shared.run(name, body, timeoutMs, () => clients.forEach((c) => c.provider.destroy()), () => {
    for (const c of clients) {
      console.error(`  ${c.label} (home ${c.home}): events ${JSON.stringify(c.events.slice(-16))}, holds ${summary(c.doc)}`);
    }
  });
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
