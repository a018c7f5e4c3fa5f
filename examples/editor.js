// A textarea bound to a Y.Text, synced through Herald's YjsRoom with y-websocket. The binding is the
// smallest that keeps both sides right: a local edit becomes one delete and one insert at the changed span,
// and a remote change rewrites the textarea and moves the caret by what was inserted or deleted before it.
import { WebsocketProvider, Y } from './lib/yjs.js';
import { jwt, showState, signedIn, suffix } from './common.js';

const area = document.getElementById('editor');
const editors = document.querySelector('[data-testid="editors"]');
const doc = new Y.Doc();
const text = doc.getText('body');
const LOCAL = 'textarea';
/** What the textarea showed after the last sync either way: a local edit is the difference from it. */
let shown = '';

await signedIn();
const user = `writer-${suffix()}`;
const token = await jwt(user, ['member']);
const provider = new WebsocketProvider(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/parties/examples-doc`, 'shared', doc, {
  // the URL is fixed for the provider's life, so a session JWT (1 h), not a single-use ticket
  params: { token },
  // tabs of one browser would otherwise also sync over BroadcastChannel: the example shows the server's sync
  disableBc: true,
  // a refused update (1009) or a refused session (44xx) would only be refused again
  shouldReconnect: (e) => e.code !== 1009 && !(e.code >= 4400 && e.code < 4500),
});
provider.awareness.setLocalStateField('user', { name: user });
provider.awareness.on('change', () => {
  const n = provider.awareness.getStates().size;
  editors.textContent = `${n} editor${n === 1 ? '' : 's'} here`;
});
provider.on('status', ({ status }) => showState('editor-state', status === 'connected' ? 'open' : status));
provider.on('sync', (synced) => {
  if (synced) {
    shown = text.toString();
    area.value = shown;
    area.disabled = false;
  }
});

area.addEventListener('input', () => {
  const now = area.value;
  let start = 0;
  while (start < shown.length && start < now.length && shown[start] === now[start]) start++;
  let end = 0;
  while (end < shown.length - start && end < now.length - start && shown[shown.length - 1 - end] === now[now.length - 1 - end]) end++;
  doc.transact(() => {
    if (shown.length - start - end > 0) text.delete(start, shown.length - start - end);
    if (now.length - start - end > 0) text.insert(start, now.slice(start, now.length - end));
  }, LOCAL);
  shown = now;
});

text.observe((event, transaction) => {
  if (transaction.origin === LOCAL) return;
  let [selStart, selEnd] = [area.selectionStart, area.selectionEnd];
  let at = 0;
  for (const op of event.delta) {
    if (op.retain) {
      at += op.retain;
    } else if (op.insert) {
      const n = op.insert.length;
      if (at <= selStart) selStart += n;
      if (at <= selEnd) selEnd += n;
      at += n;
    } else if (op.delete) {
      selStart = selStart > at ? Math.max(at, selStart - op.delete) : selStart;
      selEnd = selEnd > at ? Math.max(at, selEnd - op.delete) : selEnd;
    }
  }
  shown = text.toString();
  area.value = shown;
  if (document.activeElement === area) area.setSelectionRange(selStart, selEnd);
});
