// Failures first (issue 15, item 1), in chromium against `lti-inspector serve` at 1280×800: an
// invalid flow opens on its cause — the failing rule above the fold (by its position on screen,
// not only its presence), times as dates, the header's error count leading to it, the failing
// step marked in the diagram — and a launch from an unknown platform offers "Register this
// platform", prefilled from the launch.
//
//   cd ui && npm run build && cd .. && node --test tests/browser/failures.test.mjs
//
// Screenshots: tests/artifacts/failure-first.png, failure-register.png.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ARTIFACTS, launchBrowser, rawRequest, skip, startServer, stopServer } from './harness.mjs';

if (skip) console.log(`# SKIP ${skip}`);

const WIDTH = 1280;
const HEIGHT = 800;
let server = null;
let context = null;
let page = null;
let tmp = null;

before(async () => {
  if (skip) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lti-ui-fail-'));
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  server = await startServer(tmp);
  ({ context, page } = await launchBrowser(path.join(tmp, 'profile'), { width: WIDTH, height: HEIGHT }));
  await page.goto(server.uiUrl);
  await page.getByTestId('nav-timeline').waitFor();
});

after(async () => {
  await context?.close().catch(() => undefined);
  await stopServer(server);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** Runs a launch in a tab and returns the tool-side flow its landing page links to. */
async function toolFlowOf(url) {
  const tab = await context.newPage();
  await tab.goto(url);
  await tab.waitForURL(/\/lti\/launch(\?|$)/, { timeout: 15_000 });
  const id = /#\/flows\/([A-Za-z0-9_-]+)/.exec(await tab.content())?.[1];
  await tab.close();
  assert.ok(id, 'the landing page links to its flow');
  return id;
}

test('an expired launch opens on its cause: the rule above the fold, dates, the step marked', { skip }, async () => {
  const { url } = await server.api('launch_url', { tool_id: 'demo-tool', user_id: 'demo-learner-1', negative: 'idtoken.exp' });
  const flowId = await toolFlowOf(url);
  await page.goto(`${server.base}/#/flows/${flowId}`);
  const cause = page.locator('[data-testid="cause"][data-rule="idtoken.exp"]');
  await cause.waitFor();
  const box = await cause.boundingBox();
  assert.ok(box && box.y >= 0 && box.y + 40 < HEIGHT, `the failing rule is above the fold: ${JSON.stringify(box)}`);
  // Above the diagram and the services, not below them.
  const sequence = await page.getByTestId('sequence-card').boundingBox();
  assert.ok(box.y < sequence.y, 'the cause comes before the sequence');
  const text = await cause.innerText();
  assert.match(text, /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \(\d{10}\)/, `times read as dates: ${text}`);
  assert.match(text, /Expired (\d+ (h|min|s) ?)+ago/, text);
  assert.doesNotMatch(text, /\d{3,} seconds/, 'no raw second counts');
  await page.screenshot({ path: path.join(ARTIFACTS, 'failure-first.png') });

  // The step it failed on is marked; "Show the step" selects it.
  const marked = page.locator('[data-testid="seq-step"][data-failed="true"]');
  assert.ok((await marked.count()) >= 1, 'a failing step is marked in the diagram');
  await cause.getByTestId('cause-step').click();
  await page.locator('[data-testid="seq-step"][data-failed="true"][aria-selected="true"]').waitFor();

  // The header's counts agree with the landing page's for the id_token (the landing page counts
  // the id_token alone; the header every message, and says the id_token's too).
  const flowNow = await server.api('get_flow', { id: flowId });
  const idt = flowNow.messages.filter((m) => m.message.kind === 'id_token').pop().message.counts;
  assert.match(await page.getByTestId('flow-counts-id-token').innerText(), new RegExp(`id_token: 1 error · ${idt.passed} passed`));
  // The header's error count leads back to the cause.
  await page.locator('.page-scroll').evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await page.getByTestId('flow-errors-link').click();
  await page.waitForFunction(() => {
    const r = document.getElementById('flow-cause')?.getBoundingClientRect();
    return r && r.top >= 0 && r.top < window.innerHeight;
  });
});

test('the two sides of one launch link both ways; the Timeline names sides and failing rules; the negative test failed as intended', { skip }, async () => {
  const { url, flow_id: emuFlow } = await server.api('launch_url', { tool_id: 'demo-tool', user_id: 'demo-learner-2', negative: 'idtoken.aud' });
  const toolFlow = await toolFlowOf(url);
  await page.goto(`${server.base}/#/flows/${toolFlow}`);
  const toEmu = page.locator(`[data-testid="flow-related-link"][data-id="${emuFlow}"]`);
  await toEmu.waitFor();
  assert.match(await toEmu.innerText(), /Emulator/);
  await toEmu.click();
  await page.locator('[data-testid="flow-negative"]').waitFor();
  assert.match(await page.getByTestId('flow-negative').innerText(), /idtoken\.aud: failed as intended/);
  await page.locator(`[data-testid="flow-related-link"][data-id="${toolFlow}"]`).click();
  await page.waitForFunction((id) => window.location.hash === `#/flows/${id}`, toolFlow);

  await page.getByTestId('nav-timeline').click();
  const toolRow = page.locator(`[data-testid="flow-row"][data-id="${toolFlow}"]`);
  await toolRow.waitFor();
  assert.match(await toolRow.innerText(), /Tool side/);
  assert.match(await toolRow.getByTestId('flow-failed-rule').innerText(), /^idtoken\.aud/);
  const emuRow = page.locator(`[data-testid="flow-row"][data-id="${emuFlow}"]`);
  assert.match(await emuRow.innerText(), /Emulator/);
  await emuRow.getByTestId('flow-intended').waitFor();
  // Titles say which way: the emulator sent it "to" the tool, the tool side got it "from" the issuer.
  assert.match(await emuRow.getByTestId('flow-title').innerText(), /LtiResourceLinkRequest to .* as Katherine Johnson/);
  assert.match(await toolRow.getByTestId('flow-title').innerText(), /LtiResourceLinkRequest from http/);
  await page.screenshot({ path: path.join(ARTIFACTS, 'failure-timeline.png') });
});

test('a launch from an unknown platform offers to register it, prefilled', { skip }, async () => {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const token = `${b64({ alg: 'RS256', kid: 'k-unknown', typ: 'JWT' })}.${b64({
    iss: 'https://unknown-lms.example',
    aud: 'client-x',
    sub: 'u1',
    iat: now,
    exp: now + 300,
    nonce: 'n1',
    'https://purl.imsglobal.org/spec/lti/claim/message_type': 'LtiResourceLinkRequest',
    'https://purl.imsglobal.org/spec/lti/claim/version': '1.3.0',
    'https://purl.imsglobal.org/spec/lti/claim/deployment_id': 'd-9',
  })}.c2ln`;
  const res = await rawRequest(`${server.tool}/lti/launch`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `id_token=${token}&state=s1`,
  });
  const flowId = /#\/flows\/([A-Za-z0-9_-]+)/.exec(res.body)?.[1];
  assert.ok(flowId, res.body.slice(0, 400));
  await page.goto(`${server.base}/#/flows/${flowId}`);
  await page.locator('[data-testid="cause"][data-rule="idtoken.iss_registered"]').waitFor();
  await page.getByTestId('cause-register').click();
  await page.getByTestId('platform-form').waitFor();
  assert.equal(await page.getByTestId('field-issuer').inputValue(), 'https://unknown-lms.example');
  assert.equal(await page.getByTestId('field-client_id').inputValue(), 'client-x');
  assert.equal(await page.getByTestId('field-deployments').inputValue(), 'd-9');
  await page.screenshot({ path: path.join(ARTIFACTS, 'failure-register.png') });
});

test('a bare start opens on the Timeline once flows exist (Setup while there are none)', { skip }, async () => {
  await page.goto(`${server.base}/`);
  await page.waitForFunction(() => window.location.hash === '#/timeline', null, { timeout: 10_000 });
  await page.getByTestId('nav-timeline').waitFor();
});

test('the file key store warning can be dismissed, and stays dismissed', { skip }, async () => {
  const dir = fs.mkdtempSync(path.join(tmp, 'filekeys-'));
  const other = await startServer(dir, ['--key-store', `file:${path.join(dir, 'keys.json')}`]);
  const tab = await context.newPage();
  try {
    await tab.goto(other.uiUrl);
    await tab.getByTestId('keystore-warning').waitFor();
    await tab.getByTestId('keystore-warning-dismiss').click();
    await tab.getByTestId('keystore-warning').waitFor({ state: 'detached' });
    await tab.reload();
    await tab.getByTestId('nav-timeline').waitFor();
    await tab.waitForTimeout(500);
    assert.equal(await tab.getByTestId('keystore-warning').count(), 0, 'the dismissed warning came back');
  } finally {
    await tab.close();
    await stopServer(other);
  }
});

test('the landing page\'s link reaches the flow in the browser front door, the token never in a URL', { skip }, async () => {
  const { url } = await server.api('launch_url', { tool_id: 'demo-tool', user_id: 'demo-learner-3' });
  const tab = await context.newPage();
  await tab.goto(url);
  await tab.waitForURL(/\/lti\/launch(\?|$)/, { timeout: 15_000 });
  const link = tab.locator('a[href*="#/flows/"]').first();
  const href = await link.getAttribute('href');
  assert.ok(href && !href.includes('token'), `the landing page's link carries no token: ${href}`);
  // The UI tab (page) is open: the new tab gets the token from it and opens the flow.
  const [opened] = await Promise.all([context.waitForEvent('page', { timeout: 15_000 }), link.click()]);
  await opened.getByTestId('flow-page').waitFor({ timeout: 15_000 });
  assert.ok(!opened.url().includes('token='), opened.url());
  await opened.close();
  await tab.close();
});

test('the platform form checks each field as it is typed; a pasted private key is refused and never stored', { skip }, async () => {
  await page.goto(`${server.base}/#/platforms`);
  await page.getByTestId('add-platform').click();
  await page.getByTestId('preset-custom').click();
  const fieldError = (id) => page.locator('.field', { has: page.getByTestId(id) }).locator('.field-error');
  await page.getByTestId('field-issuer').fill('lms.example.edu');
  assert.match(await fieldError('field-issuer').innerText(), /must be a URL/);
  await page.getByTestId('field-auth_endpoint').fill('https://lms.example.edu/auth');
  await page.getByTestId('field-jwks_url').fill('ftp://lms.example.edu/jwks');
  assert.match(await fieldError('field-jwks_url').innerText(), /https URL, not ftp:/);
  await page.getByTestId('field-client_id').fill('private-key-client');
  await page.getByTestId('field-deployments').fill('d'.repeat(5000));
  assert.match(await fieldError('field-deployments').innerText(), /at most 255 characters.*5,000/);
  await page.getByTestId('key-paste').click();
  const privatePem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDmarker\n-----END PRIVATE KEY-----';
  await page.getByTestId('field-public_key').fill(privatePem);
  assert.match(await fieldError('field-public_key').innerText(), /PRIVATE key: never paste one here/);
  await page.getByTestId('platform-save').click();
  await page.screenshot({ path: path.join(ARTIFACTS, 'failure-platform-form.png') });
  // The engine refuses the same input whole, every field named, if it is sent anyway.
  const refused = await server.api('save_platform', {
    name: 'x', issuer: 'lms.example.edu', client_id: 'private-key-client', auth_endpoint: 'https://lms.example.edu/auth',
    jwks_url: 'ftp://lms.example.edu/jwks', deployment_ids: ['d'.repeat(5000)], public_key: privatePem,
  }).then(() => null, (e) => e.body);
  for (const f of ['issuer:', 'jwks_url:', 'deployment_ids:', 'public_key: this is a PRIVATE key']) assert.ok(refused?.includes(f), `${f} in ${refused}`);
  const stored = (await server.api('list_platforms')).map((p) => p.client_id);
  assert.ok(!stored.includes('private-key-client'), stored.join(', '));
  // Nowhere in the database files.
  const dataDir = path.join(tmp, 'data');
  for (const f of fs.readdirSync(dataDir).filter((n) => n.startsWith('inspector.db'))) {
    assert.ok(!fs.readFileSync(path.join(dataDir, f)).includes('MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDmarker'), `the private key is in ${f}`);
  }
});
