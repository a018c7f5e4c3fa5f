// partysocket reconnects: after the server closes the socket (a message over rooms.maxMessageBytes
// gets close 1009) and after the app calls ws.reconnect(), the socket rejoins the same room with the
// same id (`_pk`), and what was sent while it was down, buffered by partysocket, is delivered after
// the reconnect, in order. The Java test sets rooms.maxMessageBytes to 16 KiB.
import { check, connect, run, tokens, unique, until } from "./harness.mjs";

const TOO_BIG = 20 * 1024;

run("reconnect", async () => {
  const room = unique("reconnect");
  const query = { token: tokens.alice };
  const ids = { obs: unique("observer"), subj: unique("subject") };
  const obs = connect("observer", { party: "presence", room, id: ids.obs, query });
  const subj = connect("subject", { party: "presence", room, id: ids.subj, query });
  await obs.presenceIs([ids.obs, ids.subj], "both joined");
  check(subj.ws.url.includes(`_pk=${ids.subj}`), "the socket URL does not carry the _pk id");

  // 1. The server closes the socket: partysocket reconnects on its own.
  let bufferedWhileDown = null;
  subj.ws.addEventListener("close", () => {
    if (bufferedWhileDown === null) {
      bufferedWhileDown = [subj.send("while-down-1"), subj.send("while-down-2")];
    }
  });
  subj.send("x".repeat(TOO_BIG));
  await until(() => subj.closeCodes.length > 0, "subject: closed by the server");
  check(subj.closeCodes[0] === 1009, `the server closed with ${subj.closeCodes[0]}, want 1009 (message too large)`);
  check(bufferedWhileDown.every((sent) => sent === false), "send() while down did not buffer");
  await subj.opened(2);
  await obs.received("while-down-2");
  const afterKick = obs.messages.filter((m) => typeof m === "string" && m.startsWith("while-down"));
  check(afterKick.join() === "while-down-1,while-down-2", `buffered messages arrived as ${afterKick}`);
  check(!obs.messages.some((m) => typeof m === "string" && m.length >= TOO_BIG), "the oversized message was relayed");
  check(subj.ws.id === ids.subj, "the id changed across the reconnect");
  await obs.presenceIs([ids.obs, ids.subj], "subject back with the same id");

  // 2. The app reconnects: the old socket closes, a new one opens with the same _pk.
  subj.ws.reconnect();
  check(subj.send("after-reconnect") === false, "send() right after reconnect() was not buffered");
  await subj.opened(3);
  await obs.received("after-reconnect");
  check(subj.ws.url.includes(`_pk=${ids.subj}`), "after reconnect() the URL lost the _pk id");
  await obs.presenceIs([ids.obs, ids.subj], "subject back once more, listed once");
  const own = await subj.presenceIs([ids.obs, ids.subj], "subject sees itself under the same id");
  check(own.peers.find((p) => p.id === ids.subj).userId === "alice", "the rejoined connection lost its user");
});
