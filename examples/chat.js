// A chat over a PresenceRoom: every text message is relayed to the others and kept as history, and the room
// sends everyone the list of who is here on every join and leave. Our own messages are not echoed back, so
// they are shown as they are sent.
import { createRoom } from './lib/herald-client.js';
import { showState, signedIn, suffix, ticket } from './common.js';

const messages = document.getElementById('messages');
const peers = document.getElementById('peers');
const nameInput = document.getElementById('name');
nameInput.value = `guest-${suffix()}`;
let room = null;

function show(text) {
  const li = document.createElement('li');
  li.textContent = text;
  li.dataset.testid = 'message';
  messages.append(li);
  messages.scrollTop = messages.scrollHeight;
}

function showChat(raw) {
  try {
    const m = JSON.parse(raw);
    if (m.type === 'chat') {
      show(`${m.user}: ${m.text}`);
    }
  } catch {
    // another client's plain text: shown as it is
    show(raw);
  }
}

function showPeers(list) {
  peers.replaceChildren(...list.map((p) => {
    const li = document.createElement('li');
    li.textContent = p.userId ?? p.id;
    li.dataset.testid = 'peer';
    return li;
  }));
}

await signedIn();
document.getElementById('join').addEventListener('click', () => {
  if (room) return;
  const user = nameInput.value.trim() || `guest-${suffix()}`;
  nameInput.disabled = true;
  room = createRoom({
    host: location.host,
    // partysocket would pick wss for any host but a local address
    protocol: location.protocol === 'https:' ? 'wss' : 'ws',
    party: 'examples-chat',
    room: 'lobby',
    ticket: () => ticket(user, ['member']),
    onError: (e) => show(`(error: ${e.code} ${e.message})`),
  });
  room.addEventListener('open', () => showState('chat-state', 'open'));
  room.addEventListener('close', () => showState('chat-state', 'reconnecting'));
  room.addEventListener('message', (e) => {
    if (typeof e.data !== 'string') return;
    const m = JSON.parse(e.data);
    if (m.type === 'history') {
      m.messages.forEach(showChat);
    } else if (m.type === 'presence') {
      showPeers(m.peers);
    } else {
      showChat(e.data);
    }
  });
  document.getElementById('say').addEventListener('submit', (e) => {
    e.preventDefault();
    const input = document.getElementById('text');
    const text = input.value.trim();
    if (!text) return;
    room.send(JSON.stringify({ type: 'chat', user, text }));
    show(`${user}: ${text}`);
    input.value = '';
  });
});
