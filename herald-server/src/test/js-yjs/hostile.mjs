// Bad input from one socket does not reach the y-websocket clients of the room: a raw socket that
// sends an awareness state that is not JSON (which y-protocols would JSON.parse and throw on, an
// uncaught exception in Node) or an undecodable update is closed with 1003, and the real clients
// neither crash nor see anything of it, and keep syncing.
import WebSocket from "ws";
import { check, connect, converged, host, run, sleep, synced, token, unique } from "./harness.mjs";

process.on("uncaughtException", (e) => {
  console.error(`uncaught exception in the clients' process: ${e.stack}`);
  process.exit(1);
});

/** Opens a plain socket to the room, sends `frame`, and resolves with the close code the server sends. */
async function sendRaw(room, frame) {
  const ws = new WebSocket(`ws://${host}/parties/yjs/${room}?token=${encodeURIComponent(token)}`);
  await new Promise((resolve, reject) => {
    ws.on("open", resolve);
    ws.on("error", reject);
  });
  const closed = new Promise((resolve) => ws.on("close", (code) => resolve(code)));
  ws.send(frame);
  return Promise.race([closed, sleep(3000).then(() => "no close within 3 s")]);
}

/** A y-websocket awareness message with one entry. */
function awareness(client, clock, state) {
  const s = Buffer.from(state);
  const body = Buffer.concat([Buffer.from([1, client, clock, s.length]), s]);
  return Buffer.concat([Buffer.from([1, body.length]), body]);
}

run("hostile", async () => {
  const room = unique("hostile");
  const a = connect("A", room);
  const b = connect("B", room);
  await Promise.all([synced(a), synced(b)]);

  for (const [what, frame] of [
    ["an awareness state that is not JSON", awareness(99, 1, '{"name":')],
    ["an undecodable update", Buffer.from([0, 2, 3, 0xff, 0xff, 0xff])],
    ["a truncated frame", Buffer.from([0, 2, 9, 1])],
  ]) {
    const code = await sendRaw(room, frame);
    check(code === 1003, `${what}: closed with ${code}, want 1003`);
  }
  check(!a.provider.awareness.getStates().has(99), "A got the bad awareness state");

  a.doc.getText("text").insert(0, "still syncing");
  b.doc.getMap("map").set("k", "v");
  await converged([a, b], "edits after the bad input");
});
