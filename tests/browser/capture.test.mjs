// A real LTI 1.3 launch captured and shown in a real browser: node plays the platform (its own
// RSA key registered through the API, the OIDC login, an RS256 id_token signed here) against
// `lti-inspector serve`; chromium checks that the flow appears live in the Timeline, that its
// view shows the sequence, the claims (hostile markup as literal text, never as elements) and
// the findings, and that a tampered signature fails `jwt.signature`.
//
//   cd ui && npm run build && cd .. && node --test tests/browser/*.test.mjs
//
// Screenshots: tests/artifacts/browser-flow.png (light) and browser-flow-dark.png.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ARTIFACTS, launchBrowser, skip, startServer, stopServer, afterInjectedHandlersWouldHaveRun } from './harness.mjs';

if (skip) console.log(`# SKIP ${skip}`);

const ISSUER = 'https://lms.example.edu';
const CLIENT_ID = 'inspector-client-42';
const DEPLOYMENT_ID = 'dep-1';
const KID = 'platform-key-1';
const HOSTILE_NAME = '<img src=x onerror=alert(1)>';
const HOSTILE_CONTEXT = '<script>alert(2)</script>';
const LTI = 'https://purl.imsglobal.org/spec/lti/claim';

let server = null;
let context = null;
let page = null;
let tmp = null;
const dialogs = [];
const pageErrors = [];
const keys = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const flows = {}; // name → flow id

const b64url = (obj) => Buffer.from(JSON.stringify(obj)).toString('base64url');

