// Credentials through partysocket, which cannot set headers: `query` as a function is evaluated
// again on every (re)connect, so a refused upgrade (401) is retried with what it returns next, and
// a reconnect can carry a fresh JWT (`token`) or a fresh single-use ticket (`ws_ticket`, fetched
// from the ticket endpoint). Access gates answer before the upgrade with the REST statuses.
import { check, connect, host, run, tokens, unique, until, upgradeStatus } from "./harness.mjs";

async function fetchTicket(jwt) {
  const res = await fetch(`http://${host}/broadcast/v1/ws-ticket`, {
    method: "POST",
    headers: { authorization: `Bearer ${jwt}`, "content-type": "application/json" },
    body: "{}",
  });
  check(res.ok, `the ticket endpoint answered ${res.status}`);
  return (await res.json()).wsTicket;
}

run("auth", async () => {
  // 1. token: two refusals, then Alice, then (after reconnect()) Bob, all on one socket id.
  const room = unique("auth");
  const sequence = ["not-a-jwt", tokens.bob.slice(0, -4) + "AAAA", tokens.alice, tokens.bob];
  let calls = 0;
  const s = connect("token", {
    party: "presence", room, id: unique("tok"),
    query: () => ({ token: sequence[Math.min(calls++, sequence.length - 1)] }),
  });
  const me = () => (s.presence()?.peers ?? []).filter((p) => p.id === s.ws.id);
  await until(() => me().some((p) => p.userId === "alice"), "token: in the room as alice");
  check(calls === 3, `query() ran ${calls} times before the socket was in, want 3 (two refused upgrades retried)`);
  check(s.opens === 1 && s.errors >= 2, `want 2+ errors then 1 open, got ${JSON.stringify(s.events)}`);
  s.ws.reconnect();
  await until(() => me().some((p) => p.userId === "bob"), "token: back in the room as bob, same id");
  check(calls === 4, `query() ran ${calls} times, want 4 (once more for the reconnect)`);

  // 2. ws_ticket: an async query fetches a new single-use ticket for every connect.
  let fetched = 0;
  const t = connect("ticket", {
    party: "presence", room: unique("ticket"), id: unique("tkt"),
    query: async () => {
      fetched++;
      return { ws_ticket: await fetchTicket(tokens.alice) };
    },
  });
  await t.opened(1);
  t.ws.reconnect();
  await t.opened(2);
  const peer = (await t.presenceIs([t.ws.id], "ticket: alone in the room after the reconnect")).peers[0];
  check(peer.userId === "alice" && peer.name === "Alice", `the ticket's user is ${JSON.stringify(peer)}`);
  check(fetched === 2, `fetched ${fetched} tickets, want one per connect (2)`);

  // 3. access gates refuse before the upgrade; partysocket just sees failed upgrades and retries.
  const refused = connect("refused", {
    party: "mine", room: "bob", query: { token: tokens.alice }, maxRetries: 2,
  });
  await until(() => refused.errors >= 2, "refused: two failed upgrades");
  check(refused.opens === 0, "alice got into bob's room");
  const own = connect("own", { party: "mine", room: "alice", query: { token: tokens.alice } });
  await own.opened();

  const statuses = {
    anonymous: await upgradeStatus(`/parties/presence/${room}`),
    badToken: await upgradeStatus(`/parties/presence/${room}?token=not-a-jwt`),
    otherUsersRoom: await upgradeStatus(`/parties/mine/bob?token=${tokens.alice}`),
    ownRoom: await upgradeStatus(`/parties/mine/alice?token=${tokens.alice}`),
    publicRoom: await upgradeStatus(`/parties/lobby/${room}`),
  };
  const ticket = await fetchTicket(tokens.alice);
  statuses.ticket = await upgradeStatus(`/parties/presence/${room}?ws_ticket=${encodeURIComponent(ticket)}`);
  statuses.sameTicketAgain = await upgradeStatus(`/parties/presence/${room}?ws_ticket=${encodeURIComponent(ticket)}`);
  const want = {
    anonymous: 401, badToken: 401, otherUsersRoom: 403, ownRoom: 101, publicRoom: 101, ticket: 101, sameTicketAgain: 401,
  };
  check(JSON.stringify(statuses) === JSON.stringify(want), `upgrade statuses ${JSON.stringify(statuses)}, want ${JSON.stringify(want)}`);
});
