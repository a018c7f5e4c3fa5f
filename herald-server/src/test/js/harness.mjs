// Shared by the compatibility scripts: the host argument, a time bound, PartySocket clients that
// record what they receive, and polling waits. Every script is `node <script>.mjs 127.0.0.1:<port>`,
// exits 0 when every check held and 1 with a message otherwise. PartysocketCompatTest runs them
// against a server with these bindings: LOBBY (RelayRoom, public), PRESENCE (PresenceRoom,
// authenticated), MINE (RelayRoom, roomIdEquals ctx.userId), API (the test room ApiRoom, public: onRequest,
// tags, props); rooms.maxMessageBytes 16 KiB and single-use tickets.
import PartySocket from "partysocket";
import WebSocket from "ws";

export const host = process.argv[2];
if (!host || !/^[\w.-]+:\d+$/.test(host)) {
  console.error("usage: node <script>.mjs <host>:<port>   (for example 127.0.0.1:8080)");
  process.exit(2);
}

/** Session JWTs minted by the Java test and passed in the environment: alice (name "Alice") and bob. */
export const tokens = {
  get alice() {
    return fromEnv("HERALD_TOKEN_ALICE");
  },
  get bob() {
    return fromEnv("HERALD_TOKEN_BOB");
  },
};

function fromEnv(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set: run the scripts through PartysocketCompatTest, or export a session JWT`);
    process.exit(2);
  }
  return value;
}

const clients = [];

/** Runs `body`, exits 0 when it resolves, 1 when it throws or runs past `timeoutMs`. */
export function run(name, body, timeoutMs = 20000) {
  const timer = setTimeout(() => fail(`${name}: timed out after ${timeoutMs} ms`), timeoutMs);
  body().then(
    () => {
      clearTimeout(timer);
      clients.forEach((c) => c.close());
      console.log(`${name}: ok`);
      process.exit(0);
    },
    (e) => fail(`${name}: ${e && e.stack ? e.stack : e}`),
  );
}

function fail(message) {
  console.error(message);
  for (const c of clients) {
    console.error(`  ${c.label} (id ${c.ws.id}): events ${JSON.stringify(c.events.slice(-12))}`);
    console.error(`  ${c.label} received ${JSON.stringify(c.messages.map(show)).slice(0, 2000)}`);
  }
  process.exit(1);
}

function show(m) {
  return typeof m === "string" ? m : `<binary ${new Uint8Array(m).length} bytes>`;
}

/** A random suffix so every run uses fresh rooms. */
export function unique(prefix) {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * A PartySocket on `host` using the `ws` package (Node 20 has no stable global WebSocket), with
 * short reconnect delays so a test does not wait for the 3 s default.
 */
export function connect(label, options) {
  const ws = new PartySocket({
    host,
    WebSocket,
    minReconnectionDelay: 50,
    maxReconnectionDelay: 250,
    connectionTimeout: 3000,
    ...options,
  });
  ws.binaryType = "arraybuffer";
  const client = new Client(label, ws);
  clients.push(client);
  return client;
}

/** A PartySocket plus everything it saw: messages (strings or ArrayBuffers) and open/close/error events. */
export class Client {
  constructor(label, ws) {
    this.label = label;
    this.ws = ws;
    this.messages = [];
    this.events = [];
    this.opens = 0;
    this.errors = 0;
    this.closeCodes = [];
    ws.addEventListener("message", (e) => this.messages.push(e.data));
    ws.addEventListener("open", () => {
      this.opens++;
      this.events.push("open");
    });
    ws.addEventListener("close", (e) => {
      this.closeCodes.push(e.code);
      this.events.push(`close:${e.code}`);
    });
    ws.addEventListener("error", (e) => {
      this.errors++;
      this.events.push(`error:${e.message}`);
    });
  }

  send(data) {
    return this.ws.send(data);
  }

  close() {
    this.ws.close();
  }

  /** Text messages that parse as JSON objects. */
  json() {
    return this.messages.filter((m) => typeof m === "string" && m.startsWith("{")).map((m) => JSON.parse(m));
  }

  /** The latest {"type":"presence"} message, or undefined. */
  presence() {
    return this.json().filter((m) => m.type === "presence").at(-1);
  }

  /** Resolves once the latest presence lists exactly `ids` (any order, duplicates counted). */
  async presenceIs(ids, what = `presence ${JSON.stringify(ids)}`) {
    const want = [...ids].sort().join(",");
    await until(() => {
      const p = this.presence();
      return p && p.peers.map((x) => x.id).sort().join(",") === want;
    }, `${this.label}: ${what}`);
    return this.presence();
  }

  /** Resolves once the socket has opened `n` times in total. */
  async opened(n = 1) {
    await until(() => this.opens >= n, `${this.label}: open #${n}`);
  }

  /** Resolves once a text message equal to `text` arrived. */
  async received(text) {
    await until(() => this.messages.includes(text), `${this.label}: receive ${JSON.stringify(text)}`);
  }
}

/** Polls `condition` every 10 ms; rejects naming `what` after `timeoutMs`. */
export async function until(condition, what, timeoutMs = 8000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`waited ${timeoutMs} ms for ${what}`);
    }
    await sleep(10);
  }
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Throws `message` unless `condition`. */
export function check(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

/**
 * The HTTP status a plain `ws` upgrade to `path` gets: 101 when it opens, else the refusal's status.
 * partysocket only sees "the upgrade failed" and retries; this shows what the server answered.
 */
export function upgradeStatus(path) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${host}${path}`);
    ws.on("open", () => {
      ws.close();
      resolve(101);
    });
    ws.on("unexpected-response", (req, res) => {
      resolve(res.statusCode);
      req.destroy();
    });
    ws.on("error", (e) => reject(e));
  });
}
