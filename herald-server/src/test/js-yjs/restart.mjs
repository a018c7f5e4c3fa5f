// A document survives a server restart. Phase `write <room>`: two clients edit and see each other's
// edits, print WRITTEN, and stay connected until the server goes away (YjsCompatTest restarts it
// then, on the same storage file). Phase `read <room>`: a fresh client on the new server gets the
// whole document in its sync.
import { check, connect, content, converged, run, synced, until } from "./harness.mjs";

const [phase, room] = process.argv.slice(3);
const EXPECTED = JSON.stringify({
  map: { a: 1, b: { nested: ["x", 2, true] } },
  text: "written before the restart, by two clients",
});

if (phase === "write") {
  run("restart (write)", async () => {
    const a = connect("A", room);
    const b = connect("B", room);
    await Promise.all([synced(a), synced(b)]);
    a.doc.getText("text").insert(0, "written before the restart");
    a.doc.getMap("map").set("a", 1);
    await converged([a, b], "A's edit");
    b.doc.getText("text").insert(a.doc.getText("text").length, ", by two clients");
    b.doc.getMap("map").set("b", { nested: ["x", 2, true] });
    check((await converged([a, b], "B's edit")) === EXPECTED, `written ${content(a.doc)}`);
    console.log("WRITTEN");
    await until(() => a.closes.length > 0 && b.closes.length > 0, "the server going away", 30000);
  }, 40000);
} else if (phase === "read") {
  run("restart (read)", async () => {
    const fresh = connect("fresh", room);
    await synced(fresh);
    check(content(fresh.doc) === EXPECTED, `after the restart: ${content(fresh.doc)}, want ${EXPECTED}`);
  });
} else {
  console.error("usage: node restart.mjs <host>:<port> write|read <room>");
  process.exit(2);
}
