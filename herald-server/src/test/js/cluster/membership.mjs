// One room, three nodes: partysocket clients joining through three different nodes are in one room.
// PresenceRoom: every client sees the same presence list with all three and every message of the
// others, and a client leaving through its node drops out of the others' lists. OwnerProbeRoom: onConnect
// ran once per socket, on one node (the owner), every socket's 101 names the node it connected to
// (x-herald-node), connections() lists the sockets of every node, a GET through any node is answered
// by the room on its owner, and a socket closed on a non-owner node reaches onClose on the owner.
// Prints STEP owner {"node","room","connections"} for the Java test.
import { check, connect, describe, ids, run, sameSet, unique, until } from "./harness.mjs";

run("membership", async () => {
  check(ids.length === 3, `three nodes, got ${ids}`);

  // --- PresenceRoom: one presence list, one relay
  const room = unique("members");
  const pk = Object.fromEntries(ids.map((n) => [n, unique(`p-${n}`)]));
  const first = connect(`presence@${ids[0]}`, ids[0], { party: "presence", room, id: pk[ids[0]] });
  await first.presenceIs([pk[ids[0]]], "alone in the room");
  const ps = [first, ...ids.slice(1).map((n) => connect(`presence@${n}`, n, { party: "presence", room, id: pk[n] }))];
  for (const p of ps) {
    await p.presenceIs(Object.values(pk), "one list of the three clients of three nodes");
  }
  for (const p of ps) {
    check(p.landed.length === 1 && p.landed[0].header === p.home,
      () => `${p.label} landed ${JSON.stringify(p.landed)}: its 101 must name the node it connected to, ${p.home}`);
  }
  ps.forEach((p) => p.send(`hello from ${p.home}`));
  for (const p of ps) {
    for (const other of ps.filter((o) => o !== p)) {
      await p.received(`hello from ${other.home}`);
    }
  }
  // the socket of the last node leaves; the two others see it go
  ps[2].close();
  for (const p of ps.slice(0, 2)) {
    await p.presenceIs([pk[ids[0]], pk[ids[1]]], `${ids[2]}'s client left`);
  }

  // --- OwnerProbeRoom: where the room's code runs
  const probe = unique("probe");
  const xs = [connect(`probe@${ids[0]}`, ids[0], { party: "probe", room: probe, id: unique(`x-${ids[0]}`) })];
  const firstHello = await xs[0].hello();
  xs.push(...ids.slice(1).map((n) => connect(`probe@${n}`, n, { party: "probe", room: probe, id: unique(`x-${n}`) })));
  const hellos = [firstHello];
  for (const x of xs.slice(1)) {
    hellos.push(await x.hello());
  }
  const owner = firstHello.node;
  check(ids.includes(owner), `the hello names node ${owner}, not one of ${ids}`);
  for (const [i, h] of hellos.entries()) {
    check(h.node === owner && h.instance === firstHello.instance,
      () => `hello of ${xs[i].label} came from ${h.node}/${h.instance}, the first from ${owner}/${firstHello.instance}: one room instance must run, on its owner`);
    check(h.id === xs[i].ws.id, `hello of ${xs[i].label} names connection ${h.id}, want ${xs[i].ws.id}`);
    check(xs[i].landed[0].header === xs[i].home,
      () => `${xs[i].label}'s 101 had x-herald-node ${xs[i].landed[0].header}, want ${xs[i].home} (the node it connected to, not the owner)`);
  }
  // the hello of the socket that joined last lists every socket: connections() spans the nodes
  const last = hellos.reduce((a, b) => (b.connections.length > a.connections.length ? b : a));
  check(sameSet(last.connections, xs.map((x) => x.ws.id)),
    () => `the last joiner's hello lists ${JSON.stringify(last.connections)}, want all three sockets`);

  const all = xs.map((x) => x.ws.id);
  const who = await xs[1].who();
  check(who.node === owner, `who answered by ${who.node}, want the owner ${owner}`);
  check(sameSet(who.connections, all), () => `connections() is ${JSON.stringify(who.connections)}, want ${JSON.stringify(all)}`);
  const connects = who.log.filter((e) => e.startsWith("connect "));
  check(sameSet(connects, all.map((id) => `connect ${id}`)),
    () => `onConnect ran ${JSON.stringify(connects)} on the owner, want once per socket: ${JSON.stringify(all)}`);
  // a plain request through any node is answered by the same instance, on the owner
  for (const n of ids) {
    const d = await describe(n, probe);
    check(d.node === owner && d.instance === firstHello.instance,
      () => `GET through ${n} answered by ${d.node}/${d.instance}, the room runs on ${owner}/${firstHello.instance}`);
    check(sameSet(d.connections, all), () => `GET through ${n} lists ${JSON.stringify(d.connections)}`);
  }
  // no second instance: every socket got one hello only, from the owner
  await until(() => xs.every((x) => x.typed("hello").length === 1), "one hello each");

  // a socket on a non-owner node closes: onClose runs on the owner, connections() shrinks
  const leaving = xs.find((x) => x.home !== owner);
  const staying = xs.filter((x) => x !== leaving);
  const leavingId = leaving.ws.id;
  leaving.close();
  for (const x of staying) {
    await until(() => x.typed("left").some((m) => m.id === leavingId), `${x.label}: ${leaving.label} left`);
    const left = x.typed("left").find((m) => m.id === leavingId);
    check(left.node === owner, `the left message came from ${left.node}, want the owner ${owner}`);
  }
  const after = await staying[0].who();
  check(sameSet(after.connections, staying.map((x) => x.ws.id)),
    () => `after ${leaving.label} closed, connections() is ${JSON.stringify(after.connections)}`);
  check(after.log.some((e) => e.startsWith(`close ${leavingId} `)), () => `the owner's log has no close of ${leavingId}: ${after.log}`);
  check(xs.every((x) => x.typed("hello").length === 1), "a socket got a second hello");

  console.log(`STEP owner ${JSON.stringify({ node: owner, room: probe, connections: after.connections })}`);
});
