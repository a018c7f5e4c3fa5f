// PresenceRoom through partysocket: the presence list carries the ids given with partysocket's `id`
// option (its `_pk`), the user id and name from the session JWT and the meta of `presence:set`;
// text messages are relayed and kept, and a late joiner gets them as {"type":"history"} first.
import { check, connect, run, tokens, unique, until } from "./harness.mjs";

run("presence", async () => {
  const room = unique("presence");
  const ids = { a: unique("pa"), b: unique("pb"), c: unique("pc") };
  const a = connect("a", { party: "presence", room, id: ids.a, query: { token: tokens.alice } });
  await a.presenceIs([ids.a], "a alone");
  check(!a.json().some((m) => m.type === "history"), "an empty room sent a history");

  const b = connect("b", { party: "presence", room, id: ids.b, query: { token: tokens.bob } });
  await a.presenceIs([ids.a, ids.b], "a sees b join");
  const joined = await b.presenceIs([ids.a, ids.b], "b sees both");
  const alice = joined.peers.find((p) => p.id === ids.a);
  check(alice.userId === "alice" && alice.name === "Alice" && alice.meta === null,
    `peer a is ${JSON.stringify(alice)}, want userId alice, name Alice, meta null`);
  check(a.ws.id === ids.a && b.ws.id === ids.b, "partysocket changed the ids");

  a.send(JSON.stringify({ type: "presence:set", meta: { color: "red" } }));
  await until(() => b.presence().peers.some((p) => p.id === ids.a && p.meta && p.meta.color === "red"),
    "b: presence with a's meta");

  const chat = JSON.stringify({ type: "chat", text: "hi" });
  a.send("m1");
  a.send(chat);
  await b.received(chat);
  b.send("m3");
  await a.received("m3");
  check(!b.messages.some((m) => typeof m === "string" && m.includes("presence:set")), "presence:set was relayed");

  const c = connect("c", { party: "presence", room, id: ids.c, query: { token: tokens.alice } });
  await c.presenceIs([ids.a, ids.b, ids.c], "c sees everyone");
  const first = JSON.parse(c.messages[0]);
  check(first.type === "history", `the late joiner's first message is ${c.messages[0]}, want the history`);
  check(JSON.stringify(first.messages) === JSON.stringify(["m1", chat, "m3"]),
    `history is ${JSON.stringify(first.messages)}, want m1, the chat JSON as sent, m3 (oldest first)`);
  const seenByC = c.presence().peers.find((p) => p.id === ids.a);
  check(seenByC.meta && seenByC.meta.color === "red", "the late joiner does not see a's meta");

  b.close();
  await a.presenceIs([ids.a, ids.c], "a sees b leave");
  await c.presenceIs([ids.a, ids.c], "c sees b leave");
});
