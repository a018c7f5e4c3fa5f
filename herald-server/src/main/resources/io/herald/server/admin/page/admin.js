// The Herald admin page: signs in with the server's ACCESS_TOKEN (kept in sessionStorage, sent only as a
// bearer header), reads the live snapshot stream with fetch so it can send that header, and calls the
// admin API. Everything the server sends is written with textContent: no markup from data, ever.

const TOKEN_KEY = 'herald.admin.token';
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 10000;

const $ = (id) => document.getElementById(id);
let stream = null;
let devMode = false;

const token = () => sessionStorage.getItem(TOKEN_KEY);

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function failure(res) {
  let body = null;
  try {
    body = await res.json();
  } catch {
    // not the error table's JSON: the status says enough
  }
  return new ApiError(res.status, body?.error ?? 'http_' + res.status, body?.message ?? `HTTP ${res.status}`);
}

// Paths are relative to /admin/, so the page also works behind a proxy that mounts Herald under a prefix.
async function api(method, path, body) {
  const headers = { Authorization: `Bearer ${token()}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer',
  });
  if (!res.ok) throw await failure(res);
  return res.json();
}

function show(signedIn) {
  $('sign-in-view').hidden = signedIn;
  $('live-view').hidden = !signedIn;
  $('sign-out').hidden = !signedIn;
  if (!signedIn) {
    $('mode').hidden = true;
    setStatus('signed out', '');
  }
}

function setStatus(text, cls) {
  const s = $('status');
  s.textContent = text;
  s.className = 'status ' + cls;
}

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  if (stream) stream.abort();
  stream = null;
  show(false);
  const err = $('sign-in-error');
  err.hidden = !message;
  err.textContent = message ?? '';
}

async function signIn(candidate) {
  sessionStorage.setItem(TOKEN_KEY, candidate);
  try {
    render(await api('GET', 'v1/snapshot'));
  } catch (e) {
    signOut(e.status === 401 ? `Sign-in refused: ${e.message}` : `Sign-in failed: ${e.message}`);
    return;
  }
  $('sign-in-error').hidden = true;
  show(true);
  follow();
}

// One stream at a time; on a drop it reconnects with a growing pause, on 401 it signs out.
function follow() {
  if (stream) stream.abort();
  const controller = new AbortController();
  stream = controller;
  let wait = RETRY_MIN_MS;
  (async () => {
    while (!controller.signal.aborted) {
      try {
        await read(controller.signal, () => { wait = RETRY_MIN_MS; });
        setStatus('stream ended, reconnecting', 'down');
      } catch (e) {
        if (controller.signal.aborted) return;
        if (e instanceof ApiError && e.status === 401) {
          signOut(`Signed out: ${e.message}`);
          return;
        }
        setStatus(`disconnected (${e.message}), reconnecting`, 'down');
      }
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(RETRY_MAX_MS, wait * 2);
    }
  })();
}

async function read(signal, onOpen) {
  const res = await fetch('v1/stream', {
    headers: { Authorization: `Bearer ${token()}`, Accept: 'text/event-stream' },
    cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer', signal,
  });
  if (!res.ok) throw await failure(res);
  onOpen();
  setStatus('live', 'live');
  $('stream-error').hidden = true;
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      dispatch(block);
    }
  }
}

function dispatch(block) {
  let event = 'message';
  const data = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  if (event === 'snapshot' && data.length) render(JSON.parse(data.join('\n')));
}

// --- rendering

function cell(text, cls) {
  const td = document.createElement('td');
  td.textContent = text ?? '';
  if (cls) td.className = cls;
  return td;
}

function fill(tbodyId, rows, columns, emptyText) {
  const tbody = $(tbodyId);
  const out = [];
  for (const row of rows) {
    const tr = document.createElement('tr');
    for (const c of columns(row)) tr.append(c instanceof Node ? c : cell(c));
    out.push(tr);
  }
  if (!out.length) {
    const tr = document.createElement('tr');
    const td = cell(emptyText, 'empty');
    td.colSpan = tbody.closest('table').querySelectorAll('th').length;
    tr.append(td);
    out.push(tr);
  }
  tbody.replaceChildren(...out);
}

function time(iso) {
  return iso ? new Date(iso).toLocaleTimeString() : '';
}

function count(id, part) {
  $(id).textContent = part.total > part.shown.length ? `(${part.shown.length} of ${part.total} shown)` : `(${part.total})`;
}

function action(label, testId, run) {
  const td = document.createElement('td');
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'small';
  b.textContent = label;
  b.dataset.testid = testId;
  b.addEventListener('click', async () => {
    b.disabled = true;
    try {
      await run();
    } catch (e) {
      b.textContent = e.message;
    }
  });
  td.append(b);
  return td;
}

function render(s) {
  devMode = s.devMode;
  const mode = $('mode');
  mode.hidden = false;
  mode.textContent = (s.devMode ? 'dev mode · ' : '') + `node ${s.node}`;
  $('detail').textContent = s.detail;
  if (s.nodesError) {
    $('stream-error').hidden = false;
    $('stream-error').textContent = s.nodesError;
  }
  fill('nodes', s.nodes ?? [], (n) => [
    n.id + (n.self ? ' (this node)' : ''), n.address, time(n.started),
    Object.entries(n.connections).map(([k, v]) => `${k}: ${v}`).join(', ') || 'none',
    n.roles.join(', '),
  ], 'No nodes.');
  count('sockets-count', s.sockets);
  fill('sockets', s.sockets.shown, (k) => {
    return [k.id, k.primitive, k.userId ?? '—', k.target, time(k.openedAt),
      action('Close', 'close-socket', () => api('POST', `v1/sockets/${encodeURIComponent(k.id)}/close`))];
  }, 'No open sockets on this node.');
  for (const tr of $('sockets').children) tr.dataset.testid = 'socket-row';
  const rooms = s.rooms ?? { total: 0, shown: [] };
  count('rooms-count', rooms);
  fill('rooms', rooms.shown, (r) => [
    r.party, r.room, r.loaded ? 'yes' : 'no', String(r.sockets),
    r.presence.map((p) => `${p.userId ?? p.id}${p.state && p.state.meta ? ' ' + JSON.stringify(p.state.meta) : ''}`).join(', '),
    action('Unload', 'unload-room', () => api('POST', `v1/rooms/${encodeURIComponent(r.party)}/${encodeURIComponent(r.room)}/unload`)),
  ], 'No rooms on this node.');
  count('channels-count', s.channels);
  fill('channels', s.channels.shown, (c) => [c.name, String(c.subscribers), String(c.lastId)], 'No channels on this node.');
  count('lanes-count', s.lanes);
  fill('lanes', s.lanes.shown, (l) => [l.userId, String(l.sockets), String(l.owedAcks), String(l.pendingPublishes)],
    'No lanes on this node.');
  fill('publishes', [...s.publishes].reverse(), (p) => [
    time(p.at), p.primitive, p.publisher.name ? `${p.publisher.kind} (${p.publisher.name})` : p.publisher.kind,
    p.target, p.event, p.error ? `failed: ${p.error}` : p.delivered < 0 ? '—' : String(p.delivered),
    cell(p.payload ?? `hidden from a socket without roles: ${p.hidden}`, 'payload'),
  ], 'Nothing published on this node yet.');
  for (const tr of $('publishes').children) tr.dataset.testid = 'publish-row';
  sparks(s.metrics);
  $('mint-note').textContent = devMode
    ? 'Dev mode: credentials are signed with the secrets this server generated.'
    : 'Only in dev mode (a server that generated its own secrets); this server refuses.';
  $('mint-button').disabled = !devMode;
}

function sparks(m) {
  spark('s-deliveries', 'm-deliveries', m.deliveriesPerSec, (v) => v.toFixed(0));
  spark('s-drops', 'm-drops', m.dropsPerSec, (v) => v.toFixed(0));
  spark('s-p99', 'm-p99', m.p99FanoutMs.map((v) => v ?? 0), (v) => v.toFixed(2));
}

function spark(svgId, labelId, values, format) {
  const svg = $(svgId);
  const max = Math.max(1e-9, ...values);
  const step = values.length > 1 ? 240 / (values.length - 1) : 0;
  const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
  line.setAttribute('points', values.map((v, i) => `${(i * step).toFixed(1)},${(38 - (v / max) * 36).toFixed(1)}`).join(' '));
  svg.replaceChildren(line);
  $(labelId).textContent = values.length ? format(values[values.length - 1]) : '';
}

// --- forms

function list(text) {
  return text.split(',').map((r) => r.trim()).filter(Boolean);
}

$('sign-in-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const input = $('token');
  const candidate = input.value.trim();
  input.value = '';
  if (candidate) signIn(candidate);
});

$('sign-out').addEventListener('click', () => signOut());

$('publish-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = e.target.elements;
  const out = $('publish-result');
  let payload;
  try {
    payload = JSON.parse(f.payload.value);
  } catch {
    out.textContent = 'The payload is not valid JSON.';
    return;
  }
  const body = { event: f.event.value.trim(), payload, [f.targetKind.value]: f.target.value.trim() };
  if (f.userId.value.trim()) body.userId = f.userId.value.trim();
  if (list(f.targetRoles.value).length) body.targetRoles = list(f.targetRoles.value);
  try {
    const r = await api('POST', 'v1/publish', body);
    out.textContent = `Delivered to ${r.delivered} socket(s)` + (r.skipped ? ` (skipped: ${r.skipped})` : '') + '.';
  } catch (err) {
    out.textContent = `Refused: ${err.message}`;
  }
});

$('mint-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = e.target.elements;
  const out = $('mint-result');
  const minted = $('minted');
  const body = { kind: f.kind.value, userId: f.userId.value.trim(), roles: list(f.roles.value) };
  if (f.organizationId.value.trim()) body.organizationId = f.organizationId.value.trim();
  if (f.scopeKey.value.trim()) body.scopeKey = f.scopeKey.value.trim();
  try {
    const r = await api('POST', 'v1/tokens', body);
    minted.value = r.token ?? r.ticket;
    minted.hidden = false;
    out.textContent = r.kind === 'jwt' ? `JWT for ${r.userId}, valid until ${time(r.expiresAt)}.`
      : `Ticket for ${r.userId}, valid ${r.expiresInSeconds} s.`;
  } catch (err) {
    minted.hidden = true;
    out.textContent = `Refused: ${err.message}`;
  }
});

if (token()) {
  signIn(token());
} else {
  show(false);
}
