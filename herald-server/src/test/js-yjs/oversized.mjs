// An update over rooms.yjs.maxUpdateBytes is refused: the client that sent it gets the
// permission-denied message and close 1009 (here its shouldReconnect gives up on 1009; by default
// y-websocket would reconnect and be refused again), while the others' document stays intact and
// later edits still sync, to them and to a client that joins afterwards.
import { MAX_UPDATE_BYTES, check, connect, content, converged, run, synced, unique, until } from "./harness.mjs";

run("oversized", async () => {
  const denied = [];
  const warn = console.warn;
  console.warn = (...args) => {
    const line = args.join(" ");
    if (line.startsWith("Permission denied")) {
      denied.push(line);
    } else {
      warn(...args);
    }
  };

  const room = unique("oversized");
  const big = connect("big", room, { shouldReconnect: (e) => e.code !== 1009 });
  const other = connect("other", room);
  await Promise.all([synced(big), synced(other)]);
  big.doc.getText("text").insert(0, "before. ");
  big.doc.getMap("map").set("k", 1);
  const before = await converged([big, other], "the small edit");

  big.doc.getText("text").insert(8, "x".repeat(MAX_UPDATE_BYTES + 1024));
  await until(() => big.closes.length > 0, "big: closed by the server");
  check(big.closes[0] === 1009, `closed with ${big.closes[0]}, want 1009`);
  check(denied.length === 1 && denied[0].endsWith("\nupdate too large"), `permission denied messages: ${JSON.stringify(denied)}`);
  check(!big.provider.shouldConnect, "big would reconnect");
  check(content(other.doc) === before, `the other document changed: ${content(other.doc)}`);

  other.doc.getText("text").insert(0, "after. ");
  const late = connect("late", room);
  await synced(late);
  const doc = await converged([other, late], "edits after the refusal");
  check(JSON.parse(doc).text === "after. before. ", `document after the refusal: ${doc}`);
});
