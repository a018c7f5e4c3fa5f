// Two broadcast clients in one page, each with its own user's tickets: the owner and the recruiter of ORG.
// Herald masks per role on the server, so the recruiter's socket never receives the real SSN or email.
import { createBroadcast } from './lib/herald-client.js';
import { ORG, post, showState, signedIn, ticket } from './common.js';

const TABLE = 'examples_candidates';
const FIELDS = ['id', 'name', 'email', 'ssn', 'stage'];
const USERS = [
  { pane: 'owner', userId: 'olivia', roles: ['owner'] },
  { pane: 'recruiter', userId: 'rick', roles: ['recruiter'] },
];

function render(pane, row) {
  const body = document.getElementById(`${pane}-row`);
  body.replaceChildren(...FIELDS.filter((f) => f in row).map((f) => {
    const tr = document.createElement('tr');
    const th = document.createElement('th');
    const td = document.createElement('td');
    th.textContent = f;
    // text, never markup: the values come from whoever published
    td.textContent = String(row[f]);
    td.dataset.testid = `${pane}-${f}`;
    tr.append(th, td);
    return tr;
  }));
}

function log(pane, text) {
  const li = document.createElement('li');
  li.textContent = text;
  document.getElementById(`${pane}-events`).prepend(li);
}

await signedIn();
for (const { pane, userId, roles } of USERS) {
  const rt = createBroadcast({
    url: location.origin,
    // asked before every connect: tickets are short-lived
    ticket: () => ticket(userId, roles),
    organizationId: ORG,
  });
  rt.on('state', (state) => showState(`${pane}-state`, state));
  rt.on('postgres_changes', { table: TABLE }, (change) => {
    render(pane, change.new ?? change.old ?? {});
    log(pane, `${change.eventType} ${TABLE} ${change.new?.id ?? ''}`);
  });
  rt.on('broadcast', '*', (payload, message) => log(pane, `event ${message.event}: ${JSON.stringify(payload)}`));
  rt.on('error', (e) => log(pane, `error: ${e.code} ${e.message}`));
}

const result = document.getElementById('publish-result');
const value = (id) => document.getElementById(id).value;

document.getElementById('publish-change').addEventListener('click', async () => {
  const row = { id: 'cand_1', name: value('f-name'), email: value('f-email'), ssn: value('f-ssn'), stage: value('f-stage') };
  try {
    // what an application's backend sends after it changed the row (or what Herald's CDC sends for it)
    const answer = await post('/broadcast/v1/changes', { table: TABLE, eventType: 'UPDATE', organizationId: ORG, new: row });
    result.textContent = `Delivered to ${answer.delivered} socket(s).`;
  } catch (e) {
    result.textContent = `Refused: ${e.message}`;
  }
});

document.getElementById('publish-event').addEventListener('click', async () => {
  try {
    const answer = await post('/admin/v1/publish', { event: 'test-event', payload: { text: 'hello from the dashboard' }, organizationId: ORG });
    result.textContent = `Test event delivered to ${answer.delivered} socket(s).`;
  } catch (e) {
    result.textContent = `Refused: ${e.message}`;
  }
});
