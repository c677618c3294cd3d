// The UI in a real browser against the real headless engine: `lti-inspector serve` with the
// built UI (ui/dist), driven by Debian's chromium through playwright-core.
//
//   cd ui && npm install && npm run build && cd .. && node --test tests/browser/*.test.mjs
//
// Env: LTI_INSPECTOR_BIN (default target/debug/lti-inspector), LTI_TEST_FILE_KEYSTORE=1 to use a
// file key store instead of the OS keychain (run under gnome-keyring otherwise, see
// SETUP-NOTES "Keychain in tests"). Screenshots go to tests/artifacts/.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ARTIFACTS, launchBrowser, rawRequest, skip, startServer, stopServer, afterInjectedHandlersWouldHaveRun } from './harness.mjs';

if (skip) console.log(`# SKIP ${skip}`);

let server = null; // { proc, uiUrl, base, token, tool, stderr, api }
let context = null;
let page = null;
let tmp = null;
const dialogs = [];
const pageErrors = [];

before(async () => {
  if (skip) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lti-ui-browser-'));
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  server = await startServer(tmp);
  ({ context, page } = await launchBrowser(path.join(tmp, 'profile')));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
});

after(async () => {
  await context?.close().catch(() => undefined);
  await stopServer(server);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('1. the Setup page shows the JWKS URL and a JWK with RS256', { skip }, async () => {
  await page.goto(server.uiUrl);
  await page.getByTestId('setup-page').waitFor();
  const jwksRow = page.getByTestId('setup-jwks');
  await assert.doesNotReject(jwksRow.getByText(`${server.tool}/.well-known/jwks.json`).waitFor());
  const jwk = await page.getByTestId('setup-jwk').textContent();
  assert.match(jwk, /"alg": "RS256"/);
  assert.match(jwk, /"kty": "RSA"/);
  // The token was moved out of the address bar.
  assert.ok(!page.url().includes('token='), `token still in the URL: ${page.url()}`);
  await page.screenshot({ path: path.join(ARTIFACTS, 'browser-setup.png'), fullPage: false });
});

test("2. the tool's JWKS answers 200 with an RS256 key", { skip }, async () => {
  const res = await fetch(`${server.tool}/.well-known/jwks.json`);
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.keys[0].alg, 'RS256');
});

test('3. the Timeline shows the JWKS fetch without a reload', { skip }, async () => {
  await page.evaluate(() => {
    window.__sameDocument = true;
  });
  await page.getByTestId('nav-timeline').click();
  await page.getByTestId('timeline').waitFor();
  // Flows are the Timeline's first view; every exchange is one tab away.
  await page.getByTestId('tab-exchanges').click();
  const row = page.getByTestId('exchange-row').filter({ hasText: '/.well-known/jwks.json' });
  await row.first().waitFor();
  assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page was reloaded');
  assert.match(await row.first().textContent(), /200/);
});

test('4. the API refuses a call without the token (401)', { skip }, async () => {
  const res = await fetch(`${server.base}/api/rpc/get_status`, { method: 'POST', body: '{}' });
  assert.equal(res.status, 401);
  const err = await res.json();
  assert.equal(err.code, 'unauthorized');
});

test('5. the API refuses a foreign Host even with the token (403)', { skip }, async () => {
  const res = await rawRequest(`${server.base}/api/rpc/get_status`, {
    method: 'POST',
    headers: { Host: 'evil.example', Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
    body: '{}',
  });
  assert.equal(res.status, 403);
  // The same request with our own Host works, so the 403 is about the Host.
  const ok = await rawRequest(`${server.base}/api/rpc/get_status`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
    body: '{}',
  });
  assert.equal(ok.status, 200);
});

test('6. markup in a recorded URL appears live, as literal text, and never runs', { skip }, async () => {
  const payload = '<script>alert(1)</script>';
  // fetch percent-encodes < and >; the Timeline shows the decoded path as text.
  const res = await fetch(`${server.tool}/probe/${payload}?q=<img src=x onerror=alert(2)>`);
  assert.equal(res.status, 404);
  const row = page.getByTestId('exchange-row').filter({ hasText: payload });
  await row.first().waitFor();
  assert.match(await row.first().textContent(), /\/probe\/<script>alert\(1\)<\/script>/);
  // Open it: the detail pane shows it as text too.
  await row.first().click();
  const detailUrl = page.getByTestId('detail-url');
  await detailUrl.waitFor();
  assert.ok((await detailUrl.textContent()).includes(payload));
  assert.ok((await detailUrl.textContent()).includes('<img src=x onerror=alert(2)>'));
  // No element was created from the payload, and no dialog opened.
  const injected = await page.evaluate(
    () => [...document.querySelectorAll('script')].some((s) => (s.textContent ?? '').includes('alert(')) || document.querySelectorAll('img[src="x"]').length > 0,
  );
  assert.equal(injected, false, 'payload turned into elements');
  await afterInjectedHandlersWouldHaveRun(page);
  assert.deepEqual(dialogs, [], `a dialog opened: ${dialogs.join(', ')}`);

  // Screenshot: the JWKS exchange open in the detail pane, response tab.
  await page.getByTestId('exchange-row').filter({ hasText: '/.well-known/jwks.json' }).first().click();
  await page.getByRole('tab', { name: /Response/ }).click();
  await page.getByTestId('body-text').waitFor();
  await page.screenshot({ path: path.join(ARTIFACTS, 'browser-timeline.png') });
});

test('7. themes: dark mode applies and persists; a tab without a valid token explains what to open', { skip }, async () => {
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('theme-dark').click();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  assert.equal(await page.evaluate(() => localStorage.getItem('lti-inspector.theme')), 'dark');
  await page.screenshot({ path: path.join(ARTIFACTS, 'browser-settings-dark.png') });
  await page.getByTestId('nav-timeline').click();
  await page.getByTestId('tab-exchanges').click();
  await page.getByTestId('exchange-detail').waitFor({ state: 'detached' }).catch(() => undefined);
  await page.getByTestId('exchange-row').first().waitFor();
  await page.getByTestId('exchange-row').filter({ hasText: '/.well-known/jwks.json' }).first().click();
  await page.getByTestId('exchange-detail').waitFor();
  await page.screenshot({ path: path.join(ARTIFACTS, 'browser-timeline-dark.png') });
  await page.getByTestId('nav-setup').click();
  await page.getByTestId('setup-jwk').waitFor();
  await page.screenshot({ path: path.join(ARTIFACTS, 'browser-setup-dark.png') });

  // sessionStorage is per tab, and with no tab of the UI open none can hand it over: a new tab
  // on the bare URL has no token.
  await page.goto('about:blank');
  const other = await context.newPage();
  await other.goto(`${server.base}/`);
  await other.getByTestId('no-token').waitFor();
  assert.match(await other.getByTestId('no-token').textContent(), /Open the ui: URL printed by `lti-inspector serve`/);
  // A wrong (stale) token: the engine refuses it and the page says why.
  await other.goto(`${server.base}/?token=not-the-token`);
  await other.getByTestId('stale-token').waitFor();
  assert.ok(!other.url().includes('token='));
  await other.close();
  assert.deepEqual(pageErrors, [], `uncaught errors in the page: ${pageErrors.join('\n')}`);
});