function signJwt(header, payload) {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${crypto.sign('RSA-SHA256', Buffer.from(input), keys.privateKey).toString('base64url')}`;
}

/**
 * Runs the OIDC launch from node: login initiation → read state, nonce and the state cookie from
 * the redirect → sign an id_token → form_post it with the cookie. `tamper` changes the payload
 * after signing (the signature no longer matches). Returns the landing page and the flow id.
 */
async function launch({ tamper = false } = {}) {
  const tool = server.tool;
  const login = await fetch(`${tool}/lti/login`, {
    method: 'POST',
    redirect: 'manual',
    body: new URLSearchParams({ iss: ISSUER, login_hint: 'user-7', target_link_uri: `${tool}/lti/launch`, client_id: CLIENT_ID, lti_deployment_id: DEPLOYMENT_ID }),
  });
  assert.equal(login.status, 302, `login initiation should redirect to the platform: ${login.status} ${await login.text()}`);
  const location = new URL(login.headers.get('location'));
  assert.equal(location.origin + location.pathname, `${ISSUER}/auth`);
  const state = location.searchParams.get('state');
  const nonce = location.searchParams.get('nonce');
  assert.ok(state && nonce, `no state/nonce in ${location}`);
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  assert.ok(cookie.includes(state), 'the state cookie carries the state');

  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: ISSUER,
    aud: CLIENT_ID,
    sub: 'user-7',
    exp: now + 300,
    iat: now,
    nonce,
    name: HOSTILE_NAME,
    given_name: 'Ada',
    [`${LTI}/deployment_id`]: DEPLOYMENT_ID,
    [`${LTI}/version`]: '1.3.0',
    [`${LTI}/message_type`]: 'LtiResourceLinkRequest',
    [`${LTI}/target_link_uri`]: `${tool}/lti/launch`,
    [`${LTI}/resource_link`]: { id: 'rl-1', title: 'Week 1 quiz' },
    [`${LTI}/roles`]: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'],
    [`${LTI}/context`]: { id: 'ctx-1', title: HOSTILE_CONTEXT, label: 'BIO101' },
    'https://www.instructure.com/placement': 'course_navigation',
    'https://vendor.example/claims/colour': { shade: 'teal' },
  };
  let idToken = signJwt({ alg: 'RS256', typ: 'JWT', kid: KID }, claims);
  if (tamper) {
    const [h, , s] = idToken.split('.');
    idToken = `${h}.${b64url({ ...claims, sub: 'someone-else' })}.${s}`;
  }
  const res = await fetch(`${tool}/lti/launch`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie },
    body: new URLSearchParams({ id_token: idToken, state }),
  });
  const html = await res.text();
  const m = /#\/flows\/([A-Za-z0-9_-]+)/.exec(html);
  assert.ok(m, `the landing page links to the flow: ${html.slice(0, 600)}`);
  return { status: res.status, html, flowId: m[1] };
}

before(async () => {
  if (skip) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lti-ui-capture-'));
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  server = await startServer(tmp);
  ({ context, page } = await launchBrowser(path.join(tmp, 'profile'), { width: 1440, height: 900 }));
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

test('1. a platform registered through the API with a pasted public JWK', { skip }, async () => {
  const jwk = { ...keys.publicKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' };
  const saved = await server.api('save_platform', {
    name: 'Example LMS',
    issuer: ISSUER,
    client_id: CLIENT_ID,
    deployment_ids: [DEPLOYMENT_ID],
    auth_endpoint: `${ISSUER}/auth`,
    token_endpoint: `${ISSUER}/token`,
    public_key: JSON.stringify(jwk),
  });
  assert.equal(saved.public_jwks.keys[0].kid, KID);
  const listed = await server.api('list_platforms');
  assert.ok(listed.some((p) => p.id === saved.id));
});

test('2. a launch appears live in the Timeline flows with verdict valid; the landing page escapes the claims', { skip }, async () => {
  await page.goto(server.uiUrl);
  await page.getByTestId('nav-timeline').click();
  await page.getByTestId('flow-list').or(page.getByText('No flows yet')).first().waitFor();
  await page.evaluate(() => {
    window.__sameDocument = true;
  });

  const { html, flowId, status } = await launch();
  flows.valid = flowId;
  assert.equal(status, 200);
  assert.ok(html.includes('Valid launch'), 'landing page says Valid launch');
  assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'), 'the name is escaped on the landing page');
  assert.ok(html.includes('&lt;script&gt;alert(2)&lt;/script&gt;'), 'the context title is escaped on the landing page');
  assert.ok(!html.includes(HOSTILE_NAME) && !html.includes(HOSTILE_CONTEXT), 'no raw markup on the landing page');

  const row = page.locator(`[data-testid="flow-row"][data-id="${flowId}"]`);
  await row.waitFor();
  // After its login the flow is already "valid" (the login's checks passed) with no user yet:
  // wait for the launch's own update (its message type) before reading the row.
  await page.locator(`[data-testid="flow-row"][data-id="${flowId}"][data-verdict="valid"]`).filter({ hasText: 'LtiResourceLinkRequest' }).waitFor();
  const text = await row.textContent();
  assert.match(text, /Valid/);
  assert.match(text, /Example LMS/);
  assert.ok(text.includes(HOSTILE_NAME), `the user shows as text: ${text}`);
  assert.match(text, /LtiResourceLinkRequest/);
  assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page was reloaded');
});

async function assertNoInjection() {
  const injected = await page.evaluate(() => ({
    img: document.querySelectorAll('img[src="x"], img[onerror]').length,
    script: [...document.querySelectorAll('script')].filter((s) => (s.textContent ?? '').includes('alert(')).length,
  }));
  assert.deepEqual(injected, { img: 0, script: 0 }, 'payload turned into elements');
  await afterInjectedHandlersWouldHaveRun(page);
  assert.deepEqual(dialogs, [], `a dialog opened: ${dialogs.join(', ')}`);
}

test('3. the flow view: sequence, claims as literal text, findings, raw HTTP of a step', { skip }, async () => {
  await page.locator(`[data-testid="flow-row"][data-id="${flows.valid}"]`).click();
  await page.getByTestId('flow-page').waitFor();
  assert.ok(page.url().endsWith(`#/flows/${flows.valid}`), page.url());
  assert.equal(await page.getByTestId('flow-verdict').getAttribute('data-verdict'), 'valid');

  // The sequence diagram: login, its redirect to the platform, the form_post, the landing page.
  const steps = page.getByTestId('seq-step');
  await steps.first().waitFor();
  const kinds = await steps.evaluateAll((els) => els.map((e) => `${e.dataset.step}:${e.dataset.part}`));
  assert.deepEqual(kinds, ['login:request', 'login:response', 'launch:request', 'launch:response']);
  assert.match(await steps.nth(0).textContent(), /Login initiation/);
  assert.match(await steps.nth(2).textContent(), /id_token form_post/);

  // The claims table: the hostile name is text, unknown and vendor claims are marked.
  const nameRow = page.locator('[data-testid="claim-row"][data-uri="name"]');
  assert.equal(await nameRow.getByTestId('claim-value').textContent(), HOSTILE_NAME);
  const contextRow = page.locator(`[data-testid="claim-row"][data-uri="${LTI}/context"]`);
  assert.ok((await contextRow.textContent()).includes(HOSTILE_CONTEXT), 'context title shown as text');
  assert.match(await page.locator('[data-testid="claim-row"][data-uri="https://vendor.example/claims/colour"]').textContent(), /unknown claim/);
  assert.match(await page.locator('[data-testid="claim-row"][data-uri="https://www.instructure.com/placement"]').textContent(), /Canvas/);
  assert.match(await page.getByTestId('roles').textContent(), /Learner/);
  const headerJson = await page.getByTestId('jwt-header').textContent();
  assert.match(headerJson, new RegExp(`"kid": "${KID}"`));

  // Findings: nothing failed; passed checks are counted.
  const passed = await page.getByTestId('findings-passed-count').textContent();
  assert.ok(Number(/(\d+) passed/.exec(passed)?.[1]) > 10, passed);
  await assertNoInjection();

  // A step's raw HTTP, with Copy as curl.
  await steps.nth(2).click();
  const detail = page.getByTestId('exchange-detail');
  await detail.waitFor();
  assert.match(await detail.getByTestId('detail-url').textContent(), /\/lti\/launch$/);
  assert.ok(await detail.getByRole('button', { name: 'Copy as curl' }).isVisible());

  await page.getByTestId('flow-page').evaluate((el) => el.scrollTo(0, 0));
  await page.screenshot({ path: path.join(ARTIFACTS, 'browser-flow.png'), fullPage: false });
  await page.locator(`[data-testid="claim-row"][data-uri="${LTI}/context"]`).evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: path.join(ARTIFACTS, 'browser-flow-claims.png'), fullPage: false });
});

