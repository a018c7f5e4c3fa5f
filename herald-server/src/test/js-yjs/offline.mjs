// Offline edits arrive: a client that disconnects, edits, and reconnects sends what it did in its
// reply to the server's sync step 1, and so does a client that edited before it ever connected;
// the others get it, and the offline client gets what they did meanwhile.
import { check, connect, content, converged, run, sleep, synced, unique, until } from "./harness.mjs";

run("offline", async () => {
  const room = unique("offline");
  const a = connect("A", room);
  const b = connect("B", room);
  await Promise.all([synced(a), synced(b)]);
  a.doc.getText("text").insert(0, "shared start.");
  await converged([a, b], "initial edit");

  a.provider.disconnect();
  await until(() => !a.provider.wsconnected && a.provider.ws === null, "A: disconnected");
  a.doc.getText("text").insert(0, "A offline. ");
  a.doc.getMap("map").set("offline", "from A");
  b.doc.getText("text").insert(b.doc.getText("text").length, " B online.");
  await sleep(300);
  check(!b.doc.getText("text").toString().includes("A offline"), "A's offline edit reached B while A was disconnected");
  check(!a.doc.getText("text").toString().includes("B online"), "B's edit reached A while A was disconnected");

  a.provider.connect();
  await synced(a);
  const doc = await converged([a, b], "after the reconnect");
  check(doc.includes("A offline. ") && doc.includes(" B online.") && doc.includes('"offline":"from A"'), `edits lost: ${doc}`);

  // edits made before the first connection
  const c = connect("C", room, { connect: false });
  c.doc.getMap("map").set("before-connect", "C");
  c.provider.connect();
  await synced(c);
  const all = await converged([a, b, c], "C's edit made before connecting");
  check(JSON.parse(all).map["before-connect"] === "C", `C's edit is missing: ${content(a.doc)}`);
});
