// Two live sockets with the same `_pk` (a reconnect that overlaps its old socket, or two tabs given
// the same id). Herald follows the spec's recommendation (partyserver-protocol.md §5.4): both stay
// in the room, both are listed in presence, both get broadcasts; when one leaves, the other stays.
// Exclusion is by id, as in PartyServer: RelayRoom's broadcast(message, sender.id) skips both twins.
import { check, connect, run, tokens, unique } from "./harness.mjs";

run("duplicate-id", async () => {
  const room = unique("twins");
  const query = { token: tokens.alice };
  const twin = unique("twin");
  const first = connect("first", { party: "presence", room, id: twin, query });
  await first.presenceIs([twin], "first alone");
  const second = connect("second", { party: "presence", room, id: twin, query });
  const other = connect("other", { party: "presence", room, id: unique("other"), query: { token: tokens.bob } });
  await other.presenceIs([twin, twin, other.ws.id], "both twins and the other listed");

  other.send("to both");
  await first.received("to both");
  await second.received("to both");

  first.send("from first");
  await other.received("from first");
  other.send("marker");
  await first.received("marker");
  await second.received("marker");
  check(!first.messages.includes("from first"), "a twin's message came back to it");
  check(!second.messages.includes("from first"), "excluding an id did not exclude its twin");

  first.close();
  await other.presenceIs([twin, other.ws.id], "one twin left, one stays");
  other.send("after");
  await second.received("after");
});
