// Deep linking in a real browser against `lti-inspector serve`: the emulator sends a deep
// linking request to the inspector's own tool side, whose composer (in the browser) builds items
// of every type plus hostile html; "Sign and send" auto-posts the response to the emulator, whose
// preview places each item. Checked in chromium, not by reading markup: hostile html runs no
// script, opens no dialog, cannot reach the page's origin, cannot navigate the page or its own
// frame, and cannot overlay the page; images keep their size; the resource link launches valid.
//
//   cd ui && npm run build && cd .. && node --test tests/browser/deep_linking.test.mjs
//
// Then: a HAR of a round trip recorded by chromium (recordHar), read by `inspect` — the response
// is checked as the tool's message (its keys, no login nonce or target); and the composer in the
// app on a request launched from the emulator's Launch view with narrowed settings: checked,
// saved as a template, posted, and the placed content previewed from the flows.
//
// Screenshots: tests/artifacts/dl-composer.png, dl-preview.png, dl-app-composer.png,
// dl-app-posted.png. HAR: tests/artifacts/dl-round-trip.har.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { ARTIFACTS, BIN, CHROMIUM, launchBrowser, playwright, skip, startServer, stopServer, afterInjectedHandlersWouldHaveRun } from './harness.mjs';

if (skip) console.log(`# SKIP ${skip}`);

const HOSTILE_HTML = [
  '<script>parent.document.title="owned-by-script";top.location="https://example.invalid/script"</script>',
  '<img src=x onerror="alert(1)">',
  '<form action="https://example.invalid/form" method="post" target="_top"><button id=go>go</button></form>',
  '<a id=js href="javascript:alert(2)">js</a>',
  '<meta http-equiv="refresh" content="0;url=https://example.invalid/refresh">',
  '<div id=overlay style="position:fixed;left:0;top:0;width:100vw;height:100vh;background:red;z-index:2147483647">overlay</div>',
].join('');

let server = null;
let context = null;
let page = null;
let tmp = null;
const dialogs = [];
const requests = [];

before(async () => {
  if (skip) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lti-ui-dl-'));
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  server = await startServer(tmp);
  ({ context, page } = await launchBrowser(path.join(tmp, 'profile'), { width: 1400, height: 900 }));
  context.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  context.on('request', (r) => requests.push(r.url()));
});

