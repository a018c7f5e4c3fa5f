// A public SSE channel through createChannel: no credentials to read it, since the dev server lists
// examples:* under channels.public. Publishing is a backend's job and needs the ACCESS_TOKEN.
import { createChannel } from './lib/herald-client.js';
import { post, showState, signedIn } from './common.js';

const CHANNEL = 'examples:feed';
const events = document.getElementById('events');

const feed = createChannel({ url: location.origin, channel: CHANNEL });
feed.on('state', (state) => showState('feed-state', state));
feed.on('mode', (mode) => { document.querySelector('[data-testid="feed-mode"]').textContent = mode === 'poll' ? 'polling' : ''; });
feed.on('event', '*', (data, message) => {
  const li = document.createElement('li');
  li.dataset.testid = 'feed-item';
  li.textContent = `#${message.id} ${message.event}: ${typeof data === 'object' && data !== null && 'text' in data ? data.text : JSON.stringify(data)}`;
  events.prepend(li);
});
feed.on('reset', () => {
  const li = document.createElement('li');
  li.textContent = '(some events were missed while away)';
  events.prepend(li);
});

await signedIn();
document.getElementById('publish').addEventListener('click', async () => {
  const result = document.getElementById('publish-result');
  try {
    const answer = await post('/channels/v1/publish', { channel: CHANNEL, event: 'message', data: { text: document.getElementById('message').value } });
    result.textContent = `Event ${answer.id} written to ${answer.delivered} stream(s).`;
  } catch (e) {
    result.textContent = `Refused: ${e.message}`;
  }
});
