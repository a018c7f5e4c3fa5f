// The admin page against a real Herald in dev mode (started by BrowserTest): sign-in, a socket the
// test opens showing up live, the publish action reaching it, and a screenshot for review.
import { test, expect } from '@playwright/test';

const base = process.env.HERALD_URL;
const accessToken = process.env.HERALD_ACCESS_TOKEN;
const screenshot = process.env.HERALD_SCREENSHOT;

// Every URL the page asks for: the token must never be in one.
function watchUrls(page) {
  const urls = [];
  // the page's own errors go to the output, for whoever reads a failure
  page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && console.log(`page console: ${m.text()}`));
  page.on('request', (r) => urls.push(r.url()));
  return urls;
}

async function signIn(page, token) {
  await page.goto(`${base}/admin/`);
  await page.getByTestId('token').fill(token);
  await page.getByTestId('sign-in-button').click();
}

async function mintTicket(userId, organizationId) {
  const res = await fetch(`${base}/admin/v1/tokens`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${accessToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ kind: 'ticket', userId, organizationId, roles: ['member'] }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()).ticket;
}

test('sign-in is refused with a wrong token', async ({ page }) => {
  const urls = watchUrls(page);
  const wrong = 'not-the-access-token-0123456789abcdef';
  await signIn(page, wrong);
  await expect(page.getByTestId('sign-in-error')).toContainText('Sign-in refused');
  await expect(page.getByTestId('sign-in-error')).toContainText('The server credential is invalid.');
  await expect(page.getByTestId('publish-form')).toBeHidden();
  expect(await page.evaluate(() => sessionStorage.getItem('herald.admin.token'))).toBeNull();
  expect(urls.filter((u) => u.includes(wrong))).toEqual([]);
});

test('a socket the test opens appears within 2 s, the publish action reaches it, and a screenshot is saved', async ({ page, context }) => {
  const urls = watchUrls(page);
  await signIn(page, accessToken);
  await expect(page.getByTestId('status')).toHaveText('live');
  expect(await page.evaluate(() => sessionStorage.getItem('herald.admin.token'))).toBe(accessToken);

  const user = `pw_${Date.now().toString(36)}`;
  const org = `org_${user}`;
  const ticket = await mintTicket(user, org);
  // the subscriber: a broadcast socket in another page of the same browser
  const client = await context.newPage();
  await client.goto(`${base}/healthz`);
  await client.evaluate(async (url) => {
    window.received = [];
    const ws = new WebSocket(url);
    ws.onmessage = (e) => window.received.push(e.data);
    await new Promise((resolve, reject) => {
      ws.onopen = () => ws.send('ping');
      ws.onerror = reject;
      // the pong says the server has subscribed the socket
      ws.addEventListener('message', (e) => e.data === 'pong' && resolve());
    });
  }, `${base.replace(/^http/, 'ws')}/broadcast/v1/websocket?ws_ticket=${encodeURIComponent(ticket)}`);

  const row = page.getByTestId('socket-row').filter({ hasText: user });
  await expect(row).toBeVisible({ timeout: 2000 });
  await expect(row).toContainText(`org:${org}`);
  await expect(row).toContainText('broadcast');

  await page.getByTestId('publish-event').fill('admin-test');
  await page.getByTestId('publish-target-kind').selectOption('organizationId');
  await page.getByTestId('publish-target').fill(org);
  await page.getByTestId('publish-payload').fill('{"text":"hello from playwright"}');
  await page.getByTestId('publish-button').click();
  await expect(page.getByTestId('publish-result')).toHaveText('Delivered to 1 socket(s).');
  await expect.poll(() => client.evaluate(() => window.received.filter((m) => m !== 'pong')), { timeout: 5000 })
    .toEqual([JSON.stringify({ type: 'broadcast', event: 'admin-test', payload: { text: 'hello from playwright' } })]);
  // the tail shows it, as the admin page published it
  await expect(page.getByTestId('publish-row').filter({ hasText: org }).first()).toContainText('admin page', { timeout: 3000 });

  await page.screenshot({ path: screenshot, fullPage: true });
  expect(urls.filter((u) => u.includes(accessToken))).toEqual([]);
});
