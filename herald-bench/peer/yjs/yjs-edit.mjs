// yjs-edit: K real yjs clients type into one shared Y.Text through a server, and this process measures
// edit→remote latency, deliveries, convergence and identical final documents.
//
//   node yjs-edit.mjs --target herald|ywebsocket|hocuspocus --url ws://127.0.0.1:8080
//        [-k 10] [--edits-per-second 4] [--duration 20] [--warmup 2] [--room <name>] [--party yjs]
//        [--converge-timeout 30] [--connect-timeout 20] [--first-id F --total-clients T --coordinated 1]
//        [--urls ws://a,ws://b [--lead 1]]
//
// Clients: y-websocket's WebsocketProvider for Herald (ws://host/parties/<party>/<room>) and for
// y-websocket's server (ws://host/<room>); HocuspocusProvider for Hocuspocus (document name = room).
// Each client has its own socket. Every edit inserts "[<client>:<send ms>]" at a random place; the send
// time is performance.timeOrigin + performance.now(), so every client of this process reads one clock.
//
// Timeline: connect and sync all K, type for warmup + duration seconds, stop, wait for convergence.
// Lines on stdout: {"event":"window-start"} and {"event":"window-end"} bracket the measured window
// (the Java load tool samples the server's CPU between them), then one result line {"event":"result",...}.
// Latency and deliveries_per_s count deliveries received inside the window; lost/identical cover the
// whole run. The process exits 0 when it printed a result (even identical:false), 1 on a failure.
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { createHash } from "node:crypto";
import WebSocket from "ws";
import * as Y from "yjs";
import { WebsocketProvider } from "y-websocket";
import { HocuspocusProvider } from "@hocuspocus/provider";

const args = parseArgs(process.argv.slice(2));
const target = args.target;
const url = (args.url || "").replace(/\/+$/, "");
const K = int(args.k ?? args.clients, 10);
const E = Number(args["edits-per-second"] ?? 4);
const D = Number(args.duration ?? 20);
const W = Number(args.warmup ?? 2);
const room = args.room || `yjs-edit-${Math.random().toString(36).slice(2, 10)}`;
const party = args.party || "yjs";
const convergeTimeout = Number(args["converge-timeout"] ?? 30) * 1000;
const connectTimeout = Number(args["connect-timeout"] ?? 20) * 1000;
// Split runs (the load tool's --node-processes): this process holds clients first-id .. first-id+k-1 of
// total-clients, and with --coordinated it waits on stdin for "go" (all processes synced) and for
// "total <edits>" (what every process typed) so that it knows when its documents are complete.
const firstId = int(args["first-id"], 0);
const totalClients = int(args["total-clients"], K);
const coordinated = args.coordinated === "1";
const stdinLines = coordinated ? lines(process.stdin) : null;
// The nodes of one Herald cluster: client id c connects to urls[c mod count]. With --lead, this process's first
// client connects and syncs alone first and the process says {"event":"lead"}, so that the room's first socket
// (and, in a cluster, the node that owns the room) is that client's.
const urls = args.urls ? args.urls.split(",").map((u) => u.replace(/\/+$/, "")) : [url];
const lead = args.lead === "1";

if (!["herald", "ywebsocket", "hocuspocus"].includes(target) || !urls.every((u) => /^wss?:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/.test(u))) {
  die("usage: node yjs-edit.mjs --target herald|ywebsocket|hocuspocus --url ws://127.0.0.1:<port> [-k K] [--edits-per-second E] [--duration D]");
}
if (!(K >= (coordinated ? 1 : 2) && K <= 500 && E > 0 && E <= 100 && D > 0 && D <= 600 && W >= 0 && W <= 60)) {
  die("bounds: 2 <= k <= 500, 0 < edits-per-second <= 100, 0 < duration <= 600, 0 <= warmup <= 60");
}

// Every y-websocket provider adds a process "exit" listener; 50 of them are expected, not a leak.
process.setMaxListeners(0);

// A hard bound on the whole run, whatever the server does.
const hardLimit = setTimeout(() => die(`timed out after ${Math.round(hardMs() / 1000)} s`), hardMs());
function hardMs() {
  return connectTimeout + (W + D) * 1000 + convergeTimeout + 10000;
}

const MARKER = /\[(\d+):(\d+\.\d+)\]/g;
const now = () => performance.timeOrigin + performance.now();
const clients = [];
const samples = []; // latency in ms of deliveries received in the window
let windowOpen = false;
let windowDeliveries = 0;
let windowEdits = 0;
let editsSent = 0;
let deliveries = 0;
let closes = 0; // sockets closed under a synced client (by the server, e.g. Herald's 1013 slow consumer): each one resyncs

