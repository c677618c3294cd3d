// LTI 1.1 in chromium against `lti-inspector serve` (issue 13, item 1): a consumer registered
// from the Platforms page (secret to the keychain, never the database), a signed launch
// form-posted by the browser lands on the tool side's page, and its flow view shows the 1.1
// launch — and a launch signed with the wrong secret opens on its cause.
//
//   cd ui && npm run build && cd .. && node --test tests/browser/lti11.test.mjs
//
// Screenshots: tests/artifacts/lti11-consumers.png, lti11-flow.png, lti11-wrong-secret.png.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ARTIFACTS, CHROMIUM, launchBrowser, playwright, skip, startServer, stopServer } from './harness.mjs';
import { signedLaunch as signed } from './lti11-sign.mjs';

if (skip) console.log(`# SKIP ${skip}`);

const KEY = 'browser-consumer';
const SECRET = 'browser-secret-7d2a-never-stored';
const signedLaunch = (url, secret, extra = {}) => signed(url, KEY, secret, extra);
let server = null;
let context = null;
let page = null;
let tmp = null;

before(async () => {
  if (skip) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lti-ui-11-'));
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  server = await startServer(tmp);
  ({ context, page } = await launchBrowser(path.join(tmp, 'profile'), { width: 1280, height: 800 }));
  await page.goto(server.uiUrl);
  await page.getByTestId('nav-timeline').waitFor();
});

