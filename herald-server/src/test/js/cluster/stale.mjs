// A stale owner: the owner of an OwnerProbeRoom is frozen (SIGSTOP) past its lease, another node takes the
// room, and the old owner is continued (SIGCONT).
// 1. X joins through the first node (which takes the room) with ?beat=1, so the room writes to storage
//    every 100 ms; Y joins through the third node. Prints STEP owned {"owner","room"}.
// 2. On the signal `paused`: X sends put:stale-1 (the frozen node's kernel buffers it), and Z joins
//    through the second node; Z's hello must come from a node other than the frozen owner (it took the
//    lease once it expired). Prints STEP taken {"newOwner"}.
// 3. On the signal `resumed`: the old owner closes X with 1012 (its write was refused: it is fenced
//    out), X never got `acked stale-1`, X reconnects through the old owner's node and is now in the
//    true owner's room, its put is acked there; Y ends in the true owner's room (re-joined, or closed
//    with 1012 and back), and Z never saw its socket close.
// Prints STEP done {...} for the test's storage checks.
import { check, connect, describe, ids, run, sameSet, signal, step, unique, until } from "./harness.mjs";

run("stale owner", async () => {
  check(ids.length === 3, `three nodes, got ${ids}`);
  const room = unique("stale");
  const x = connect(`x@${ids[0]}`, ids[0], { party: "probe", room, id: unique("x"), query: { beat: "1" } });
  const owner = (await x.hello()).node;
  check(owner === ids[0], `the room was taken by ${owner}, not by ${ids[0]}, the node of its first socket`);
  const y = connect(`y@${ids[2]}`, ids[2], { party: "probe", room, id: unique("y") });
  check((await y.hello()).node === owner, "y's hello is not from the owner");
  // the owner's ticker has written: the test compares its writes before the freeze with those after
  await until(async () => (await describe(owner, room, `?prefix=beat/${owner}/`)).keys.length > 0, "the owner's ticker in storage", 15000);
  step("owned", { owner, room });

  await signal("paused");
  x.send("put:stale-1");
  const z = connect(`z@${ids[1]}`, ids[1], { party: "probe", room, id: unique("z") });
  await until(() => z.typed("hello").some((h) => h.node !== owner), "z: a hello from a node other than the frozen owner", 40000);
  const newOwner = z.typed("hello").find((h) => h.node !== owner).node;
  check(z.typed("hello").every((h) => h.node === newOwner), () => `z's hellos: ${JSON.stringify(z.typed("hello"))}`);
  step("taken", { newOwner });

  await signal("resumed");
  await until(() => x.dropped.length > 0, "x: closed by its stale owner", 30000);
  check(x.dropped[0] === 1012, `the stale owner closed x with ${x.dropped[0]}, want 1012 (reconnect)`);
  check(!x.messages.includes("acked stale-1"), "the stale owner acknowledged a put it could not have stored");
  const errors = x.texts().filter((m) => m.startsWith("error "));
  await x.opened(2, 30000);
  const back = await x.hello(2, 30000);
  check(back.node === newOwner, `x is back in the room of ${back.node}, the true owner is ${newOwner}`);
  check(x.landed[1].header === ids[0], `x's new socket's 101 names ${x.landed[1].header}, it connected to ${ids[0]}`);
  x.send("put:fresh-1");
  await x.received("acked fresh-1", 15000);
  await z.received("saw fresh-1", 15000);

  // y's node moves its forwarded socket to the true owner at its next ownership check: wait for it, not a moment
  let who = await z.who();
  for (const until = Date.now() + 30000; !sameSet(who.connections, [x.ws.id, y.ws.id, z.ws.id]) && Date.now() < until;) {
    await new Promise((r) => setTimeout(r, 200));
    who = await z.who();
  }
  check(who.node === newOwner, `who answered by ${who.node}`);
  check(sameSet(who.connections, [x.ws.id, y.ws.id, z.ws.id]), () => `the true owner lists ${JSON.stringify(who.connections)}`);
  await until(() => y.typed("hello").length >= 2, "y: re-joined to the true owner", 30000);
  check(y.typed("hello").at(-1).node === newOwner, () => `y's last hello: ${JSON.stringify(y.typed("hello"))}`);
  // y's node forwarded it to the frozen owner: it is re-joined to the true owner, or told to reconnect
  check(y.dropped.every((code) => code === 1012), () => `y was closed other than with 1012: ${JSON.stringify(y.events)}`);
  // (partysocket may have given up a first attempt whose 101 waited for the lease: that socket never opened)
  check(z.dropped.length === 0, () => `z, which joined the true owner, saw its socket close: ${JSON.stringify(z.events)}`);
  // x rejoined with ?beat=1: the true owner's ticker writes (the test compares with the stale owner's)
  await until(async () => (await describe(newOwner, room, `?prefix=beat/${newOwner}/`)).keys.length > 0,
    "the true owner's ticker in storage", 15000);
  step("done", { room, owner, newOwner, errors, xEvents: x.events });
}, 150000);
