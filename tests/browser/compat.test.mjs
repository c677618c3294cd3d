// Calibrated verdicts (issue 14), in chromium against `lti-inspector serve`: a failed rule says
// what the measured tool libraries (PyLTI1p3, ltijs, atomic-lti; make compat) do with it — on the
// cause card and in Messages — and the flow header says who would refuse the launch; the Rules
// page shows the measured column and marks a MUST every library accepts as a warning.
//
//   cd ui && npm run build && cd .. && node --test tests/browser/compat.test.mjs
//
// Screenshots: tests/artifacts/compat-expired.png, compat-rules.png.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ARTIFACTS, launchBrowser, skip, startServer, stopServer } from './harness.mjs';

if (skip) console.log(`# SKIP ${skip}`);

let server = null;
let context = null;
let page = null;
let tmp = null;

before(async () => {
  if (skip) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lti-ui-compat-'));
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  server = await startServer(tmp);
  ({ context, page } = await launchBrowser(path.join(tmp, 'profile'), { width: 1280, height: 900 }));
  await page.goto(server.uiUrl);
  await page.getByTestId('nav-timeline').waitFor();
});

after(async () => {
  await context?.close().catch(() => undefined);
  await stopServer(server);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('an expired launch says every measured library refuses it, with their words', { skip }, async () => {
  const evidence = await server.api('compat_evidence', {});
  assert.deepEqual(
    evidence.libraries.map((l) => l.name),
    ['PyLTI1p3', 'ltijs', 'atomic-lti'],
  );
  const { url } = await server.api('launch_url', { tool_id: 'demo-tool', user_id: 'demo-learner-1', negative: 'idtoken.exp' });
  const tab = await context.newPage();
  await tab.goto(url);
  await tab.waitForURL(/\/lti\/launch(\?|$)/, { timeout: 15_000 });
  const flowId = /#\/flows\/([A-Za-z0-9_-]+)/.exec(await tab.content())?.[1];
  await tab.close();
  assert.ok(flowId);
  await page.goto(`${server.base}/#/flows/${flowId}`);

  const header = page.getByTestId('flow-rejected-by');
  await header.waitFor();
  assert.equal((await header.locator('dd').innerText()).trim(), 'would be rejected by: PyLTI1p3 2.0.0, ltijs 5.9.9, atomic-lti 2.2.0');

  const libs = page.locator('[data-testid="cause"][data-rule="idtoken.exp"] [data-testid="finding-libraries"]');
  await libs.waitFor();
  const text = await libs.innerText();
  assert.match(text, /PyLTI1p3 2\.0\.0 rejects: 400: LTI launch refused Can't decode id_token: Signature has expired/, text);
  assert.match(text, /ltijs 5\.9\.9 rejects: 401: jwt expired/, text);
  assert.match(text, /atomic-lti 2\.2\.0 rejects: 401: .*ExpiredSignature/, text);
  assert.equal(await libs.locator('[data-stance="rejects"]').count(), 3);
  await page.screenshot({ path: path.join(ARTIFACTS, 'compat-expired.png') });
});

test('the Rules page quotes the libraries and marks a MUST every library accepts as a warning', { skip }, async () => {
  await page.goto(`${server.base}/#/rules`);
  const row = page.locator('#rule-lti\\.roles_vocabulary');
  await row.waitFor();
  assert.match(await row.innerText(), /warning\*/);
  assert.match(await row.getByTestId('rule-libraries').innerText(), /PyLTI1p3 2\.0\.0 accepts · ltijs 5\.9\.9 accepts · atomic-lti 2\.2\.0 accepts/);
  const aud = page.locator('#rule-idtoken\\.aud_extra');
  assert.match(await aud.innerText(), /\berror\b/, 'a security rule stays an error even though every library accepts it');
  await row.scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(ARTIFACTS, 'compat-rules.png') });
});

test('the emulator says what the measured libraries do with each negative test', { skip }, async () => {
  await page.goto(`${server.base}/#/emulator/launch/demo-course`);
  const exp = page.getByTestId('negative-option').filter({ hasText: 'idtoken.exp' });
  await exp.waitFor();
  assert.equal(await exp.getByTestId('negative-libraries').innerText(), 'every measured library refuses it');
  const negatives = await server.api('list_negative_tests', {});
  for (const n of negatives) assert.equal(n.refused_by.length + n.accepted_by.length, 3, n.id);
});

test('Settings → Verdicts switches to strict and back', { skip }, async () => {
  await page.goto(`${server.base}/#/settings`);
  const box = page.getByTestId('strict-verdicts');
  await box.waitFor();
  assert.equal(await box.isChecked(), false);
  await box.click();
  await page.locator('[data-testid="strict-verdicts"]:checked').waitFor();
  assert.deepEqual(await server.api('get_verdict_policy', {}), { strict: true });
  await page.reload();
  await page.getByTestId('strict-verdicts').waitFor();
  assert.equal(await page.getByTestId('strict-verdicts').isChecked(), true, 'the choice is kept');
  await page.getByTestId('verdicts-card').screenshot({ path: path.join(ARTIFACTS, 'compat-strict.png') });
  await page.getByTestId('strict-verdicts').click();
  await page.locator('[data-testid="strict-verdicts"]:not(:checked)').waitFor();
  assert.deepEqual(await server.api('get_verdict_policy', {}), { strict: false });
});
