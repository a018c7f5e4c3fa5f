// y-partyserver's YProvider against /parties/yjs-echo/<room> (and its `prefix` form,
// /realtime/yjs-echo/<room>), authenticated with a fresh single-use ws_ticket per connection through
// its async `params`: documents sync and converge, also with a y-websocket client in the same room;
// awareness travels; `__YPS:` custom messages reach the room's onCustomMessage (YjsEchoRoom answers
// "echo:<message>" to the sender and relays the message to the others; custom messages are text
// frames, which y-websocket cannot read, so that client leaves first); a dropped socket reconnects
// with a new ticket and syncs again.
import WebSocket from "ws";
import YProvider from "y-partyserver/provider";
import * as Y from "yjs";
import { check, connect, converged, host, run, synced, token, track, unique, until } from "./harness.mjs";

let tickets = 0;

async function ticket() {
  const res = await fetch(`http://${host}/broadcast/v1/ws-ticket`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}` },
  });
  if (!res.ok) {
    throw new Error(`ticket: ${res.status} ${await res.text()}`);
  }
  tickets++;
  return (await res.json()).wsTicket;
}

function partyClient(label, room, options = {}) {
  const doc = new Y.Doc();
  const provider = new YProvider(host, room, doc, {
    party: "yjs-echo",
    WebSocketPolyfill: WebSocket,
    params: async () => ({ ws_ticket: await ticket() }),
    ...options,
  });
  return track(label, doc, provider);
}

run("y-partyserver", async () => {
  const room = unique("yps");
  const a = partyClient("A", room);
  const b = partyClient("B", room);
  const p = partyClient("prefixed", room, { prefix: `/realtime/yjs-echo/${room}` });
  const w = connect("y-websocket", room, { party: "yjs-echo" });
  const cs = [a, b, p, w];
  await Promise.all(cs.map(synced));
  check(a.provider.url.startsWith(`ws://${host}/parties/yjs-echo/${room}?_pk=${a.provider.id}&ws_ticket=`), a.provider.url);
  check(p.provider.url.startsWith(`ws://${host}/realtime/yjs-echo/${room}?_pk=`), p.provider.url);

  await Promise.all(
    cs.map(async (c, i) => {
      for (let n = 0; n < 10; n++) {
        c.doc.getText("text").insert(0, `${c.label}${n} `);
        c.doc.getMap("map").set(`k${i}`, n);
      }
    }),
  );
  await converged(cs);

  a.provider.awareness.setLocalStateField("user", { name: "A" });
  await until(() => b.provider.awareness.getStates().get(a.doc.clientID)?.user?.name === "A", "B: A's awareness");
  await until(() => w.provider.awareness.getStates().get(a.doc.clientID)?.user?.name === "A", "y-websocket: A's awareness");

  // custom messages are text frames, which y-websocket cannot read (it throws): it leaves first
  w.provider.destroy();
  a.provider.sendMessage("hello from A");
  await until(() => a.customMessages.includes("echo:hello from A"), "A: the echo of its custom message");
  await until(() => b.customMessages.includes("hello from A"), "B: A's custom message");
  await until(() => p.customMessages.includes("hello from A"), "prefixed: A's custom message");
  check(!a.customMessages.includes("hello from A"), "the sender got its own message relayed");

  // a dropped socket: the provider reconnects with a fresh ticket (they are single-use) and resyncs
  const before = tickets;
  b.provider.ws.close();
  await until(() => b.events.filter((e) => e === "connected").length >= 2 && b.provider.synced, "B: reconnected and synced");
  check(tickets > before, "B reconnected without fetching a new ticket");
  b.doc.getText("text").insert(0, "after the reconnect ");
  await converged([a, b, p], "after B's reconnect");
});