if (lead) {
  clients.push(makeClient(firstId));
  try {
    await until(() => clients[0].synced(), connectTimeout, "the first client's sync");
  } catch (e) {
    die(e.message);
  }
  console.log(JSON.stringify({ event: "lead" }));
}
for (let id = firstId + clients.length; id < firstId + K; id++) {
  clients.push(makeClient(id));
}

try {
  await until(() => clients.every((c) => c.synced()), connectTimeout, () => `sync: ${clients.filter((c) => c.synced()).length}/${K} synced`);
} catch (e) {
  die(e.message);
}
if (coordinated) {
  console.log(JSON.stringify({ event: "ready" }));
  await expectLine("go");
}

const loop = monitorEventLoopDelay({ resolution: 10 });
const typing = clients.map((c, i) => startTyping(c, i));
await sleep(W * 1000);

// The measured window.
loop.enable();
const cpu0 = process.cpuUsage();
const wall0 = now();
windowOpen = true;
console.log(JSON.stringify({ event: "window-start" }));
await sleep(D * 1000);
windowOpen = false;
const wallMs = now() - wall0;
const cpu = process.cpuUsage(cpu0);
console.log(JSON.stringify({ event: "window-end" }));
// Clients holding updates they cannot integrate yet (a dependency has not arrived): a sign of reordering
// or of a missing update, as opposed to slow clients.
const pendingAtWindowEnd = clients.filter((c) => c.doc.store.pendingStructs !== null).length;
loop.disable();

typing.forEach((stop) => stop());
const stopped = now();
let total = editsSent;
if (coordinated) {
  console.log(JSON.stringify({ event: "typed", edits: editsSent }));
  total = Number((await expectLine("total ")).slice(6));
}
let convergenceMs = -1;
try {
  await until(() => clients.every((c) => c.known === total), convergeTimeout, "all edits at every client");
  await until(sameDocuments, convergeTimeout, "identical documents");
  convergenceMs = now() - stopped;
} catch {
  // reported as convergence_ms -1 and identical:false
}
const identical = convergenceMs >= 0 && sameDocuments();

samples.sort((a, b) => a - b);
const result = {
  event: "result",
  target,
  url,
  room,
  k: K,
  edits_per_second: E,
  duration_s: D,
  warmup_s: W,
  edits_sent: editsSent,
  total_edits: total,
  // every client receives every edit but its own
  expected_deliveries: K * total - editsSent,
  remote_deliveries: deliveries,
  lost: K * total - editsSent - deliveries,
  window_s: round(wallMs / 1000, 3),
  window_edits: windowEdits,
  window_deliveries: windowDeliveries,
  updates_per_s: round(windowEdits / (wallMs / 1000), 1),
  deliveries_per_s: round(windowDeliveries / (wallMs / 1000), 1),
  latency_ms: { p50: pct(0.5), p90: pct(0.9), p99: pct(0.99), max: pct(1) },
  convergence_ms: round(convergenceMs, 1),
  identical,
  text_length: clients[0].text.length,
  closes,
  pending_at_window_end: pendingAtWindowEnd,
  // CPU of this process over the window as a share of one core: node runs the clients on one thread,
  // so near 1 the figures describe the clients, not the server.
  node_cpu_share: round((cpu.user + cpu.system) / 1000 / wallMs, 3),
  loop_delay_p99_ms: round(loop.percentile(99) / 1e6, 1),
  // what the documents of a split run are compared by across processes
  final_hash: documentHash(clients[0]),
  ...(coordinated ? { samples_ms: samples.map((x) => round(x, 3)) } : {}),
};
// The result line carries every sample (hundreds of KB at K = 50): a pipe takes 64 KiB at a time and node queues
// the rest, which process.exit would drop if the reader is slow (a busy machine). Exit once it was written.
process.stdout.write(JSON.stringify(result) + "\n", () => setTimeout(() => process.exit(0), 200).unref());
clearTimeout(hardLimit);
clients.forEach((c) => c.destroy());

/** One client: a Y.Doc, its provider and the observer that records remote markers. */
function makeClient(id) {
  const url = urls[id % urls.length];
  const doc = new Y.Doc();
  const text = doc.getText("text");
  const c = { id, doc, text, known: 0 };
  text.observe((event) => {
    if (event.transaction.local) {
      return;
    }
    const t = now();
    for (const m of insertedMarkers(event)) {
      if (Number(m[1]) === id) {
        continue; // cannot happen in one session, but a resync must not count as a delivery
      }
      deliveries++;
      c.known++;
      if (windowOpen) {
        windowDeliveries++;
        samples.push(t - Number(m[2]));
      }
    }
  });
  if (target === "hocuspocus") {
    const p = new HocuspocusProvider({ url, name: room, document: doc, token: "bench", WebSocketPolyfill: WebSocket });
    p.on("close", () => closes++);
    c.synced = () => p.isSynced;
    c.destroy = () => p.destroy();
  } else {
    const serverUrl = target === "herald" ? `${url}/parties/${party}` : url;
    const p = new WebsocketProvider(serverUrl, room, doc, { WebSocketPolyfill: WebSocket, disableBc: true });
    p.on("connection-close", (event) => event && closes++);
    c.synced = () => p.synced;
    c.destroy = () => p.destroy();
  }
  return c;
}