after(async () => {
  await context?.close().catch(() => undefined);
  await stopServer(server);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** Posts `params` from a real page (a form, as an LMS frame would) and returns the landing tab. */
async function postFromBrowser(url, params) {
  const tab = await context.newPage();
  const inputs = Object.entries(params)
    .map(([k, v]) => `<input type="hidden" name="${k.replace(/"/g, '&quot;')}" value="${String(v).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')}">`)
    .join('');
  await tab.setContent(`<form id="f" method="post" action="${url}">${inputs}</form>`);
  await Promise.all([tab.waitForURL(/\/lti11\/launch/), tab.evaluate(() => document.getElementById('f').submit())]);
  await tab.locator('#verdict').waitFor();
  return tab;
}

test('a consumer registered in the UI verifies a browser-posted launch; the flow view shows it', { skip }, async () => {
  await page.goto(`${server.base}/#/platforms`);
  const card = page.getByTestId('lti11-consumers');
  await card.waitFor();
  const launchUrl = await card.getByTestId('lti11-launch-url').innerText();
  assert.match(launchUrl, /^http:\/\/(127\.0\.0\.1|localhost):\d+\/lti11\/launch$/);
  // Per-field check before saving.
  await card.getByTestId('lti11-key').fill('k'.repeat(256));
  await card.getByText(/at most 255/).waitFor();
  assert.equal(await card.getByTestId('lti11-save').isDisabled(), true);
  await card.getByTestId('lti11-key').fill(KEY);
  await card.getByTestId('lti11-name').fill('Browser LMS');
  await card.getByTestId('lti11-secret').fill(SECRET);
  await card.getByTestId('lti11-save').click();
  const row = card.locator(`[data-testid="lti11-consumer"][data-key="${KEY}"]`);
  await row.waitFor();
  assert.match(await row.innerText(), /in keychain/);
  await page.screenshot({ path: path.join(ARTIFACTS, 'lti11-consumers.png') });

  const tab = await postFromBrowser(launchUrl, signedLaunch(launchUrl, SECRET));
  const landing = await tab.locator('body').innerText();
  assert.match(landing, /Valid launch/, landing.slice(0, 800));
  assert.match(landing, /Katherine <i>Johnson<\/i>/, 'the name is shown as text');
  assert.equal(await tab.locator('i').count(), 0, 'no markup from the launch rendered');
  const flowId = /#\/flows\/([A-Za-z0-9_-]+)/.exec(await tab.content())?.[1];
  assert.ok(flowId, 'the landing page links to its flow');
  await tab.close();

  await page.goto(`${server.base}/#/flows/${flowId}`);
  await page.getByTestId('msg-tab-lti11_launch').waitFor();
  const signature = await page.getByTestId('lti11-signature').innerText();
  assert.match(signature, /verifies/);
  assert.equal(await page.getByTestId('lti11-normalized-url').innerText(), launchUrl);
  const signed = await page.getByTestId('lti11-base-params').innerText();
  assert.match(signed, /lis_person_name_full\s+Katherine <i>Johnson<\/i>/);
  assert.match(signed, /oauth_nonce/);
  assert.doesNotMatch(signed, /oauth_signature\t/, 'the signature is not part of what it signs');
  const steps = await page.getByTestId('sequence-card').innerText();
  assert.match(steps, /LTI 1\.1 launch \(signed form post\)/);
  await page.screenshot({ path: path.join(ARTIFACTS, 'lti11-flow.png'), fullPage: false });

  // The secret is in the key store, never in the database.
  const db = fs.readdirSync(path.join(tmp, 'data')).filter((f) => /\.(db|sqlite|db-wal)$|wal$/.test(f));
  assert.ok(db.length > 0, 'the store exists');
  for (const f of db) {
    assert.equal(fs.readFileSync(path.join(tmp, 'data', f)).includes(SECRET), false, `the secret is in ${f}`);
  }
});

test('a launch signed with another secret opens on its cause', { skip }, async () => {
  const launchUrl = `${server.tool}/lti11/launch`.replace(/\/+lti11/, '/lti11');
  const tab = await postFromBrowser(launchUrl, signedLaunch(launchUrl, 'not-the-secret'));
  assert.match(await tab.locator('body').innerText(), /Invalid launch/);
  assert.equal(await tab.getByTestId('return-to-lms').count(), 1, 'a way back to the LMS with lti_errormsg');
  const href = await tab.getByTestId('return-to-lms').getAttribute('href');
  assert.match(href, /^https:\/\/lms\.example\/return\?lti_errormsg=/);
  const flowId = /#\/flows\/([A-Za-z0-9_-]+)/.exec(await tab.content())?.[1];
  await tab.close();
  await page.goto(`${server.base}/#/flows/${flowId}`);
  const cause = page.locator('[data-testid="cause"][data-rule="lti11.signature"]');
  await cause.waitFor();
  const box = await cause.boundingBox();
  assert.ok(box && box.y + 40 < 800, `the cause is above the fold: ${JSON.stringify(box)}`);
  assert.match(await cause.innerText(), /Most likely the secret/);
  await page.screenshot({ path: path.join(ARTIFACTS, 'lti11-wrong-secret.png') });
});

test('the emulator launches a 1.1 tool from its Tools view; the grade comes back to its gradebook', { skip }, async () => {
  // The tool side (consumer registered in the first test) is the 1.1 tool the emulator launches.
  const launchUrl = `${server.tool}/lti11/launch`.replace(/([^:])\/\/+/g, '$1/');
  await page.goto(`${server.base}/#/emulator/tools`);
  const card = page.getByTestId('lti11-tools');
  await card.waitFor();
  await card.getByTestId('lti11-tool-add').click();
  await card.getByTestId('lti11-tool-url').fill('not a url');
  await card.getByTestId('lti11-tool-save').click();
  await card.getByText(/absolute URL/).waitFor();
  await card.getByTestId('lti11-tool-name').fill('Inspector tool side (1.1)');
  await card.getByTestId('lti11-tool-url').fill(launchUrl);
  await card.getByTestId('lti11-tool-key').fill(KEY);
  await card.getByTestId('lti11-tool-secret').fill(SECRET);
  await card.getByTestId('lti11-tool-lms').selectOption('canvas');
  await card.getByTestId('lti11-tool-save').click();
  const tool = card.getByTestId('lti11-tool');
  await tool.waitFor();
  assert.match(await tool.innerText(), /secret in keychain/);
  await tool.getByTestId('lti11-launch-user').selectOption('demo-learner-1');
  const [tab] = await Promise.all([context.waitForEvent('page', { timeout: 15_000 }), tool.getByTestId('lti11-launch').click()]);
  await tab.waitForURL(/\/lti11\/launch$/, { timeout: 15_000 });
  await tab.locator('#verdict').waitFor();
  assert.match(await tab.locator('body').innerText(), /Valid launch/);
  const flowId = /#\/flows\/([A-Za-z0-9_-]+)/.exec(await tab.content())?.[1];
  await tab.close();
  await tool.getByTestId('lti11-launch-flow').waitFor();

  // Grade passback from the tool side's flow of that launch.
  await page.goto(`${server.base}/#/flows/${flowId}`);
  const outcomes = page.getByTestId('lti11-outcomes');
  await outcomes.waitFor();
  await outcomes.getByTestId('lti11-outcome-score').fill('0.75');
  await outcomes.getByTestId('lti11-outcome-replace').click();
  const result = outcomes.getByTestId('lti11-outcome-result');
  await result.waitFor();
  assert.match(await result.innerText(), /success/);
  await outcomes.getByTestId('lti11-outcome-read').click();
  await outcomes.getByTestId('lti11-outcome-read-score').getByText(/0\.75/).waitFor();
  await page.screenshot({ path: path.join(ARTIFACTS, 'lti11-outcomes.png') });

  await page.goto(`${server.base}/#/emulator/gradebook/demo-course`);
  const grades = page.getByTestId('lti11-grades');
  await grades.waitFor();
  assert.match(await grades.innerText(), /Inspector tool side \(1\.1\)\s+0\.75/);
});

test('a launch that did not verify offers no grade passback', { skip }, async () => {
  const launchUrl = `${server.tool}/lti11/launch`.replace(/([^:])\/\/+/g, '$1/');
  const tab = await postFromBrowser(launchUrl, signedLaunch(launchUrl, 'not-the-secret', { lis_outcome_service_url: 'https://attacker.example/collect', lis_result_sourcedid: 'x' }));
  const flowId = /#\/flows\/([A-Za-z0-9_-]+)/.exec(await tab.content())?.[1];
  await tab.close();
  await page.goto(`${server.base}/#/flows/${flowId}`);
  const blocked = page.getByTestId('lti11-outcomes-blocked');
  await blocked.waitFor();
  assert.match(await blocked.innerText(), /only from a launch whose signature verified/);
  assert.equal(await page.getByTestId('lti11-outcome-replace').count(), 0);
});

test('a 1.1 launch recorded in a HAR by chromium imports as a verified 1.1 flow', { skip }, async () => {
  const launchUrl = `${server.tool}/lti11/launch`.replace(/([^:])\/\/+/g, '$1/');
  const harPath = path.join(tmp, 'lti11-launch.har');
  const browser = await playwright.chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  const recording = await browser.newContext({ recordHar: { path: harPath, content: 'embed' } });
  const tab = await recording.newPage();
  const params = signedLaunch(launchUrl, SECRET);
  const inputs = Object.entries(params).map(([k, v]) => `<input type="hidden" name="${k}" value="${String(v).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')}">`).join('');
  await tab.setContent(`<form id="f" method="post" action="${launchUrl}">${inputs}</form>`);
  await Promise.all([tab.waitForURL(/\/lti11\/launch/), tab.evaluate(() => document.getElementById('f').submit())]);
  await recording.close();
  await browser.close();
  const har = fs.readFileSync(harPath, 'utf8');
  const imported = await server.api('import', { name: 'lti11-launch.har', text: har });
  assert.equal(imported.flows.length, 1, JSON.stringify(imported));
  const flow = await server.api('get_flow', { id: imported.flows[0].id });
  assert.equal(flow.flow.kind, 'lti11_launch');
  const sig = flow.messages[0].message.report.findings.find((f) => f.rule_id === 'lti11.signature');
  assert.equal(sig.outcome, 'pass', `verified with the registered consumer's secret, as of the recorded time: ${JSON.stringify(sig)}`);
  assert.equal(flow.flow.verdict, 'valid', JSON.stringify(flow.messages[0].message.report.findings.filter((f) => f.outcome === 'fail')));
});

test('a 1.3 launch with the migration claim shows the 1.1 and 1.3 identities side by side', { skip }, async () => {
  const tools = await server.api('list_emulator_lti11_tools');
  const lti11Tool = tools.find((t) => t.consumer_key === KEY);
  assert.ok(lti11Tool, 'the 1.1 tool registered in an earlier test');
  const { url } = await server.api('launch_url', { tool_id: 'demo-tool', user_id: 'demo-learner-1', lti11_tool_id: lti11Tool.id });
  const tab = await context.newPage();
  await tab.goto(url);
  await tab.waitForURL(/\/lti\/launch(\?|$)/, { timeout: 15_000 });
  const flowId = /#\/flows\/([A-Za-z0-9_-]+)/.exec(await tab.content())?.[1];
  await tab.close();
  await page.goto(`${server.base}/#/flows/${flowId}`);
  const card = page.getByTestId('migration-card');
  await card.waitFor();
  const text = await card.innerText();
  assert.match(text, /signature verified/, text);
  const ids = await card.getByTestId('migration-identities').innerText();
  assert.match(ids, /User\s+demo-learner-1\s+demo-learner-1/, ids);
  assert.match(ids, new RegExp(`consumer key ${KEY}`), ids);
  await card.screenshot({ path: path.join(ARTIFACTS, 'lti11-migration.png') });
});
