// The platform emulator in a real browser against `lti-inspector serve`: "Launch demo" opens a
// new tab that runs the whole OIDC launch (emulator → the inspector's own tool side, forms
// auto-posted) to a "Valid launch" landing page, and the Timeline shows the new valid flow; a
// launch with a negative test (expired token) gives an invalid tool-side flow whose failed rule
// is the one the test is named by — and so does every other negative test. Then the roster
// (TeachingAssistant, Mentor, TestUser badges; a hostile name as text), the tool registry (a tool
// registered through the form with a pasted key), and the gradebook updated live while a tool
// written here (node: its own RSA key, client_credentials, AGS) posts a score, with the
// deep-linked items it returns shown as text.
//
//   cd ui && npm run build && cd .. && node --test tests/browser/emulator.test.mjs
//
// Screenshots: tests/artifacts/browser-emulator.png (light), browser-emulator-dark.png, and
// browser-emulator-{launch,courses,tools,gradebook}.png.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ARTIFACTS, launchBrowser, skip, startServer, stopServer, afterInjectedHandlersWouldHaveRun } from './harness.mjs';

if (skip) console.log(`# SKIP ${skip}`);

const HOSTILE_NAME = '<img src=x onerror=alert(1)>';
const HOSTILE_COMMENT = '<script>alert(2)</script> well done';
const HOSTILE_TITLE = '<img src=y onerror=alert(3)> Chapter 1';
const DEMO_COURSE = 'demo-course';
const DEMO_LINK = 'demo-link-1';
const LTI = 'https://purl.imsglobal.org/spec/lti/claim';
const DL = 'https://purl.imsglobal.org/spec/lti-dl/claim';

let server = null;
let context = null;
let page = null;
let tmp = null;
const dialogs = [];
const pageErrors = [];
const keys = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const KID = 'node-tool-1';
let nodeTool = null; // the tool registered through the form (node holds its private key)

const b64url = (obj) => Buffer.from(JSON.stringify(obj)).toString('base64url');
function signJwt(payload) {
  const input = `${b64url({ alg: 'RS256', typ: 'JWT', kid: KID })}.${b64url(payload)}`;
  return `${input}.${crypto.sign('RSA-SHA256', Buffer.from(input), keys.privateKey).toString('base64url')}`;
}

