// The real `eventsource` client (WHATWG EventSource for Node) against a Herald channel stream.
// It reads named events with addEventListener, the connection is dropped under it (a TCP proxy in
// front of the server cuts every socket), events are published while it is away, and the client's
// own reconnect must send Last-Event-ID and resume with no gap and no duplicate.
//
// usage: node resume.mjs <host:port>   env: HERALD_ACCESS_TOKEN (publish API), HERALD_JWT (the reader's session)
import net from 'node:net';
import { EventSource } from 'eventsource';

const [target] = process.argv.slice(2);
const accessToken = process.env.HERALD_ACCESS_TOKEN;
const jwt = process.env.HERALD_JWT;
if (!target || !accessToken || !jwt) {
  console.error('usage: HERALD_ACCESS_TOKEN=... HERALD_JWT=... node resume.mjs <host:port>');
  process.exit(2);
}
const [host, portText] = target.split(':');
const port = Number(portText);
const channel = 'member:alice:notify';
const deadline = setTimeout(() => fail('timed out'), 30_000);

function fail(message) {
  console.error(`FAIL: ${message}`);
  console.error(JSON.stringify({ received, requests, errors }, null, 2));
  process.exit(1);
}

// ---- a proxy that can drop every connection, and records each request's Last-Event-ID ----
const requests = [];
const sockets = new Set();
const proxy = net.createServer((client) => {
  const upstream = net.connect(port, host);
  sockets.add(client);
  sockets.add(upstream);
  let head = '';
  client.on('data', (chunk) => {
    if (head !== null) {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end >= 0) {
        const lines = head.slice(0, end).split('\r\n');
        const header = lines.find((l) => l.toLowerCase().startsWith('last-event-id:'));
        requests.push({ line: lines[0], lastEventId: header ? header.slice(header.indexOf(':') + 1).trim() : null });
        head = null;
      }
    }
  });
  client.pipe(upstream);
  upstream.pipe(client);
  const drop = () => {
    client.destroy();
    upstream.destroy();
    sockets.delete(client);
    sockets.delete(upstream);
  };
  client.on('error', drop);
  upstream.on('error', drop);
  client.on('close', drop);
  upstream.on('close', drop);
});
await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
const proxyPort = proxy.address().port;

function dropAll() {
  for (const s of sockets) {
    s.destroy();
  }
  sockets.clear();
}

// ---- publishing straight to the server ----
async function publish(event, data) {
  const r = await fetch(`http://${host}:${port}/channels/v1/publish`, {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ channel, event, data }),
  });
  const body = await r.text();
  if (r.status !== 200) {
    fail(`publish ${event} answered ${r.status}: ${body}`);
  }
  return JSON.parse(body);
}

// ---- the reader ----
const received = [];
const errors = [];
let unnamed = 0;
let resets = 0;
const es = new EventSource(`http://127.0.0.1:${proxyPort}/sse/${channel}?token=${encodeURIComponent(jwt)}`);
for (const name of ['run.stage', 'run.done', 'note']) {
  es.addEventListener(name, (e) => received.push({ id: e.lastEventId, event: e.type, data: JSON.parse(e.data) }));
}
es.addEventListener('realtime.reset', () => resets++);
es.onmessage = () => unnamed++;
es.onerror = (e) => errors.push({ readyState: es.readyState, message: e.message ?? null, code: e.code ?? null });

async function until(what, condition) {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > 15_000) {
      fail(`waited too long for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

// 1-3 before the reader connects: a fresh subscribe gets the buffered tail
for (let i = 1; i <= 3; i++) {
  await publish('run.stage', { stage: 'setup', step: i });
}
await until('the first connection and events 1-3', () => received.length >= 3);
if (es.readyState !== EventSource.OPEN) {
  fail(`readyState is ${es.readyState}, expected OPEN`);
}

// 4-5 live, including data the client must parse back exactly
await publish('note', 'line1\nline2');
await publish('run.done', null);
await until('live events 4-5', () => received.length >= 5);

// the connection drops; 6-8 are published while the client is away
dropAll();
await until('the client to notice the drop', () => errors.length >= 1);
for (let i = 6; i <= 8; i++) {
  await publish('run.stage', { stage: 'offline', step: i });
}
await until('the reconnect to replay 6-8', () => received.length >= 8);
await publish('run.stage', { stage: 'back', step: 9 });
await until('live event 9 after the reconnect', () => received.length >= 9);
es.close();

const ids = received.map((r) => r.id);
const expected = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];
if (JSON.stringify(ids) !== JSON.stringify(expected)) {
  fail(`ids ${JSON.stringify(ids)}, expected ${JSON.stringify(expected)} (a gap or a duplicate)`);
}
if (received[3].event !== 'note' || received[3].data !== 'line1\nline2') {
  fail(`event 4 was ${JSON.stringify(received[3])}`);
}
if (received[4].event !== 'run.done' || received[4].data !== null) {
  fail(`event 5 was ${JSON.stringify(received[4])}`);
}
if (received[7].data.step !== 8 || received[8].data.stage !== 'back') {
  fail(`events 8-9 were ${JSON.stringify(received.slice(7))}`);
}
if (requests.length !== 2) {
  fail(`expected 2 requests (connect, reconnect), saw ${requests.length}`);
}
if (requests[0].lastEventId !== null) {
  fail(`the first request sent Last-Event-ID ${requests[0].lastEventId}`);
}
if (requests[1].lastEventId !== '5') {
  fail(`the reconnect sent Last-Event-ID ${requests[1].lastEventId}, expected 5`);
}
if (unnamed !== 0 || resets !== 0) {
  fail(`unexpected ${unnamed} unnamed events and ${resets} resets`);
}
clearTimeout(deadline);
proxy.close();
console.log(`OK: ids ${ids.join(',')}; reconnect sent Last-Event-ID ${requests[1].lastEventId}`);
process.exit(0);