/**
 * The markers a remote transaction inserted, read from the new structs rather than from the delta,
 * which walks the whole text each time (client CPU growing with the document). Also, one update can
 * carry several edits (a Herald catch-up diff, the step 2 of a resync), and one of them may
 * have been inserted inside another marker: the delta then shows the two interleaved, and the outer
 * marker would be missed. Each edit is one run of clocks of one Yjs client, and a client's structs are
 * stored in clock order, so the text of the structs this transaction added, per client, holds every
 * marker whole. Only the new structs are visited: they are at the end of each client's list.
 */
function insertedMarkers(event) {
  const tr = event.transaction;
  const markers = [];
  for (const [client, after] of tr.afterState) {
    const before = tr.beforeState.get(client) || 0;
    if (after <= before) {
      continue;
    }
    const structs = tr.doc.store.clients.get(client);
    let i = structs.length;
    while (i > 0 && structs[i - 1].id.clock >= before) {
      i--;
    }
    let run = "";
    for (; i < structs.length; i++) {
      const str = structs[i].content?.str;
      if (typeof str === "string") {
        run += str;
      }
    }
    markers.push(...run.matchAll(MARKER));
  }
  return markers;
}

/** Types E edits/s into `c`; the K clients' phases are spread over one period so edits do not bunch. */
function startTyping(c, i) {
  const period = 1000 / E;
  let timer = null;
  const start = setTimeout(() => {
    edit(c);
    timer = setInterval(() => edit(c), period);
  }, (period * (firstId + i)) / totalClients);
  return () => {
    clearTimeout(start);
    clearInterval(timer);
  };
}

function edit(c) {
  const marker = `[${c.id}:${now().toFixed(3)}]`;
  // At a random place, so inserts interleave (and may split older markers: receivers parse only the
  // inserted strings of each delta, which are whole). Snapping to a boundary would need toString()
  // per edit, client CPU that grows with the document.
  c.text.insert(Math.floor(Math.random() * (c.text.length + 1)), marker);
  editsSent++;
  c.known++;
  if (windowOpen) {
    windowEdits++;
  }
}

function sameDocuments() {
  const first = documentHash(clients[0]);
  return clients.every((c) => documentHash(c) === first);
}

/** sha256 of the text and the state vector: equal hashes mean equal documents. */
function documentHash(c) {
  return createHash("sha256").update(c.text.toString()).update(Y.encodeStateVector(c.doc)).digest("base64");
}

/** The lines of a stream, as an async iterator. */
function lines(stream) {
  let buffered = "";
  const queue = [];
  let wake = null;
  stream.setEncoding("utf8");
  stream.on("data", (chunk) => {
    buffered += chunk;
    let i;
    while ((i = buffered.indexOf("\n")) >= 0) {
      queue.push(buffered.slice(0, i).trim());
      buffered = buffered.slice(i + 1);
    }
    if (wake) {
      wake();
    }
  });
  stream.on("end", () => wake && die("stdin closed by the load tool"));
  return {
    async next() {
      while (queue.length === 0) {
        await new Promise((resolve) => (wake = resolve));
        wake = null;
      }
      return queue.shift();
    },
  };
}

async function expectLine(prefix) {
  const line = await stdinLines.next();
  if (!line.startsWith(prefix)) {
    die(`expected "${prefix}" on stdin, got "${line}"`);
  }
  return line;
}

function pct(q) {
  if (samples.length === 0) {
    return -1;
  }
  return round(samples[Math.min(samples.length - 1, Math.ceil(q * samples.length) - 1)], 2);
}

async function until(condition, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`waited ${timeoutMs} ms for ${typeof what === "function" ? what() : what}`);
    }
    await sleep(2);
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function round(x, digits) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function int(v, fallback) {
  return v === undefined ? fallback : Number.parseInt(v, 10);
}

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].replace(/^--?/, "");
    out[name] = argv[i + 1];
    i++;
  }
  return out;
}

function die(message) {
  console.error(`yjs-edit: ${message}`);
  process.exit(1);
}
