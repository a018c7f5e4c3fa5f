// What every example page shares: signing in with the dev server's ACCESS_TOKEN, and the calls that need it.
// The token stays in this tab's sessionStorage and goes out only in Authorization headers, never in a URL.
// With it the pages mint the credentials a real app would get from its own backend (POST /admin/v1/tokens,
// which only a dev-mode server answers) and publish as a backend would.

const KEY = 'herald.examples.token';
/** The organization every example's users belong to. */
export const ORG = 'org_examples';

/** Resolves with the ACCESS_TOKEN once the page has one: at once after an earlier sign-in in this tab. */
export function signedIn() {
  const form = document.getElementById('sign-in');
  const saved = sessionStorage.getItem(KEY);
  if (saved) {
    form.hidden = true;
    document.body.classList.add('signed-in');
    return Promise.resolve(saved);
  }
  return new Promise((resolve) => {
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const token = form.elements.token.value.trim();
      const error = document.getElementById('sign-in-error');
      // a cheap call that needs the token: a wrong one is told here, not as a broken example later
      const res = await fetch('/admin/v1/snapshot', { headers: { Authorization: `Bearer ${token}` } });
      if (!res.ok) {
        error.textContent = res.status === 401 ? 'That is not the ACCESS_TOKEN the server printed.' : `Sign-in failed: HTTP ${res.status}`;
        return;
      }
      error.textContent = '';
      sessionStorage.setItem(KEY, token);
      form.hidden = true;
      document.body.classList.add('signed-in');
      resolve(token);
    });
  });
}

/** POSTs {@code body} as JSON to {@code path} with the ACCESS_TOKEN; the JSON answer, or an Error with Herald's message. */
export async function post(path, body) {
  const res = await fetch(path, {
    method: 'POST',
    headers: { Authorization: `Bearer ${sessionStorage.getItem(KEY)}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = await res.json().catch(() => ({}));
  if (!res.ok) {
    const error = new Error(answer.message ?? `HTTP ${res.status}`);
    error.status = res.status;
    throw error;
  }
  return answer;
}

/** A fresh broadcast/room ticket for {@code userId} with {@code roles} in ORG, as an app's backend would hand out. */
export async function ticket(userId, roles) {
  return (await post('/admin/v1/tokens', { kind: 'ticket', userId, organizationId: ORG, roles })).ticket;
}

/** A session JWT (1 h) for {@code userId} with {@code roles} in ORG. */
export async function jwt(userId, roles) {
  return (await post('/admin/v1/tokens', { kind: 'jwt', userId, organizationId: ORG, roles })).token;
}

/** A short random suffix for default user names, so two tabs are two users. */
export function suffix() {
  return Math.random().toString(36).slice(2, 6);
}

/** Shows a connection state in the element with {@code data-testid} {@code id}. */
export function showState(id, state) {
  const el = document.querySelector(`[data-testid="${id}"]`);
  el.textContent = state;
  el.dataset.state = state;
}