after(async () => {
  await context?.close().catch(() => undefined);
  await stopServer(server);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('composer → response → preview: every type placed, hostile html contained, the activity launches', { skip }, async () => {
  const [tool] = await server.api('list_emulator_tools');
  const launch = await server.api('launch_url', { tool_id: tool.id, user_id: 'demo-instructor', course_id: 'demo-course', message_type: 'LtiDeepLinkingRequest' });
  await page.goto(launch.url);
  await page.locator('#dl-compose').waitFor({ timeout: 15_000 });
  const draft = JSON.parse(await page.locator('textarea[name=items]').inputValue());
  assert.deepEqual(draft.map((i) => i.type), ['ltiResourceLink', 'link', 'html', 'file', 'image']);
  assert.equal(await page.locator('.item').count(), 5);
  await page.screenshot({ path: path.join(ARTIFACTS, 'dl-composer.png'), fullPage: true });

  // Add a hostile html item and a link whose embed is hostile, check, then send.
  const items = [...draft, { type: 'html', title: 'Hostile fragment', html: HOSTILE_HTML }, { type: 'link', title: 'Hostile embed', url: 'https://example.invalid/page', embed: { html: HOSTILE_HTML } }];
  await page.locator('textarea[name=items]').fill(JSON.stringify(items, null, 2));
  await page.getByRole('button', { name: 'Check items' }).click();
  await page.locator('#dl-compose').waitFor();
  assert.equal(await page.locator('.item').count(), 7);
  await page.locator('input[name=msg]').fill('Seven items from the browser test');
  await page.getByRole('button', { name: 'Sign and send to the platform' }).click();
  await page.locator('#accepted').waitFor({ timeout: 15_000 });
  const previewUrl = page.url();
  assert.match(previewUrl, /\/deep-linking\//);

  const types = await page.getByTestId('preview-item').evaluateAll((els) => els.map((e) => e.dataset.type));
  assert.deepEqual(types, ['ltiResourceLink', 'link', 'html', 'file', 'image', 'html', 'link']);
  // Images keep their declared size (the image preset is 320×120), whether or not they load.
  const size = await page.locator('img.picture').evaluate((img) => [img.clientWidth, img.clientHeight]);
  assert.deepEqual(size, [320, 120]);
  // The file is a download with its media type; the activity shows its gradebook column.
  assert.equal(await page.getByTestId('item-download').getAttribute('href'), draft[3].url);
  assert.match(await page.getByTestId('item-column').innerText(), /Week 1 quiz.*10/);

  // Hostile html: present (rendered), but contained.
  const frames = page.frames().filter((f) => f !== page.mainFrame());
  assert.equal(frames.length, 3, 'the preset html, the hostile html and the hostile embed each in a frame');
  await afterInjectedHandlersWouldHaveRun(page);
  let rendered = 0;
  for (const f of frames) {
    assert.equal(f.url(), 'about:srcdoc', 'a frame navigated (meta refresh or script)');
    const probe = await f.evaluate(() => {
      let parentAccess = 'blocked';
      try {
        parentAccess = String(parent.document.title);
      } catch {
        /* opaque origin: the sandbox holds */
      }
      return { parentAccess, origin: self.origin, scripts: document.scripts.length, overlay: !!document.getElementById('overlay') };
    });
    assert.equal(probe.parentAccess, 'blocked', 'the frame reached the page document');
    assert.equal(probe.origin, 'null', 'the frame has the page origin');
    if (probe.overlay) rendered += 1;
  }
  assert.equal(rendered, 2, 'both hostile fragments are rendered, each in its frame');
  assert.match(await frames[0].locator('body').innerText(), /Welcome/, 'the preset fragment is rendered');
  // The script did not run: the title is the page's, no dialog opened, nothing navigated.
  assert.equal(await page.title(), 'Content added to the course');
  assert.deepEqual(dialogs, []);
  assert.equal(page.url(), previewUrl);
  assert.deepEqual(requests.filter((u) => u.includes('example.invalid')), [], 'a hostile fragment made a request');
  // The overlay cannot leave its frame: the page's own heading is on top at the page's corner.
  const onTop = await page.evaluate(() => document.elementFromPoint(30, 30)?.tagName ?? '');
  assert.notEqual(onTop, 'IFRAME');
  // Clicking the hostile form's button inside its frame submits nothing (no allow-forms).
  const hostile = frames[1];
  await hostile.locator('#go').click({ timeout: 2000 }).catch(() => undefined);
  await page.waitForTimeout(300);
  assert.equal(page.url(), previewUrl);
  assert.deepEqual(requests.filter((u) => u.includes('example.invalid')), []);
  await page.screenshot({ path: path.join(ARTIFACTS, 'dl-preview.png'), fullPage: true });

  // The course's content page, then the activity launched from it: a valid launch into the tool.
  await page.goto(new URL('/courses/demo-course/content', previewUrl).toString());
  assert.equal(await page.getByTestId('preview-item').count(), 7);
  await page.getByTestId('item-launch').first().click();
  await page.waitForURL(/\/lti\/launch(\?|$)/, { timeout: 15_000 });
  assert.match(await page.locator('#verdict').innerText(), /Valid launch/);
});

function inspect(args) {
  const r = spawnSync(BIN, ['inspect', '--format', 'json', ...args], { encoding: 'utf8' });
  assert.ok(r.stdout, `inspect printed nothing: ${r.stderr}`);
  return { code: r.status, out: JSON.parse(r.stdout) };
}

const failedRules = (m) => m.findings.filter((f) => f.outcome === 'fail' && f.severity === 'error').map((f) => f.rule_id);

test('a HAR of the round trip recorded in chromium: inspect checks the response as the tool\'s message', { skip }, async () => {
  const harPath = path.join(ARTIFACTS, 'dl-round-trip.har');
  const browser = await playwright.chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  const recording = await browser.newContext({ recordHar: { path: harPath, content: 'embed' } });
  const tab = await recording.newPage();
  const [tool] = await server.api('list_emulator_tools');
  const launch = await server.api('launch_url', { tool_id: tool.id, user_id: 'demo-instructor', course_id: 'demo-course', message_type: 'LtiDeepLinkingRequest' });
  await tab.goto(launch.url);
  await tab.locator('#dl-compose').waitFor({ timeout: 15_000 });
  await tab.getByRole('button', { name: 'Sign and send to the platform' }).click();
  await tab.locator('#accepted').waitFor({ timeout: 15_000 });
  await recording.close();
  await browser.close();

  // Without the tool's keys: the response is unverified and says whose keys to give — not
  // invalid for a kid missing from the platform's JWKS, a nonce or a target_link_uri.
  const plain = inspect([harPath]);
  const resp = plain.out.messages.find((m) => m.kind === 'deep_linking_response');
  assert.ok(resp, JSON.stringify(plain.out.messages.map((m) => m.kind)));
  assert.deepEqual(failedRules(resp), []);
  assert.equal(resp.verdict, 'unverified');
  assert.match(resp.findings.find((f) => f.rule_id === 'jwt.signature').message, /tool's key/);

  // With both key sets: the request verified with the emulator's, the response with the tool's.
  const emu = await server.api('get_emulator_setup');
  const toolSetup = await server.api('get_tool_setup');
  const keyed = inspect(['--jwks', emu.jwks_url, '--tool-jwks', toolSetup.jwks_url, harPath]);
  const request = keyed.out.messages.find((m) => m.message_type === 'LtiDeepLinkingRequest');
  const response = keyed.out.messages.find((m) => m.kind === 'deep_linking_response');
  assert.equal(request.verdict, 'valid', JSON.stringify(failedRules(request)));
  assert.equal(response.verdict, 'valid', JSON.stringify(failedRules(response)));
  assert.match(response.findings.find((f) => f.rule_id === 'jwt.signature').message, /^Verified/);
  assert.equal(response.findings.find((f) => f.rule_id === 'dl.response_data').outcome, 'pass', 'data echoed, checked against the request in the same HAR');
});

test('the composer in the app: a request with narrowed settings from the Launch view, checked, saved, posted, previewed', { skip }, async () => {
  await page.goto(server.uiUrl); // the token comes with the ui: URL
  await page.getByTestId('nav-timeline').waitFor();
  await page.goto(`${server.base}/#/emulator/launch/demo-course`);
  await page.getByTestId('launch-options').waitFor();
  await page.getByTestId('msg-LtiDeepLinkingRequest').click();
  await page.getByTestId('dl-launch-settings').waitFor();
  await page.getByTestId('dl-type-html').uncheck();
  await page.getByTestId('dl-type-file').uncheck();
  await page.getByTestId('dl-multiple').uncheck();
  const [tab] = await Promise.all([context.waitForEvent('page', { timeout: 15_000 }), page.locator('[data-testid="launch-as"][data-tool="demo-tool"]').click()]);
  await tab.locator('#dl-compose').waitFor({ timeout: 15_000 });
  const flowId = await tab.locator('input[name=flow]').first().inputValue();
  await tab.close();

  await page.goto(`${server.base}/#/flows/${flowId}`);
  const card = page.getByTestId('dl-composer-card');
  await card.waitFor();
  const settings = await page.getByTestId('dl-settings').innerText();
  assert.match(settings, /accept_types\s+ltiResourceLink, link, image/);
  assert.match(settings, /accept_multiple\s+false/);
  const draft = JSON.parse(await page.getByTestId('dl-items').inputValue());
  assert.equal(draft.length, 1, 'accept_multiple false: a one-item draft');

  // An html item breaks the settings twice (type not accepted, a second item): flagged.
  await page.getByTestId('dl-preset-html').click();
  await page.getByTestId('dl-check').click();
  await page.getByTestId('dl-outcome').waitFor();
  assert.match(await page.getByTestId('dl-item-flags').innerText(), /Item 2: dl\.item\.accepted/);
  assert.match(await page.getByTestId('dl-failed').innerText(), /dl\.item\.multiple/);
  await page.screenshot({ path: path.join(ARTIFACTS, 'dl-app-composer.png'), fullPage: true });

  // One link, saved as a template, then posted by the inspector: the platform accepts it. Its
  // icon and thumbnail hang forever (a server that never answers): the preview must not wait.
  const hang = http.createServer(() => undefined).listen(0, '127.0.0.1');
  await new Promise((r) => hang.once('listening', r));
  const hangUrl = `http://127.0.0.1:${hang.address().port}`;
  await page.getByTestId('dl-clear').click();
  await page.getByTestId('dl-preset-link').click();
  const link = JSON.parse(await page.getByTestId('dl-items').inputValue());
  link[0].icon = { url: `${hangUrl}/icon.png`, width: 64, height: 64 };
  link[0].thumbnail = { url: `${hangUrl}/huge.png`, width: 90, height: 90 };
  await page.getByTestId('dl-items').fill(JSON.stringify(link));
  await page.getByTestId('dl-template-name').fill('One reading');
  await page.getByTestId('dl-template-save').click();
  await page.locator('[data-testid="dl-template-load"] option', { hasText: 'One reading' }).waitFor({ state: 'attached' });
  await page.getByTestId('dl-msg').fill('Posted from the app');
  await page.getByTestId('dl-post').click();
  await page.getByTestId('dl-answer').waitFor({ timeout: 15_000 });
  assert.match(await page.getByTestId('dl-answer').innerText(), /HTTP 200/);
  const toolFlow = await server.api('get_flow', { id: flowId });
  assert.equal(toolFlow.messages.filter((m) => m.message.kind === 'dl_response').length, 1);
  assert.ok(toolFlow.exchanges.some((e) => e.step === 'deep_linking_response'), 'the post and its answer are in the flow');
  await page.screenshot({ path: path.join(ARTIFACTS, 'dl-app-posted.png'), fullPage: true });

  // The emulator's flow of that response links to the course content, the link placed in it.
  const flows = await server.api('list_flows', { limit: 20 });
  // The emulator's flow began with the launch (before the tool's): the last one updated.
  const emuFlow = flows.filter((f) => f.side === 'emulator' && f.summary.dl_preview).sort((x, y) => y.updated_at - x.updated_at)[0];
  assert.ok(emuFlow, 'an emulator flow with a preview link');
  await page.goto(`${server.base}/#/flows/${emuFlow.id}`);
  await page.getByTestId('dl-preview-card').waitFor();
  const [preview] = await Promise.all([context.waitForEvent('page', { timeout: 15_000 }), page.getByTestId('dl-preview-open').click()]);
  const opened = Date.now();
  await preview.getByTestId('preview-item').first().waitFor({ timeout: 5_000 });
  assert.ok(Date.now() - opened < 5_000, 'the preview waited for a hanging image');
  const titles = await preview.getByTestId('preview-item').allInnerTexts();
  assert.ok(titles.some((t) => /LTI Core specification/.test(t)), titles.join(' | '));
  // The emulator's page links into the app (the open app tab hands the new tab its token).
  const appLink = preview.getByTestId('app-link').locator('a');
  assert.ok(!(await appLink.getAttribute('href')).includes('token'), 'no token in an emulator page');
  const [gradebook] = await Promise.all([context.waitForEvent('page', { timeout: 15_000 }), appLink.click()]);
  await gradebook.getByTestId('gradebook-course').waitFor({ timeout: 15_000 });
  await gradebook.close();
  await preview.close();
  hang.closeAllConnections?.();
  hang.close();

  // The gradebook's deep-linked items open the same preview.
  await page.goto(`${server.base}/#/emulator/gradebook/demo-course`);
  await page.getByTestId('content-preview-open').waitFor();
});