before(async () => {
  if (skip) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lti-ui-emulator-'));
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

/** Runs `click` and returns the tab it opens, once the launch in it has reached the tool's landing page. */
async function launchInNewTab(click) {
  const [tab] = await Promise.all([context.waitForEvent('page', { timeout: 15_000 }), click()]);
  tab.on('dialog', (d) => {
    dialogs.push(`launch tab: ${d.message()}`);
    void d.dismiss();
  });
  await tab.waitForURL(/\/lti\/launch(\?|$)/, { timeout: 15_000 });
  await tab.waitForLoadState('load');
  const html = await tab.content();
  const m = /#\/flows\/([A-Za-z0-9_-]+)/.exec(html);
  assert.ok(m, `the landing page links to the tool-side flow: ${html.slice(0, 400)}`);
  return { tab, html, text: await tab.locator('body').innerText(), toolFlow: m[1] };
}

async function assertNoInjection() {
  const injected = await page.evaluate(() => ({
    img: document.querySelectorAll('img[src="x"], img[src="y"], img[onerror]').length,
    script: [...document.querySelectorAll('script')].filter((s) => (s.textContent ?? '').includes('alert(')).length,
    jsLinks: document.querySelectorAll('a[href^="javascript:"]').length,
  }));
  assert.deepEqual(injected, { img: 0, script: 0, jsLinks: 0 }, 'tool- or user-supplied markup turned into elements');
  await afterInjectedHandlersWouldHaveRun(page);
  assert.deepEqual(dialogs, [], `a dialog opened: ${dialogs.join(', ')}`);
}

test('1. Overview: the emulator setup, and "Launch demo" runs a valid launch in a new tab, recorded as flows', { skip }, async () => {
  const setup = await server.api('get_emulator_setup');
  await page.goto(server.uiUrl);
  await page.getByTestId('nav-emulator').click();
  await page.getByTestId('emulator-page').waitFor();
  await page.getByTestId('demo-card').waitFor();
  assert.equal(await page.getByTestId('emu-setup-issuer').locator('code').textContent(), setup.issuer);
  assert.equal(await page.getByTestId('emu-setup-token').locator('code').textContent(), setup.token_endpoint);
  assert.equal(await page.getByTestId('emu-setup-jwks').locator('code').textContent(), setup.jwks_url);
  assert.match(await page.getByTestId('setup-services').first().textContent(), new RegExp(`/courses/${DEMO_COURSE}/memberships`));
  assert.match(await page.getByTestId('emulator-server').textContent(), /listening/);

  const { tab, text, toolFlow } = await launchInNewTab(() => page.getByTestId('launch-demo').click());
  assert.match(text, /Valid launch/, `the tool side's landing page: ${text.slice(0, 300)}`);
  assert.match(text, /LtiResourceLinkRequest/);
  await tab.close();

  const outcome = page.getByTestId('demo-outcome');
  await outcome.waitFor();
  const emulatorFlow = await outcome.getAttribute('data-flow');
  assert.match(await outcome.textContent(), /Opened in a new tab/);
  await page.screenshot({ path: path.join(ARTIFACTS, 'browser-emulator.png') });

  // Both sides' flows in the Timeline: the tool side's, valid, and the emulator's.
  await page.getByTestId('nav-timeline').click();
  await page.locator(`[data-testid="flow-row"][data-id="${toolFlow}"][data-verdict="valid"]`).waitFor();
  await page.locator(`[data-testid="flow-row"][data-id="${emulatorFlow}"]`).waitFor();
  const flows = await server.api('list_flows', { limit: 10 });
  assert.equal(flows.find((f) => f.id === toolFlow)?.side, 'tool');
  assert.equal(flows.find((f) => f.id === emulatorFlow)?.side, 'emulator');
});

test('2. Launch: an expired-token launch as a learner gives an invalid flow that fails idtoken.exp', { skip }, async () => {
  await page.goto(`${server.base}/#/emulator/launch/${DEMO_COURSE}`);
  await page.getByTestId('launch-options').waitFor();
  const expired = page.getByTestId('negative-option').filter({ hasText: 'idtoken.exp' });
  assert.match(await expired.textContent(), /Expired token\s*→\s*idtoken\.exp/);
  await page.getByTestId('launch-user').selectOption('demo-learner-1');
  await page.getByTestId('negative-idtoken.exp').check();
  const button = page.locator(`[data-testid="launch-as"][data-link="${DEMO_LINK}"]`);
  assert.equal((await button.textContent()).trim(), 'Launch as Alan Turing');
  await page.screenshot({ path: path.join(ARTIFACTS, 'browser-emulator-launch.png') });

  const { tab, text, toolFlow } = await launchInNewTab(() => button.click());
  assert.match(text, /Invalid launch/, text.slice(0, 300));
  assert.match(text, /idtoken\.exp/);
  await tab.close();
  // The launch is listed (from the store, as flows change), linked to both sides, newest first.
  const expiredRow = page.getByTestId('launch-log-row').filter({ hasText: 'idtoken.exp' }).first();
  await expiredRow.waitFor();
  assert.match(await page.getByTestId('launch-log-row').first().textContent(), /idtoken\.exp/);
  await expiredRow.getByTestId('launch-log-tool').waitFor();
  assert.match(await expiredRow.textContent(), /failed as intended/);
  // It survives a reload.
  await page.reload();
  await page.getByTestId('launch-log-row').filter({ hasText: 'idtoken.exp' }).first().waitFor();

  await page.goto(`${server.base}/#/flows/${toolFlow}`);
  await page.getByTestId('flow-page').waitFor();
  assert.equal(await page.getByTestId('flow-verdict').getAttribute('data-verdict'), 'invalid');
  await page.locator('[data-testid="finding"][data-rule="idtoken.exp"]').waitFor();
  const failedErrors = await page.locator('[data-testid="findings-error"] [data-testid="finding"]').evaluateAll((els) => els.map((e) => e.dataset.rule));
  assert.deepEqual(failedErrors, ['idtoken.exp'], `only the named rule fails: ${failedErrors.join(', ')}`);
});

test('3. every negative test fails the rule it is named by', { skip }, async () => {
  const negatives = await server.api('list_negative_tests');
  assert.ok(negatives.length >= 5, JSON.stringify(negatives));
  const problems = [];
  const tab = await context.newPage();
  for (const n of negatives) {
    const { url } = await server.api('launch_url', { tool_id: 'demo-tool', user_id: 'demo-learner-2', negative: n.id });
    await tab.goto(url);
    await tab.waitForURL(/\/lti\/launch(\?|$)/, { timeout: 15_000 });
    const html = await tab.content();
    const id = /#\/flows\/([A-Za-z0-9_-]+)/.exec(html)?.[1];
    if (!id) {
      problems.push(`${n.id}: no landing page link`);
      continue;
    }
    const flow = await server.api('get_flow', { id });
    const failed = flow.messages.flatMap((m) => m.message.report.findings).filter((f) => f.outcome === 'fail').map((f) => f.rule_id);
    if (flow.flow.verdict !== 'invalid' || !failed.includes(n.rule_id)) problems.push(`${n.id} (${n.label}): verdict ${flow.flow.verdict}, failed [${failed.join(', ')}], expected ${n.rule_id} to fail`);
  }
  await tab.close();
  assert.deepEqual(problems, []);
});

test('4. Courses: a member added through the form shows TeachingAssistant, Mentor and TestUser badges; names are text', { skip }, async () => {
  await page.goto(`${server.base}/#/emulator/courses/${DEMO_COURSE}`);
  await page.getByTestId('roster').waitFor();
  assert.equal(await page.getByTestId('member-row').count(), 4);
  await page.getByTestId('add-member').click();
  await page.getByTestId('member-given').fill(HOSTILE_NAME);
  await page.getByTestId('member-family').fill('Tester');
  await page.getByTestId('member-email').fill('tester@example.edu');
  await page.getByTestId('member-sub').fill('ui-tester');
  await page.getByTestId('role-Learner').uncheck();
  await page.getByTestId('role-TeachingAssistant').check();
  await page.getByTestId('role-Mentor').check();
  await page.getByTestId('role-TestUser').check();
  await page.getByTestId('member-save').click();
  const row = page.locator('[data-testid="member-row"][data-user="ui-tester"]');
  await row.waitFor();
  const badges = await row.getByTestId('member-roles').locator('.badge').allTextContents();
  assert.deepEqual(badges, ['TeachingAssistant', 'Mentor', 'TestUser']);
  assert.ok((await row.textContent()).includes(HOSTILE_NAME), 'the name is shown as text');
  const saved = (await server.api('list_emulator_courses')).find((c) => c.course.id === DEMO_COURSE).members.find((m) => m.user.id === 'ui-tester');
  assert.deepEqual(saved.roles, [
    'http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant',
    'http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor',
    'http://purl.imsglobal.org/vocab/lti/system/person#TestUser',
  ]);

  // Edit: make the member inactive.
  await row.getByTestId('member-edit').click();
  await page.getByTestId('member-edit-panel').waitFor();
  await page.getByTestId('member-status').selectOption('Inactive');
  await page.getByTestId('member-save').click();
  await page.locator('[data-testid="member-row"][data-user="ui-tester"]').filter({ hasText: 'Inactive' }).waitFor();
  await assertNoInjection();
  await page.screenshot({ path: path.join(ARTIFACTS, 'browser-emulator-courses.png') });
});

test('5. Tools: register a tool through the form with a pasted key and custom parameters; delete another', { skip }, async () => {
  const jwk = { ...keys.publicKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' };
  const doomed = await server.api('save_emulator_tool', { name: 'Doomed tool', login_url: 'http://localhost:9/login', redirect_uris: ['http://localhost:9/launch'] });
  await page.goto(`${server.base}/#/emulator/tools`);
  await page.getByTestId('add-tool').click();
  await page.getByTestId('tool-name').fill('Node grader');
  await page.getByTestId('tool-login_url').fill('http://localhost:9/login');
  await page.getByTestId('tool-redirect_uris').fill('http://localhost:9/launch\nhttp://localhost:9/dl');
  await page.getByTestId('tool-deep_link_url').fill('http://localhost:9/dl');
  await page.getByTestId('tool-key-paste').click();
  await page.getByTestId('tool-public_key').fill(JSON.stringify(jwk));
  await page.getByTestId('tool-custom').fill('user=$User.id\ncourse=$Context.title');
  await page.getByTestId('scope-contextmembership.readonly').uncheck();
  await page.getByTestId('tool-save').click();
  const card = page.getByTestId('tool-card').filter({ hasText: 'Node grader' });
  await card.waitFor();
  assert.match(await card.textContent(), /pasted key/);
  assert.match(await card.textContent(), new RegExp(KID));
  assert.match(await card.getByTestId('tool-custom-params').textContent(), /\$Context\.title/);
  assert.doesNotMatch(await card.getByTestId('tool-scopes').textContent(), /NRPS/);
  nodeTool = (await server.api('list_emulator_tools')).find((t) => t.name === 'Node grader');
  assert.ok(nodeTool?.public_jwks?.keys?.[0]?.kid === KID, JSON.stringify(nodeTool));
  assert.ok(!nodeTool.scopes.some((s) => s.includes('nrps')));
  await card.scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(ARTIFACTS, 'browser-emulator-tools.png') });

  // A bad URL is refused inline (before the engine).
  await page.getByTestId('add-tool').click();
  await page.getByTestId('tool-login_url').fill('javascript:alert(1)');
  await page.getByTestId('tool-save').click();
  await page.getByTestId('tool-form').getByText('Must be an http(s) URL.').waitFor();
  await page.getByTestId('tool-form').getByRole('button', { name: 'Cancel' }).last().click();

  const doomedCard = page.getByTestId('tool-card').filter({ hasText: 'Doomed tool' });
  await doomedCard.getByTestId('tool-delete').click();
  await doomedCard.getByTestId('tool-delete-yes').click();
  await doomedCard.waitFor({ state: 'detached' });
  assert.ok(!(await server.api('list_emulator_tools')).some((t) => t.id === doomed.id));
});

/** The node tool's service call: client_credentials with a signed assertion, then AGS. */
async function postScore(setup) {
  const now = Math.floor(Date.now() / 1000);
  const assertion = signJwt({ iss: nodeTool.client_id, sub: nodeTool.client_id, aud: setup.token_endpoint, iat: now, exp: now + 60, jti: crypto.randomUUID() });
  const tokenRes = await fetch(setup.token_endpoint, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
      scope: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem https://purl.imsglobal.org/spec/lti-ags/scope/score',
    }),
  });
  const token = await tokenRes.json();
  assert.equal(tokenRes.status, 200, JSON.stringify(token));
  const auth = { Authorization: `Bearer ${token.access_token}` };
  const itemRes = await fetch(`${setup.issuer}/courses/${DEMO_COURSE}/lineitems`, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/vnd.ims.lis.v2.lineitem+json' },
    body: JSON.stringify({ label: 'Node quiz', scoreMaximum: 20, tag: 'node' }),
  });
  const item = await itemRes.json();
  assert.equal(itemRes.status, 201, JSON.stringify(item));
  const scoreRes = await fetch(`${item.id}/scores`, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/vnd.ims.lis.v1.score+json' },
    body: JSON.stringify({ userId: 'demo-learner-1', scoreGiven: 15, scoreMaximum: 20, comment: HOSTILE_COMMENT, activityProgress: 'Completed', gradingProgress: 'FullyGraded', timestamp: new Date().toISOString() }),
  });
  assert.ok(scoreRes.status === 200 || scoreRes.status === 204, `score: ${scoreRes.status} ${await scoreRes.text()}`);
  return item.id.slice(item.id.lastIndexOf('/') + 1);
}

