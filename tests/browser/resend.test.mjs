// Re-send (issue 11, item 3) in the browser: a demo launch made by chromium, its id_token post
// opened in the flow view and sent again from the Re-send dialog. Before sending the dialog
// says the tool will refuse the replayed nonce and state; after, the answer is explained as
// expected and links to what the tool side recorded. Then the same request edited (a header
// added, the body changed) goes to a foreign receiver, whose own words are read back.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { spawn } from 'node:child_process';
import { ARTIFACTS, BIN, launchBrowser, skip, startServer, stopServer } from './harness.mjs';

if (skip) console.log(`# SKIP ${skip}`);

let server = null;
let context = null;
let page = null;
let tmp = null;
let toolFlow = null;
let foreign = null;
const received = [];

before(async () => {
  if (skip) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lti-ui-resend-'));
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  server = await startServer(tmp);
  ({ context, page } = await launchBrowser(path.join(tmp, 'profile')));
  await page.goto(server.uiUrl);
  // The launch, as a user's browser makes it.
  const launch = await server.api('launch_demo');
  const tab = await context.newPage();
  await tab.goto(launch.url);
  await tab.waitForURL(/\/lti\/launch(\?|$)/, { timeout: 15_000 });
  await tab.close();
  const flows = await server.api('list_flows', { limit: 50 });
  toolFlow = flows.find((f) => f.side === 'tool' && f.verdict === 'valid');
  assert.ok(toolFlow, JSON.stringify(flows.map((f) => [f.side, f.verdict])));
  // Someone else's tool: refuses a nonce it has seen, in its own words.
  foreign = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(403, { 'content-type': 'text/plain' });
      res.end('Launch refused: this nonce has already been used');
    });
  });
  await new Promise((r) => foreign.listen(0, '127.0.0.1', r));
});

after(async () => {
  await context?.close().catch(() => undefined);
  foreign?.close();
  await stopServer(server);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function runCli(args) {
  return new Promise((resolve) => {
    const p = spawn(BIN, args);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

async function openResend() {
  await page.goto(`${server.base}/#/flows/${toolFlow.id}`);
  await page.getByTestId('flow-page').waitFor();
  await page.locator('[data-testid="seq-step"][data-step="launch"][data-part="request"]').click();
  await page.getByTestId('exchange-resend').click();
  const dialog = page.getByTestId('resend-dialog');
  await dialog.getByTestId('resend-expect').waitFor();
  return dialog;
}

test('1. the id_token post sent again verbatim: refusals announced, then explained as expected', { skip }, async () => {
  const dialog = await openResend();
  const expect = await dialog.getByTestId('resend-expect').innerText();
  assert.match(expect, /idtoken\.nonce_replay/, expect);
  assert.match(expect, /response\.state/, expect);
  // Secrets stay masked in the editor; the request goes with them as recorded.
  const headers = await dialog.getByTestId('resend-headers').inputValue();
  assert.match(headers, /^cookie: lti_state_[0-9a-f]+=‹masked, \d+ chars/m, headers);
  await dialog.getByTestId('resend-send').click();
  await dialog.getByTestId('resend-result').waitFor({ timeout: 15_000 });
  assert.equal(await dialog.getByTestId('resend-status').innerText(), '200');
  const why = await dialog.getByTestId('resend-explanations').innerText();
  assert.match(why, /Expected for a re-send — idtoken\.nonce_replay/, why);
  assert.doesNotMatch(why, /Not caused by re-sending/, why);
  await page.screenshot({ path: path.join(ARTIFACTS, 'resend-explained.png') });
  // What the tool side recorded: an invalid launch, for the replayed nonce.
  await dialog.getByTestId('resend-receiver-link').click();
  await page.getByTestId('flow-header').waitFor();
  assert.equal(await page.getByTestId('flow-verdict').getAttribute('data-verdict'), 'invalid');
  // And the re-send's own flow says what it was and why, linked to the receiver's.
  const resends = (await server.api('list_flows', { limit: 50 })).filter((f) => f.kind === 'resend');
  assert.equal(resends.length, 1);
  await page.goto(`${server.base}/#/flows/${resends[0].id}`);
  const facts = await page.getByTestId('flow-resend').innerText();
  assert.match(facts, /of exchange \d+ of flow \S+ · answered 200/, facts);
  assert.match(facts, /nonce_replay/, facts);
  assert.equal(await page.getByTestId('flow-related-link').count(), 1);
});

test('2. edited and sent elsewhere: the foreign answer is read against what was expected', { skip }, async () => {
  const dialog = await openResend();
  const url = `http://127.0.0.1:${foreign.address().port}/launch`;
  await dialog.getByTestId('resend-url').fill(url);
  const headers = await dialog.getByTestId('resend-headers').inputValue();
  await dialog.getByTestId('resend-headers').fill(`${headers}\nX-Ticket: 4711`);
  await dialog.getByTestId('resend-send').click();
  await dialog.getByTestId('resend-result').waitFor({ timeout: 15_000 });
  assert.equal(await dialog.getByTestId('resend-status').innerText(), '403');
  const why = await dialog.getByTestId('resend-explanations').innerText();
  assert.match(why, /Answered 403, mentioning "nonce": expected/, why);
  assert.equal(await dialog.getByTestId('resend-receiver-link').count(), 0);
  // The receiver got the recorded secrets (not the masks) and the added header.
  const got = received.at(-1);
  assert.equal(got.headers['x-ticket'], '4711');
  assert.match(got.headers.cookie, /^lti_state_[0-9a-f]+=[0-9a-f]{32}/, got.headers.cookie);
  assert.match(got.body, /^id_token=eyJ/);
  // A header line that is not a header is refused before anything is sent.
  await dialog.getByTestId('resend-headers').fill('not a header');
  assert.equal(await dialog.getByTestId('resend-send').isDisabled(), true);
  await page.screenshot({ path: path.join(ARTIFACTS, 'resend-foreign.png') });
});

test('3. the CLI re-sends the same exchange with a header changed, while serve runs', { skip }, async () => {
  const detail = await server.api('get_flow', { id: toolFlow.id });
  const post = detail.exchanges.find((e) => e.method === 'POST' && e.url.endsWith('/lti/launch'));
  const args = ['resend', '--data-dir', path.join(tmp, 'data')];
  if (process.env.LTI_TEST_FILE_KEYSTORE === '1') args.push('--key-store', `file:${path.join(tmp, 'keys.json')}`);
  args.push(String(post.id), '--url', `http://127.0.0.1:${foreign.address().port}/launch`, '--header', 'X-Ticket: from-the-cli');
  // Not spawnSync: the foreign receiver answers from this very process.
  const run = await runCli(args);
  assert.equal(run.status, 0, run.stderr);
  const out = JSON.parse(run.stdout);
  assert.equal(out.outcome.status, 403, JSON.stringify(out.outcome));
  assert.match(out.outcome.explanations.join(' '), /mentioning "nonce": expected/);
  assert.equal(received.at(-1).headers['x-ticket'], 'from-the-cli');
  // The other headers went as recorded (the state cookie unmasked).
  assert.match(received.at(-1).headers.cookie, /^lti_state_[0-9a-f]+=[0-9a-f]{32}/);
  const bad = await runCli([...args.slice(0, -2), '--header', 'no colon']);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /is not "Name: value"/);
});
