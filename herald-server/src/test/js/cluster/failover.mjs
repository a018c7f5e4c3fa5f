// The owner of a room is SIGKILLed while partysocket clients on all three nodes type into it (OwnerProbeRoom
// puts, each acked once stored). Prints STEP typing {"owner","room"} once every client had puts acked,
// then waits for the test's signal `killed` (the killed node's id). After it:
// - the client of the killed node reconnects (partysocket; its load balancer now sends it to the next
//   live node) into the same room, hosted by a new owner that is not the killed node;
// - the clients of the surviving nodes never see their socket close: their node re-joins them to the
//   new owner, which runs onConnect for them (a second hello over the same socket) and lists them;
// - the new owner found in storage at least every put acked before the signal, and a GET through
//   every survivor lists every key acked at all;
// - puts and their relays flow again between all three clients.
// Prints STEP done {"room","owner","acked":[keys]} for the test to check storage behind Herald's back.
import { check, connect, describe, ids, markDown, run, sameSet, signal, step, unique, until } from "./harness.mjs";

const TYPE_EVERY_MS = 30;
const ACKED_BEFORE = 10;

run("failover", async () => {
  check(ids.length === 3, `three nodes, got ${ids}`);
  const room = unique("failover");
  const cs = [connect(`c@${ids[0]}`, ids[0], { party: "probe", room, id: unique(`c-${ids[0]}`) })];
  const owner = (await cs[0].hello()).node;
  cs.push(...ids.slice(1).map((n) => connect(`c@${n}`, n, { party: "probe", room, id: unique(`c-${n}`) })));
  for (const c of cs) {
    check((await c.hello()).node === owner, `${c.label}'s hello is not from the owner ${owner}`);
  }

  // every client types: a put every 30 ms, numbered per client
  const acked = (c) => c.texts().filter((m) => m.startsWith("acked ")).map((m) => m.slice(6));
  let typing = true;
  const typists = cs.map((c) => {
    let n = 0;
    // only while open: partysocket would queue the puts of a dead socket and send them all at once on its
    // reconnect, past the per-socket rate limit
    return setInterval(() => typing && c.ws.readyState === 1 && c.send(`put:${c.label}-${String(n++).padStart(5, "0")}`),
      TYPE_EVERY_MS);
  });
  await until(() => cs.every((c) => acked(c).length >= ACKED_BEFORE), "puts acked by every client", 20000);
  step("typing", { owner, room });

  const killed = (await signal("killed")).trim();
  check(killed === owner, `the test killed ${killed}, the owner is ${owner}`);
  markDown(killed);
  const ackedAtSignal = cs.flatMap(acked);
  const movers = cs.filter((c) => c.home === killed);
  const stayers = cs.filter((c) => c.home !== killed);

  // the clients of the killed node are back, on a survivor, in the room of its new owner
  for (const c of movers) {
    await c.opened(2, 40000);
    const again = c.landed[1];
    check(again.target !== killed && again.header === again.target,
      () => `${c.label} reopened on ${JSON.stringify(again)}: want a survivor, named by its 101`);
  }
  const newOwner = (await movers[0].hello(2, 40000)).node;
  check(newOwner !== killed && ids.includes(newOwner), `the room's new owner is ${newOwner}`);

  // the clients of the survivors kept their socket; the new owner ran onConnect for each
  for (const c of stayers) {
    const h = await c.hello(2, 40000);
    check(h.node === newOwner, `${c.label}'s second hello came from ${h.node}, the new owner is ${newOwner}`);
    check(h.id === c.ws.id, `${c.label}'s second hello names ${h.id}`);
  }
  const who = await stayers[0].who();
  check(who.node === newOwner, `who answered by ${who.node}, want ${newOwner}`);
  check(sameSet(who.connections, cs.map((c) => c.ws.id)),
    () => `the new owner lists ${JSON.stringify(who.connections)}, want ${JSON.stringify(cs.map((c) => c.ws.id))}`);
  const start = who.log[0].split(" ");
  check(start[0] === "start" && start[1] === newOwner, `the new owner's log starts with ${who.log[0]}`);
  check(Number(start[2]) >= new Set(ackedAtSignal).size,
    () => `the new owner loaded ${start[2]} keys, but ${new Set(ackedAtSignal).size} puts were acked before the kill`);

  // messages flow again among all three
  for (const c of cs) {
    c.send(`put:after-${c.label}`);
  }
  for (const c of cs) {
    await c.received(`acked after-${c.label}`, 15000);
    for (const other of cs.filter((o) => o !== c)) {
      await c.received(`saw after-${other.label}`, 15000);
    }
  }
  typing = false;
  typists.forEach(clearInterval);

  const all = [...new Set(cs.flatMap(acked))].sort();
  for (const n of ids.filter((n) => n !== killed)) {
    const d = await describe(n, room, "?prefix=k/");
    check(d.node === newOwner, `GET through ${n} answered by ${d.node}`);
    const stored = new Set(d.keys);
    const missing = all.filter((k) => !stored.has(`k/${k}`));
    check(missing.length === 0, () => `acked but not in storage (GET through ${n}): ${missing.slice(0, 20)} of ${missing.length}`);
  }
  for (const c of stayers) {
    check(c.opens === 1 && c.dropped.length === 0,
      () => `${c.label} on surviving node ${c.home} saw its socket close: ${JSON.stringify(c.events)}`);
  }
  step("done", { room, owner: newOwner, acked: all, ackedAtSignal: ackedAtSignal.length });
}, 120000);
