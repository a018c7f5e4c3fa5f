// Three y-websocket clients edit the same Y.Text and Y.Map at the same time (inserts at random
// places, deletes, the same map key from everyone, own keys) and converge to identical documents;
// a fourth client that joins afterwards gets that same document from the server. No compression is
// negotiated.
import { check, connect, content, converged, run, sleep, synced, unique } from "./harness.mjs";

const EDITS = 40;

run("converge", async () => {
  const room = unique("converge");
  const cs = ["A", "B", "C"].map((label) => connect(label, room));
  await Promise.all(cs.map(synced));
  // ws offers permessage-deflate; had the server taken it, every update would be deflated before it left
  for (const c of cs) {
    check(c.provider.ws.extensions === "", `${c.label} negotiated "${c.provider.ws.extensions}"`);
  }

  let seed = 7;
  const random = (n) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  await Promise.all(
    cs.map(async (c, who) => {
      const text = c.doc.getText("text");
      const map = c.doc.getMap("map");
      for (let i = 0; i < EDITS; i++) {
        text.insert(random(text.length + 1), `${c.label}${i};`);
        if (i % 5 === 4 && text.length > 4) {
          text.delete(random(text.length - 2), 2);
        }
        map.set("shared", `${c.label}${i}`);
        map.set(`own-${c.label}`, { i, list: [who, i] });
        await sleep(random(4));
      }
    }),
  );

  const doc = await converged(cs);
  const map = JSON.parse(doc).map;
  for (const c of cs) {
    check(map[`own-${c.label}`].i === EDITS - 1, `${c.label}'s last own-key value is missing: ${doc}`);
  }
  check(["A", "B", "C"].some((l) => map.shared === `${l}${EDITS - 1}`), `map.shared is not someone's last write: ${doc}`);

  const late = connect("late", room);
  await synced(late);
  await converged([...cs, late], "late joiner");
  check(content(late.doc) === doc, "the late joiner's document differs");
});
