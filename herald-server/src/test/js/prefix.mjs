// URL forms partysocket builds: the default prefix (/parties/<party>/<room>), `prefix: "realtime"`,
// the same prefix written with a leading slash (the URL then has "//realtime", which PartyServer's
// router accepts), extra `path` segments after the room and a full `basePath` all reach the same
// room. A party is its binding name in kebab-case, matched exactly: anything else is refused (404).
import { check, connect, run, unique, upgradeStatus } from "./harness.mjs";

run("prefix", async () => {
  const room = unique("prefix");
  const realtime = connect("realtime", { prefix: "realtime", party: "lobby", room, id: "via-realtime" });
  const parties = connect("parties", { party: "lobby", room, id: "via-parties" });
  const slashed = connect("slashed", { prefix: "/realtime", party: "lobby", room, id: "via-slashed" });
  const withPath = connect("path", { prefix: "realtime", party: "lobby", room, path: "extra/segments", id: "via-path" });
  const basePath = connect("basePath", { basePath: `realtime/lobby/${room}`, id: "via-base-path" });
  const all = [realtime, parties, slashed, withPath, basePath];
  await Promise.all(all.map((c) => c.opened()));

  const urls = all.map((c) => c.ws.url.replace(/^ws:\/\/[^/]+/, ""));
  const want = [
    `/realtime/lobby/${room}?_pk=via-realtime`,
    `/parties/lobby/${room}?_pk=via-parties`,
    `//realtime/lobby/${room}?_pk=via-slashed`,
    `/realtime/lobby/${room}/extra/segments?_pk=via-path`,
    `/realtime/lobby/${room}?_pk=via-base-path`,
  ];
  check(JSON.stringify(urls) === JSON.stringify(want), `partysocket built ${JSON.stringify(urls)}`);

  for (const sender of all) {
    const text = `from ${sender.label}`;
    sender.send(text);
    for (const other of all.filter((c) => c !== sender)) {
      await other.received(text);
    }
  }

  for (const path of [`/realtime/nope/${room}`, `/parties/Lobby/${room}`, `/parties/LOBBY/${room}`, "/parties/lobby"]) {
    const status = await upgradeStatus(path);
    check(status === 404, `${path} got ${status}, want 404`);
  }
});
