// onRequest through partysocket's own PartySocket.fetch (the http URL it builds for a room, no _pk):
// a POST with a body reaches the room that a socket is in (the socket hears about it), a GET sees the
// stored body, the query and the props the party's onBeforeConnect attached; a room without
// onRequest answers 404, onBeforeConnect and the access gate refuse as they refuse upgrades.
import PartySocket from "partysocket";
import { check, connect, host, run, unique } from "./harness.mjs";

run("request", async () => {
  const room = unique("api room");
  const socket = connect("socket", { party: "api", room, id: unique("s") });
  await socket.opened();

  const post = await PartySocket.fetch({ host, party: "api", room, query: { team: "blue" } }, { method: "POST", body: "from fetch" });
  check(post.status === 201, `POST answered ${post.status}: ${await post.text()}`);
  check(post.headers.get("x-room") === room, `the room decoded its id as ${post.headers.get("x-room")}`);
  await socket.received("posted:from fetch");

  const get = await PartySocket.fetch({ host, party: "api", room, query: { team: "blue", n: 1 } });
  check(get.status === 200, `GET answered ${get.status}`);
  const body = await get.json();
  check(body.room === room && body.method === "GET", `GET saw ${JSON.stringify(body)}`);
  check(body.posted === "from fetch" && body.connections === 1, `GET saw another room state: ${JSON.stringify(body)}`);
  check(body.query.n === "1", `query ${JSON.stringify(body.query)}`);
  check(JSON.stringify(body.props) === '{"team":"blue","kind":"http"}', `props ${JSON.stringify(body.props)}`);

  const none = await PartySocket.fetch({ host, party: "lobby", room });
  check(none.status === 404, `a room without onRequest answered ${none.status}`);
  check((await none.json()).error === "not_found", "the 404 is Herald's JSON error");

  const closed = await PartySocket.fetch({ host, party: "api", room: "closed" }, { method: "POST", body: "x" });
  check(closed.status === 423, `onBeforeConnect's refusal came back as ${closed.status}`);
  const anonymous = await PartySocket.fetch({ host, party: "presence", room });
  check(anonymous.status === 401, `an authenticated party answered an anonymous request with ${anonymous.status}`);
});
