// Real y-websocket clients on three nodes edit one YjsRoom document while its owner is SIGKILLed.
// Each client keeps editing (a Y.Text token and a Y.Map key per edit, nothing deleted). Prints STEP
// editing {"room"} once every client's edits reached the others, then waits for the test's signal
// `killed` (the killed node's id). After it, the client of the killed node reconnects through a
// survivor and resyncs, the clients of the survivors keep their socket open, everyone edits some
// more, and then all three converge to identical documents holding every edit any of them made; a
// fresh client through a survivor gets that same document from the room's new owner.
import { check, connect, content, converged, ids, markDown, run, signal, step, synced, unique, until } from "./harness.mjs";

const EDIT_EVERY_MS = 25;
const EDITS_AFTER = 20;

run("yjs failover", async () => {
  check(ids.length === 3, `three nodes, got ${ids}`);
  const room = unique("doc");
  const first = connect(`A@${ids[0]}`, ids[0], room);
  await synced(first);
  const cs = [first, ...ids.slice(1).map((n, i) => connect(`${"BC"[i]}@${n}`, n, room))];
  await Promise.all(cs.map((c) => synced(c)));

  const made = new Map(cs.map((c) => [c, 0]));
  const edit = (c) => {
    const i = made.get(c);
    const text = c.doc.getText("text");
    // at a boundary between tokens, so no edit splits another's token and each can be found whole
    const s = text.toString();
    let at = s.length === 0 ? 0 : (i * 7919) % (s.length + 1);
    while (at > 0 && at < s.length && s[at - 1] !== "]") {
      at--;
    }
    text.insert(at, `[${c.label}:${i}]`);
    c.doc.getMap("map").set(`${c.label}:${i}`, i);
    made.set(c, i + 1);
  };
  const editors = cs.map((c) => setInterval(() => edit(c), EDIT_EVERY_MS));
  // the edits go through the owner: every client has seen another's
  await until(() => cs.every((c) => cs.some((o) => o !== c && c.doc.getMap("map").has(`${o.label}:5`))),
    "edits relayed between the nodes", 20000);
  step("editing", { room });

  const killed = (await signal("killed")).trim();
  markDown(killed);
  const movers = cs.filter((c) => c.home === killed);
  const stayers = cs.filter((c) => c.home !== killed);
  const madeAtKill = new Map(made);
  for (const c of movers) {
    await until(() => c.closes.length > 0, `${c.label}: its node's death`, 20000);
    await until(() => c.attempts.at(-1).target !== killed && c.provider.wsconnected, `${c.label}: reconnected to a survivor`, 40000);
    await synced(c, 40000);
    const a = c.attempts.at(-1);
    check(a.header === a.target, `${c.label}'s new socket's 101 names ${a.header}, it connected to ${a.target}`);
  }
  // everyone edits on after the failover, then stops
  await until(() => cs.every((c) => made.get(c) >= madeAtKill.get(c) + EDITS_AFTER), "edits after the failover", 30000);
  editors.forEach(clearInterval);

  // on failure, say which edits each client lacks, against what each had made when the owner died
  const lacking = () => cs.map((c) => {
    const map = c.doc.getMap("map");
    const gaps = cs.map((o) => {
      let i = 0;
      while (i < made.get(o) && map.has(`${o.label}:${i}`)) {
        i++;
      }
      return i < made.get(o) ? `${o.label} from #${i} (of ${made.get(o)}, ${madeAtKill.get(o)} made before the kill)` : null;
    }).filter((g) => g);
    return `${c.label} lacks ${gaps.length ? gaps.join(", ") : "nothing"}`;
  }).join("; ");
  const doc = await converged(cs, "convergence after the failover", 40000).catch((e) => {
    throw new Error(`${e.message}\n${lacking()}`);
  });
  const map = JSON.parse(doc).map;
  const text = JSON.parse(doc).text;
  for (const c of cs) {
    const n = made.get(c);
    const lostKeys = [];
    const lostTokens = [];
    for (let i = 0; i < n; i++) {
      if (map[`${c.label}:${i}`] !== i) {
        lostKeys.push(i);
      }
      if (!text.includes(`[${c.label}:${i}]`)) {
        lostTokens.push(i);
      }
    }
    check(lostKeys.length === 0 && lostTokens.length === 0,
      () => `${c.label} made ${n} edits; lost map keys ${lostKeys.slice(0, 20)} and text tokens ${lostTokens.slice(0, 20)}`);
  }
  for (const c of stayers) {
    check(c.closes.length === 0, () => `${c.label} on surviving node ${c.home} saw its socket close: ${JSON.stringify(c.events)}`);
  }

  const fresh = connect("fresh", ids.find((n) => n !== killed), room);
  await synced(fresh, 20000);
  await converged([...cs, fresh], "a fresh client after the failover");
  check(content(fresh.doc) === doc, "the fresh client's document differs");
  step("done", { room, edits: Object.fromEntries(cs.map((c) => [c.label, made.get(c)])) });
}, 150000);
