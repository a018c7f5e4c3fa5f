// RelayRoom through partysocket: two sockets in one room exchange text and binary messages, the
// sender does not get its own message back, and a socket in another room hears nothing.
// The room id has a space and a non-ASCII letter: partysocket inserts it raw, the WebSocket client
// percent-encodes it, the server decodes it, and both sockets still meet in the same room.
import { check, connect, run, sleep, unique, until } from "./harness.mjs";

run("relay", async () => {
  const room = unique("relay room ü");
  const a = connect("a", { party: "lobby", room, id: unique("a") });
  const b = connect("b", { party: "lobby", room, id: unique("b") });
  const elsewhere = connect("elsewhere", { party: "lobby", room: unique("other") });
  await Promise.all([a.opened(), b.opened(), elsewhere.opened()]);

  a.send("hello from a");
  await b.received("hello from a");
  b.send("hello from b");
  await a.received("hello from b");

  const bytes = Uint8Array.from([0, 1, 2, 254, 255]);
  a.send(bytes);
  await until(() => b.messages.some((m) => m instanceof ArrayBuffer), "b: receive a binary frame");
  const got = new Uint8Array(b.messages.find((m) => m instanceof ArrayBuffer));
  check(got.join(",") === bytes.join(","), `binary frame changed on the way: ${got.join(",")}`);

  // b's reply has arrived at a, so a's own message would have too if it were echoed
  b.send("done");
  await a.received("done");
  await sleep(50);
  check(!a.messages.includes("hello from a"), "the sender received its own message");
  check(!a.messages.some((m) => m instanceof ArrayBuffer), "the sender received its own binary frame");
  check(elsewhere.messages.length === 0, `another room received ${elsewhere.messages.length} messages`);
});
