// Awareness through the room: every client sees the others' states; a client that disconnects
// (and says so) disappears for the others, and so does one whose socket just drops without a word:
// the server broadcasts its removal.
import { awarenessIds, check, connect, run, synced, unique, until } from "./harness.mjs";

run("awareness", async () => {
  const room = unique("awareness");
  const cs = ["A", "B", "C", "D"].map((label) => connect(label, room));
  await Promise.all(cs.map(synced));
  // a first state has clock 0, which y-protocols peers ignore; naming the user sets clock 1
  cs.forEach((c) => c.provider.awareness.setLocalStateField("user", { name: c.label }));
  const ids = cs.map((c) => c.doc.clientID).sort((x, y) => x - y);
  for (const c of cs) {
    await until(() => awarenessIds(c).join() === ids.join(), () => `${c.label} sees ${awarenessIds(c)}, want ${ids}`);
  }
  const [a, b, c, d] = cs;
  check(a.provider.awareness.getStates().get(b.doc.clientID).user.name === "B", "A does not see B's name");

  // C leaves politely: y-websocket sends its own null state, then closes
  c.provider.disconnect();
  const withoutC = ids.filter((id) => id !== c.doc.clientID);
  for (const x of [a, b, d]) {
    await until(() => awarenessIds(x).join() === withoutC.join(), () => `${x.label}: C gone, sees ${awarenessIds(x)}`);
  }

  // D's socket drops without a close frame: only the server can tell the others
  d.provider.shouldConnect = false;
  d.provider.ws.terminate();
  const withoutD = withoutC.filter((id) => id !== d.doc.clientID);
  for (const x of [a, b]) {
    await until(() => awarenessIds(x).join() === withoutD.join(), () => `${x.label}: D gone, sees ${awarenessIds(x)}`);
  }

  // a state change still travels between the two left
  a.provider.awareness.setLocalStateField("cursor", 42);
  await until(() => b.provider.awareness.getStates().get(a.doc.clientID)?.cursor === 42, "B: A's cursor");
});
