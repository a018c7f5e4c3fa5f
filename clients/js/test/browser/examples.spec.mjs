// The examples at /examples/ against a real Herald in dev mode (started by BrowserTest through the
// same configuration loading as `./herald serve`, so with the bindings, channel and table dev mode adds):
// one test per example, and the admin publish reaching a page that runs @herald/client. Every page is
// signed in the way a person would, with the ACCESS_TOKEN typed into its form.
import { test, expect } from '@playwright/test';

const base = process.env.HERALD_URL;
const accessToken = process.env.HERALD_ACCESS_TOKEN;

// A page of the example, signed in, whose errors (a script error, a refused Content-Security-Policy) fail the test.
async function open(context, file) {
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(`page error: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && page.errors.push(`console: ${m.text()}`));
  page.on('response', (r) => r.status() >= 400 && page.errors.push(`HTTP ${r.status()} for ${r.url()}`));
  await page.goto(`${base}/examples/${file}`);
  await page.getByTestId('token').fill(accessToken);
  await page.getByTestId('sign-in-button').click();
  await expect(page.getByTestId('sign-in')).toBeHidden();
  return page;
}

function noErrors(...pages) {
  expect(pages.flatMap((p) => p.errors)).toEqual([]);
}

test('dashboard: one published change shows unmasked to the owner and masked to the recruiter', async ({ context }) => {
  const page = await open(context, 'dashboard.html');
  await expect(page.getByTestId('owner-state')).toHaveText('open');
  await expect(page.getByTestId('recruiter-state')).toHaveText('open');

  await page.getByTestId('input-ssn').fill('123-45-6789');
  await page.getByTestId('input-email').fill('jane@acme.com');
  await page.getByTestId('publish-change').click();

  await expect(page.getByTestId('publish-result')).toHaveText('Delivered to 2 socket(s).');
  await expect(page.getByTestId('owner-ssn')).toHaveText('123-45-6789');
  await expect(page.getByTestId('owner-email')).toHaveText('jane@acme.com');
  await expect(page.getByTestId('recruiter-stage')).toHaveText('interview');
  const ssn = await page.getByTestId('recruiter-ssn').textContent();
  const email = await page.getByTestId('recruiter-email').textContent();
  console.log(`recruiter sees ssn ${ssn}, email ${email}`);
  expect(ssn).not.toContain('123-45');
  expect(ssn).toMatch(/6789$/);
  expect(email).not.toBe('jane@acme.com');
  noErrors(page);
});

test('a test event published through /admin/v1/publish reaches a page running @herald/client', async ({ context }) => {
  const page = await open(context, 'dashboard.html');
  await expect(page.getByTestId('owner-state')).toHaveText('open');
  await expect(page.getByTestId('recruiter-state')).toHaveText('open');

  await page.getByTestId('publish-event').click();

  await expect(page.getByTestId('publish-result')).toHaveText('Test event delivered to 2 socket(s).');
  for (const pane of ['owner', 'recruiter']) {
    await expect(page.getByTestId(`${pane}-events`)).toContainText('event test-event: {"text":"hello from the dashboard"}');
  }
  noErrors(page);
});

test('chat: two pages see each other in presence and each other\'s messages', async ({ context }) => {
  const alice = await open(context, 'chat.html');
  const bob = await open(context, 'chat.html');
  for (const [page, name] of [[alice, 'alice'], [bob, 'bob']]) {
    await page.getByTestId('name').fill(name);
    await page.getByTestId('join').click();
    await expect(page.getByTestId('chat-state')).toHaveText('open');
  }
  for (const page of [alice, bob]) {
    await expect(page.getByTestId('peer')).toHaveText(['alice', 'bob']);
  }

  await alice.getByTestId('text').fill('hi bob');
  await alice.getByTestId('send').click();
  await expect(bob.getByTestId('messages')).toContainText('alice: hi bob');
  await bob.getByTestId('text').fill('hi alice');
  await bob.getByTestId('send').click();
  await expect(alice.getByTestId('messages')).toContainText('bob: hi alice');

  await bob.close();
  await expect(alice.getByTestId('peer')).toHaveText(['alice']);
  noErrors(alice);
});

test('editor: two pages editing one Yjs document converge on the same text', async ({ context }) => {
  const a = await open(context, 'editor.html');
  const b = await open(context, 'editor.html');
  for (const page of [a, b]) {
    await expect(page.getByTestId('editor-state')).toHaveText('open');
    await expect(page.getByTestId('editor')).toBeEnabled();
  }
  await expect(a.getByTestId('editors')).toHaveText('2 editors here');

  await a.getByTestId('editor').pressSequentially('hello from a');
  await expect(b.getByTestId('editor')).toHaveValue('hello from a');
  await b.getByTestId('editor').press('End');
  await b.getByTestId('editor').pressSequentially(', and b');
  // both typing at once: each side's edits interleave by Yjs's rules, and both end with the same text
  await Promise.all([
    a.getByTestId('editor').press('Home').then(() => a.getByTestId('editor').pressSequentially('A: ')),
    b.getByTestId('editor').pressSequentially('!'),
  ]);
  await expect(a.getByTestId('editor')).toHaveValue('A: hello from a, and b!');
  await expect(b.getByTestId('editor')).toHaveValue('A: hello from a, and b!');
  noErrors(a, b);
});

test('feed: an event published to the public channel appears on the page', async ({ context }) => {
  const page = await open(context, 'feed.html');
  await expect(page.getByTestId('feed-state')).toHaveText('open');

  await page.getByTestId('message').fill('hello from playwright');
  await page.getByTestId('publish').click();

  await expect(page.getByTestId('publish-result')).toHaveText(/^Event \d+ written to 1 stream\(s\)\.$/);
  await expect(page.getByTestId('feed-item').first()).toContainText('message: hello from playwright');
  noErrors(page);
});