test('4. a tampered signature: verdict invalid, jwt.signature failed with its spec link', { skip }, async () => {
  const { flowId, html } = await launch({ tamper: true });
  flows.tampered = flowId;
  assert.ok(!html.includes('Valid launch'), 'the tampered launch is not valid');
  // The flows list gets it live, as invalid.
  await page.evaluate(() => {
    window.location.hash = '#/timeline';
  });
  await page.locator(`[data-testid="flow-row"][data-id="${flowId}"][data-verdict="invalid"]`).waitFor();

  // Deep link, the way the landing page links to it.
  await page.goto(`${server.base}/#/flows/${flowId}`);
  await page.getByTestId('flow-page').waitFor();
  assert.equal(await page.getByTestId('flow-verdict').getAttribute('data-verdict'), 'invalid');
  const finding = page.locator('[data-testid="finding"][data-rule="jwt.signature"]');
  await finding.waitFor();
  assert.match(await finding.textContent(), /jwt\.signature/);
  const link = finding.getByTestId('finding-spec-link');
  assert.match(await link.getAttribute('href'), /^https:\/\/www\.imsglobal\.org\/spec\/security\//);
  assert.equal(await link.getAttribute('target'), '_blank');
  assert.match(await link.getAttribute('rel'), /noopener/);
  assert.match(await link.getAttribute('rel'), /noreferrer/);
  await assertNoInjection();
  await finding.scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(ARTIFACTS, 'browser-flow-invalid.png') });

  // Dark theme, same flow.
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('theme-dark').click();
  await page.goto(`${server.base}/#/flows/${flows.valid}`);
  await page.getByTestId('flow-page').waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  await page.getByTestId('seq-step').nth(1).click();
  await page.getByTestId('exchange-detail').waitFor();
  await page.getByTestId('flow-page').evaluate((el) => el.scrollTo(0, 0));
  await page.screenshot({ path: path.join(ARTIFACTS, 'browser-flow-dark.png') });
  await page.getByTestId('messages-card').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(ARTIFACTS, 'browser-flow-claims-dark.png') });
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('theme-light').click();
});

test('5. keyboard: j/k select a flow, Enter opens it, Esc goes back', { skip }, async () => {
  await page.goto(`${server.base}/#/timeline`);
  await page.getByTestId('flow-list').waitFor();
  await page.screenshot({ path: path.join(ARTIFACTS, 'browser-flows.png') });
  await page.locator('body').click({ position: { x: 5, y: 5 } }).catch(() => undefined);
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await page.keyboard.press('k');
  // Newest first: the first row is the tampered launch.
  await page.locator(`[data-testid="flow-row"][data-id="${flows.tampered}"][aria-selected="true"]`).waitFor();
  await page.keyboard.press('Enter');
  await page.getByTestId('flow-page').waitFor();
  assert.ok(page.url().endsWith(`#/flows/${flows.tampered}`), page.url());
  await page.keyboard.press('j');
  await page.locator('[data-testid="seq-step"][aria-selected="true"]').waitFor();
  await page.keyboard.press('Escape'); // closes the step
  await page.keyboard.press('Escape'); // back to the flows
  await page.getByTestId('flow-list').waitFor();
});