/** A deep linking round trip played by the node tool: launch → authentication → signed response. */
async function deepLink(setup) {
  const launch = await server.api('launch_url', { tool_id: nodeTool.id, user_id: 'demo-instructor', course_id: DEMO_COURSE, message_type: 'LtiDeepLinkingRequest' });
  const startPage = await (await fetch(launch.url)).text();
  const field = (name) => new RegExp(`name="${name}" value="([^"]*)"`).exec(startPage)?.[1]?.replace(/&amp;/g, '&');
  const q = new URLSearchParams({
    scope: 'openid',
    response_type: 'id_token',
    response_mode: 'form_post',
    prompt: 'none',
    client_id: field('client_id'),
    redirect_uri: 'http://localhost:9/dl',
    login_hint: field('login_hint'),
    lti_message_hint: field('lti_message_hint'),
    state: crypto.randomUUID(),
    nonce: crypto.randomUUID(),
  });
  const authHtml = await (await fetch(`${setup.auth_endpoint}?${q}`)).text();
  const idToken = /name="id_token" value="([^"]+)"/.exec(authHtml)?.[1];
  assert.ok(idToken, `no id_token from the authentication endpoint: ${authHtml.slice(0, 400)}`);
  const claims = JSON.parse(Buffer.from(idToken.split('.')[1], 'base64url'));
  const settings = claims[`${DL}/deep_linking_settings`];
  const now = Math.floor(Date.now() / 1000);
  const response = signJwt({
    iss: nodeTool.client_id,
    aud: claims.iss,
    iat: now,
    exp: now + 60,
    nonce: crypto.randomUUID(),
    [`${LTI}/deployment_id`]: claims[`${LTI}/deployment_id`],
    [`${LTI}/message_type`]: 'LtiDeepLinkingResponse',
    [`${LTI}/version`]: '1.3.0',
    ...(settings.data ? { [`${DL}/data`]: settings.data } : {}),
    [`${DL}/content_items`]: [
      { type: 'ltiResourceLink', title: HOSTILE_TITLE, url: 'http://localhost:9/launch?chapter=1', lineItem: { scoreMaximum: 5, label: 'Chapter 1 quiz' } },
      // A javascript: URL is refused by the return endpoint (dl.content_items); markup in an
      // http(s) URL must still be shown as text.
      { type: 'link', title: 'Further reading', url: 'https://reading.example/ch1?q=<img src=x onerror=alert(4)>' },
    ],
  });
  const ret = await fetch(settings.deep_link_return_url, { method: 'POST', body: new URLSearchParams({ JWT: response }) });
  assert.equal(ret.status, 200, await ret.text());
}

