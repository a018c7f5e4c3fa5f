// Connection tags and gate props through partysocket: the party's onBeforeConnect turns ?team= into
// props, getConnectionTags tags each socket team:<team> (plus ?tags=), the socket is told its tags
// (its id first) and props in onConnect, and getConnections(tag) lists exactly the sockets so tagged.
// A socket whose tags break PartyServer's limit gets the setup-failure frame and 1011.
import { check, connect, run, unique, until } from "./harness.mjs";

run("tags", async () => {
  const room = unique("tags");
  const red1 = connect("red1", { party: "api", room, id: unique("red1"), query: { team: "red" } });
  const red2 = connect("red2", { party: "api", room, id: unique("red2"), query: { team: "red", tags: "lead" } });
  const blue = connect("blue", { party: "api", room, id: unique("blue"), query: { team: "blue" } });
  await Promise.all([red1.opened(), red2.opened(), blue.opened()]);

  await until(() => red2.json().length > 0, "red2: its hello");
  const hello = red2.json()[0];
  check(JSON.stringify(hello.tags) === JSON.stringify([red2.ws.id, "team:red", "lead"]), `tags ${JSON.stringify(hello.tags)}`);
  check(JSON.stringify(hello.props) === '{"team":"red","kind":"socket"}', `props ${JSON.stringify(hello.props)}`);

  blue.send("who:team:red");
  await until(() => blue.json().some((m) => m.tag === "team:red"), "blue: the team:red list");
  const ids = blue.json().find((m) => m.tag === "team:red").ids.sort();
  check(JSON.stringify(ids) === JSON.stringify([red1.ws.id, red2.ws.id].sort()), `team:red is ${JSON.stringify(ids)}`);
  blue.send("who:lead");
  await until(() => blue.json().some((m) => m.tag === "lead"), "blue: the lead list");
  check(JSON.stringify(blue.json().find((m) => m.tag === "lead").ids) === JSON.stringify([red2.ws.id]), "lead lists red2 alone");

  const bad = connect("bad", { party: "api", room, query: { tags: "1,2,3,4,5,6,7,8,9,10" }, maxRetries: 0 });
  await until(() => bad.closeCodes.includes(1011), "bad: closed with 1011");
  check(bad.messages.includes('{"error":"Uncaught exception during session setup"}'), "bad: the setup-failure frame");
});