test('6. Platforms: add from a preset, a bad endpoint is refused inline, delete after confirming', { skip }, async () => {
  await page.getByTestId('nav-platforms').click();
  await page.getByTestId('platforms-page').waitFor();
  const example = page.getByTestId('platform-card').filter({ hasText: 'Example LMS' });
  await example.waitFor();
  assert.match(await example.textContent(), /pasted key/);
  assert.match(await example.textContent(), new RegExp(DEPLOYMENT_ID));

  await page.getByTestId('add-platform').click();
  await page.getByTestId('preset-moodle').click();
  await page.getByTestId('field-site').fill('https://moodle.school.edu/');
  await page.getByTestId('field-client_id').fill('moodle-client-1');
  // The preset fills the endpoints from the site as it is typed (shown under "Endpoints").
  await page.locator('details.advanced summary').click();
  assert.equal(await page.getByTestId('field-auth_endpoint').inputValue(), 'https://moodle.school.edu/mod/lti/auth.php');
  await page.screenshot({ path: path.join(ARTIFACTS, 'browser-platform-preset.png') });
  await page.getByTestId('platform-save').click();
  const moodle = page.getByTestId('platform-card').filter({ hasText: 'moodle-client-1' });
  await moodle.waitFor();
  const moodleText = await moodle.textContent();
  assert.match(moodleText, /https:\/\/moodle\.school\.edu\/mod\/lti\/auth\.php/);
  assert.match(moodleText, /any/);

  // Custom, with an endpoint that is not a URL: said beside the field as it is typed, and
  // Save sends nothing while it stands (the engine refuses it too: tests/browser/failures).
  await page.getByTestId('add-platform').click();
  await page.getByTestId('preset-custom').click();
  await page.getByTestId('field-issuer').fill('https://custom.example');
  await page.getByTestId('field-client_id').fill('c1');
  await page.getByTestId('field-auth_endpoint').fill('not a url');
  await page.getByTestId('field-jwks_url').fill('https://custom.example/jwks');
  const authField = page.locator('.field', { has: page.getByTestId('field-auth_endpoint') });
  await authField.locator('.field-error').waitFor();
  assert.match(await authField.locator('.field-error').textContent(), /must be a URL/);
  await page.getByTestId('platform-save').click();
  await page.screenshot({ path: path.join(ARTIFACTS, 'browser-platform-form.png') });
  await page.getByRole('button', { name: 'Back' }).click();
  await page.getByRole('button', { name: 'Cancel' }).first().click();

  // Delete, after an in-page confirmation (no dialog).
  await page.screenshot({ path: path.join(ARTIFACTS, 'browser-platforms.png') });
  await moodle.getByTestId('platform-delete').click();
  await moodle.getByTestId('delete-yes').click();
  await moodle.waitFor({ state: 'detached' });
  // (The emulator's demo registration may be listed too.)
  const left = (await server.api('list_platforms')).map((p) => p.client_id);
  assert.ok(left.includes(CLIENT_ID) && !left.includes('moodle-client-1') && !left.includes('c1'), left.join(', '));
  assert.deepEqual(dialogs, []);
});

test('7. Rules: the catalog is searchable, the claims dictionary is beside it', { skip }, async () => {
  await page.getByTestId('nav-rules').click();
  await page.getByTestId('rule-catalog').waitFor();
  assert.ok((await page.getByTestId('rule-row').count()) > 40);
  await page.screenshot({ path: path.join(ARTIFACTS, 'browser-rules.png') });
  await page.getByTestId('rules-search').fill('signature');
  await page.locator('#rule-jwt\\.signature').waitFor();
  await page.getByTestId('tab-claims').click();
  await page.getByTestId('rules-search').fill('vendor:canvas');
  await page.getByTestId('dict-row').first().waitFor();
  assert.match(await page.getByTestId('dict-row').first().textContent(), /Canvas/);
  assert.deepEqual(pageErrors, [], `uncaught errors in the page: ${pageErrors.join('\n')}`);
});