test('6. Gradebook: a score posted by a tool appears live; deep-linked items are listed as text', { skip }, async () => {
  assert.ok(nodeTool, 'test 5 registered the node tool');
  const setup = await server.api('get_emulator_setup');
  await page.goto(`${server.base}/#/emulator/gradebook/${DEMO_COURSE}`);
  await page.getByTestId('grade-grid').waitFor();
  await page.evaluate(() => {
    window.__sameDocument = true;
  });
  const learners = await page.getByTestId('grade-row').evaluateAll((els) => els.map((e) => e.dataset.user));
  assert.deepEqual(learners.sort(), ['demo-learner-1', 'demo-learner-2', 'demo-learner-3']);

  const lineItemId = await postScore(setup);
  const cell = page.locator(`[data-testid="grade-cell"][data-line-item="${lineItemId}"][data-user="demo-learner-1"]`);
  await cell.waitFor({ timeout: 10_000 });
  assert.equal(await cell.getByTestId('grade-score').textContent(), '15 / 20');
  assert.equal(await cell.getByTestId('grade-comment').textContent(), HOSTILE_COMMENT);
  assert.match(await cell.textContent(), /Completed/);
  assert.match(await cell.textContent(), /FullyGraded/);
  assert.match(await page.locator(`[data-testid="grade-column"][data-line-item="${lineItemId}"]`).textContent(), /Node quiz.*Node grader.*max 20/);
  assert.equal(await page.evaluate(() => window.__sameDocument), true, 'updated without a reload');

  await deepLink(setup);
  const items = page.getByTestId('content-item');
  await items.first().waitFor({ timeout: 10_000 });
  const titles = await page.getByTestId('content-item-title').allTextContents();
  assert.ok(titles.includes(HOSTILE_TITLE), `the hostile title is text: ${titles.join(' | ')}`);
  const jsItem = items.filter({ hasText: 'Further reading' });
  assert.match(await jsItem.getByTestId('content-item-url').textContent(), /reading\.example\/ch1\?q=(<|%3C)img/);
  // The returned resource link got a line item: a new gradebook column, live.
  await page.getByTestId('grade-column').filter({ hasText: 'Chapter 1 quiz' }).waitFor({ timeout: 10_000 });
  await assertNoInjection();
  await page.screenshot({ path: path.join(ARTIFACTS, 'browser-emulator-gradebook.png'), fullPage: true });
});

test('7. dark theme; no uncaught errors', { skip }, async () => {
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('theme-dark').click();
  await page.goto(`${server.base}/#/emulator`);
  await page.getByTestId('demo-card').waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  await page.screenshot({ path: path.join(ARTIFACTS, 'browser-emulator-dark.png') });
  await page.goto(`${server.base}/#/emulator/gradebook/${DEMO_COURSE}`);
  await page.getByTestId('grade-grid').waitFor();
  await page.screenshot({ path: path.join(ARTIFACTS, 'browser-emulator-gradebook-dark.png'), fullPage: true });
  await page.goto(`${server.base}/#/emulator/launch/${DEMO_COURSE}`);
  await page.getByTestId('launch-options').waitFor();
  await page.getByTestId('negative-jwt.signature').check();
  await page.screenshot({ path: path.join(ARTIFACTS, 'browser-emulator-launch-dark.png') });
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('theme-light').click();
  assert.deepEqual(pageErrors, [], `uncaught errors in the page: ${pageErrors.join('\n')}`);
  assert.deepEqual(dialogs, []);
});
