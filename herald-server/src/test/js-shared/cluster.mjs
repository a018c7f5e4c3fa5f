// The plumbing every room-cluster script shares, whichever client library it drives (partysocket in
// src/test/js/cluster, y-websocket in src/test/js-yjs/cluster): the node arguments, a "load balancer"
// that sends a client to its home node until the script marks that node down, the STEP lines a Java
// RoomCluster* test waits for, the signal files it writes into HERALD_SIGNALS, and the script's exit.
// Only node: built-ins are imported, so both npm projects can import this file by its path.
import fs from "node:fs";
import path from "node:path";

const NODE_ARG = /^([\w.-]+)=([\w.-]+:\d+)$/;

/** host:port of each node by id, in the order given (`n1=127.0.0.1:<port> n2=...`). */
export const nodes = new Map();
for (const a of process.argv.slice(2)) {
  const m = NODE_ARG.exec(a);
  if (m) {
    nodes.set(m[1], m[2]);
  }
}
/** The arguments that are not nodes. */
export const args = process.argv.slice(2).filter((a) => !NODE_ARG.test(a));
if (nodes.size === 0) {
  console.error("usage: node cluster/<script>.mjs n1=127.0.0.1:<port> n2=127.0.0.1:<port> ... [args]");
  process.exit(2);
}
export const ids = [...nodes.keys()];

const signals = process.env.HERALD_SIGNALS;
const down = new Set();

/**
 * Marks node `id` as down: from now on the clients whose home it is connect to the next node that is
 * not down (in the order of `ids`), as a load balancer would send them once its health check failed.
 */
export function markDown(id) {
  down.add(id);
}

/** The node a client whose home is `home` connects to now. */
export function route(home) {
  const i = ids.indexOf(home);
  for (let k = 0; k < ids.length; k++) {
    const next = ids[(i + k) % ids.length];
    if (!down.has(next)) {
      return next;
    }
  }
  throw new Error("every node is down");
}

/** Prints `STEP <name> <json>`, which the Java test waits for. */
export function step(name, value = {}) {
  console.log(`STEP ${name} ${JSON.stringify(value)}`);
}

/** Resolves with the content of the signal file `name` once the Java test wrote it. */
export async function signal(name, timeoutMs = 60000) {
  if (!signals) {
    throw new Error("HERALD_SIGNALS is not set: run the script through its RoomCluster test");
  }
  const file = path.join(signals, name);
  await until(() => fs.existsSync(file), `the test's signal ${name}`, timeoutMs);
  return fs.readFileSync(file, "utf8");
}

/**
 * Runs `body`, exits 0 when it resolves, 1 when it throws or runs past `timeoutMs`; `done` closes the
 * clients first, `explain` prints what they saw before a failure exits.
 */
export function run(name, body, timeoutMs, done, explain) {
  const fail = (message) => {
    console.error(message);
    explain();
    process.exit(1);
  };
  const timer = setTimeout(() => fail(`${name}: timed out after ${timeoutMs} ms`), timeoutMs);
  body().then(
    () => {
      clearTimeout(timer);
      done();
      console.log(`${name}: ok`);
      process.exit(0);
    },
    (e) => fail(`${name}: ${e && e.stack ? e.stack : e}`),
  );
}

export function unique(prefix) {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}

/** Polls `condition` every 10 ms; rejects naming `what` (a string or a function giving one) after `timeoutMs`. */
export async function until(condition, what, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(`waited ${timeoutMs} ms for ${typeof what === "function" ? what() : what}`);
    }
    await sleep(10);
  }
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Throws `message` (a string or a function giving one) unless `condition`. */
export function check(condition, message) {
  if (!condition) {
    throw new Error(typeof message === "function" ? message() : message);
  }
}
