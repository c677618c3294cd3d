// LTI Dynamic Registration in chromium against `lti-inspector serve` (issue 13, items 5 and 6):
// the Setup page gives the registration URL; the emulator's Tools view starts a registration,
// its window frames the tool side's registration page (the configuration and its findings),
// one click registers, the tool's close message is recorded, and both sides keep the result.
// A configuration broken on purpose is refused on the tool's page with the rule it breaks.
//
//   cd ui && npm run build && cd .. && node --test tests/browser/dynreg.test.mjs
//
// Screenshots: tests/artifacts/dr-tool-page.png, dr-registered.png, dr-refused.png.

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
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lti-ui-dr-'));
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

async function startRegistration(registrationUrl, negative = '') {
  await page.goto(`${server.base}/#/emulator/tools`);
  const card = page.getByTestId('dr-card');
  await card.waitFor();
  await card.getByTestId('dr-url').fill(registrationUrl);
  await card.getByTestId('dr-negative').selectOption(negative);
  const [win] = await Promise.all([context.waitForEvent('page', { timeout: 15_000 }), card.getByTestId('dr-start').click()]);
  await win.waitForLoadState();
  const frame = win.frameLocator('#tool');
  return { card, win, frame };
}

test('the emulator registers the tool side by Dynamic Registration, end to end', { skip }, async () => {
  await page.goto(`${server.base}/#/setup`);
  const registrationUrl = (await page.getByTestId('setup-registration').locator('code').innerText()).trim();
  assert.match(registrationUrl, /\/lti\/register$/);

  const { card, win, frame } = await startRegistration(registrationUrl);
  const findings = frame.getByTestId('dr-findings');
  await findings.waitFor();
  assert.match(await findings.innerText(), /dr\.config\.issuer/);
  assert.equal(await frame.locator('.sev.error').count(), 0, 'the emulator configuration passes every check');
  await win.screenshot({ path: path.join(ARTIFACTS, 'dr-tool-page.png') });
  await frame.getByTestId('dr-register').click();
  // The tool's close message makes the framing page record the end and say so.
  await win.waitForURL(/\/dr\/closed\//, { timeout: 15_000 });
  assert.match(await win.locator('body').innerText(), /The tool registered/);
  await win.screenshot({ path: path.join(ARTIFACTS, 'dr-registered.png') });
  await win.close();
  await card.locator('[data-testid="dr-stage"][data-stage="closed"]').waitFor();

  // Both sides kept it: the emulator's new tool, the tool side's new platform.
  await page.getByTestId('tool-card').filter({ hasText: 'LTI Inspector' }).first().waitFor();
  await page.goto(`${server.base}/#/platforms`);
  await page.getByTestId('platform-card').filter({ hasText: 'Dynamic Registration' }).waitFor();
});

test('a configuration without the LTI platform part is refused on the tool’s page', { skip }, async () => {
  await page.goto(`${server.base}/#/setup`);
  const registrationUrl = (await page.getByTestId('setup-registration').locator('code').innerText()).trim();
  const { win, frame } = await startRegistration(registrationUrl, 'config_missing_platform');
  await frame.getByTestId('dr-refused').waitFor();
  assert.match(await frame.locator('[data-rule="dr.config.platform"]').innerText(), /lti-platform-configuration/);
  assert.equal(await frame.getByTestId('dr-register').count(), 0, 'no way to register with it');
  await win.screenshot({ path: path.join(ARTIFACTS, 'dr-refused.png') });
  await win.close();
});
