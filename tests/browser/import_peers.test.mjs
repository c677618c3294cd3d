// Import (issue 11, item 1) of HAR files the inspector never saw being made: chromium
// (playwright's recordHar) records launches between two independent peers — the lti1p3platform
// platform launching into the PyLTI1p3 tool (tests/peers/peer_pair.py), no inspector in the
// path — once in its own window, once inside an iframe of a busy page (the inspector's own UI,
// a real page, with a hundred unrelated requests around it), and once as Chrome's *sanitized*
// export (cookies and Authorization headers stripped). Each goes into the Timeline and must
// come out as the launch it was, validated as of its recorded time, with the peer tool's own
// verdict (it accepted the launch) as the reference.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { after, before, test } from 'node:test';
import { ARTIFACTS, CHROMIUM, failUnderCi, launchBrowser, playwright, repo, skip as browserSkip, startServer, stopServer } from './harness.mjs';

const PYTHON = path.join(repo, '.venv-peers/bin/python');
const noPeers = !fs.existsSync(PYTHON) && 'the PyPI peers are not installed (.venv-peers: make setup-test): peer HAR tests skipped';
const skip = browserSkip || (noPeers && process.env.CI === 'true' ? failUnderCi(noPeers) : noPeers);
if (skip) console.log(`# SKIP ${skip}`);

let server = null;
let context = null;
let page = null;
let tmp = null;
let peers = null;
let pair = null;
const hars = {};
let knownFlow = null;
let registered = null;

/** Starts the two peers; resolves with what they print. */
function startPeers() {
  const proc = spawn(PYTHON, [path.join(repo, 'tests/peers/peer_pair.py')], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`peers did not start in 30 s: ${stderr}`)), 30_000);
    proc.on('exit', (code) => reject(new Error(`peers exited with ${code}: ${stderr}`)));
    readline.createInterface({ input: proc.stdout }).once('line', (line) => {
      clearTimeout(timer);
      resolve({ proc, ...JSON.parse(line) });
    });
  });
}

/** Records a HAR of `drive(tab)` in a fresh chromium context (as a customer's browser). */
async function record(name, drive) {
  const file = path.join(ARTIFACTS, `peers-${name}.har`);
  const browser = await playwright.chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  const ctx = await browser.newContext({ recordHar: { path: file, content: 'embed' } });
  const tab = await ctx.newPage();
  await drive(tab);
  await ctx.close();
  await browser.close();
  return file;
}

/** What Chrome's "Export HAR (sanitized)" leaves out: cookies and credentials headers. */
function sanitized(har) {
  const out = structuredClone(har);
  const secret = new Set(['cookie', 'set-cookie', 'authorization']);
  for (const e of out.log.entries) {
    for (const m of [e.request, e.response]) {
      m.headers = m.headers.filter((h) => !secret.has(h.name.toLowerCase()));
      m.cookies = [];
    }
  }
  return out;
}

before(async () => {
  if (skip) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lti-ui-peers-'));
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  pair = await startPeers();
  peers = pair.proc;
  server = await startServer(tmp);

  // 1. The launch in its own window, as a user clicks the LMS's link.
  hars.window = await record('window', async (tab) => {
    await tab.goto(pair.launch_url);
    await tab.getByText('PyLTI1p3 launch accepted').waitFor({ timeout: 15_000 });
  });
  // 2. The same launch inside an iframe of a busy page: the inspector's own UI (scripts, styles,
  //    API calls, an event stream) plus a hundred unrelated fetches around the launch.
  hars.noisy = await record('noisy', async (tab) => {
    await tab.goto(server.uiUrl);
    await tab.getByTestId('nav-timeline').waitFor();
    await tab.evaluate(async ({ launch, base }) => {
      const noise = (n) => Promise.all(Array.from({ length: n }, (_, i) => fetch(`${base}/favicon.ico?n=${i}`).catch(() => null)));
      await noise(60);
      const frame = document.createElement('iframe');
      frame.src = launch;
      frame.style.width = '600px';
      frame.style.height = '300px';
      document.body.appendChild(frame);
      await new Promise((r) => frame.addEventListener('load', r, { once: true }));
      await noise(60);
    }, { launch: pair.launch_url, base: server.base });
    await tab.frameLocator('iframe').getByText('PyLTI1p3 launch accepted').waitFor({ timeout: 15_000 });
  });
  // 3. The first file as Chrome's sanitized export writes it.
  hars.sanitized = path.join(ARTIFACTS, 'peers-sanitized.har');
  fs.writeFileSync(hars.sanitized, JSON.stringify(sanitized(JSON.parse(fs.readFileSync(hars.window, 'utf8')))));

  ({ context, page } = await launchBrowser(path.join(tmp, 'profile')));
  await page.goto(server.uiUrl);
  await page.getByTestId('nav-timeline').click();
});

after(async () => {
  await context?.close().catch(() => undefined);
  peers?.stdin.end();
  await stopServer(server);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const importFile = (file, extra = {}) => server.api('import', { name: path.basename(file), text: fs.readFileSync(file, 'utf8'), ...extra });

function stateFinding(detail) {
  const post = detail.messages.find((m) => m.message.kind === 'id_token');
  const state = post.message.report.findings.filter((f) => f.rule_id === 'response.state');
  // The post's state is the one the authentication request sent (checked), and what the file
  // can say about the tool's cookie (not checkable from a HAR).
  assert.equal(state.find((f) => f.outcome !== 'skipped')?.outcome, 'pass', JSON.stringify(state));
  return state.filter((f) => f.outcome === 'skipped');
}

test('1. a launch between two other implementations, recorded by chromium, imports as one valid launch once the platform is known', { skip }, async () => {
  const har = JSON.parse(fs.readFileSync(hars.window, 'utf8'));
  assert.ok(har.log.entries.some((e) => e.request.url.startsWith(pair.tool.launch) && e.request.method === 'POST'), 'the id_token post is in the file');
  // Unknown platform, no keys asked for: nothing guessed.
  const blind = await importFile(hars.window);
  assert.equal(blind.flows.length, 1, JSON.stringify(blind));
  assert.equal(blind.lti_entries, 3, JSON.stringify(blind));
  assert.equal(blind.flows[0].verdict, 'unverified', JSON.stringify(blind));
  assert.match(blind.notes.join(' '), /No registered platform has issuer http:\/\/127\.0\.0\.1:\d+/);

  // The support engineer registers the customer's platform and imports again, fetching keys.
  registered = await server.api('save_platform', pair.registration);
  const known = await importFile(hars.window, { fetch_keys: true });
  knownFlow = known.flows[0].id;
  assert.equal(known.flows[0].verdict, 'valid', JSON.stringify(known));
  assert.match(known.notes.join(' '), /JWKS fetched from http:\/\/127\.0\.0\.1:\d+\/\.well-known\/jwks\.json/);
  const detail = await server.api('get_flow', { id: known.flows[0].id });
  assert.deepEqual(detail.messages.map((m) => m.message.kind), ['login', 'auth_request', 'id_token']);
  // The tool's state cookie went with the post, and the file shows it (by name).
  const [state] = stateFinding(detail);
  assert.equal(state.outcome, 'skipped');
  assert.match(state.message, /The browser sent cookies with this post \(.*lti1p3-state-/, state.message);
});

test('2. the same launch inside an iframe of a busy page: the launch is found among the noise', { skip }, async () => {
  const har = JSON.parse(fs.readFileSync(hars.noisy, 'utf8'));
  assert.ok(har.log.entries.length > 120, `${har.log.entries.length} entries`);
  await page.getByTestId('import-open').click();
  await page.getByTestId('import-fetch-keys').check();
  await page.getByTestId('import-file').setInputFiles(hars.noisy);
  const result = page.getByTestId('import-result').filter({ hasText: 'peers-noisy.har' });
  await result.getByTestId('import-counts').waitFor();
  const counts = await result.getByTestId('import-counts').innerText();
  assert.equal(counts, `1 flow from 3 LTI entries of ${har.log.entries.length}; ${har.log.entries.length - 3} unrelated entries left out`);
  assert.match(await result.innerText(), /Valid/);
  await page.screenshot({ path: path.join(ARTIFACTS, 'import-peers-noisy.png') });
  await page.keyboard.press('Escape');
});

test("3. Chrome's sanitized export: no cookies in the file is 'not in the HAR', not a failure", { skip }, async () => {
  const out = await importFile(hars.sanitized, { fetch_keys: true });
  assert.equal(out.flows.length, 1);
  assert.equal(out.flows[0].verdict, 'valid', JSON.stringify(out));
  const [state] = stateFinding(await server.api('get_flow', { id: out.flows[0].id }));
  assert.equal(state.outcome, 'skipped');
  assert.match(state.message, /No cookie is in the HAR for this post: a sanitized export/);
  // And the file truly holds no cookie.
  const text = fs.readFileSync(hars.sanitized, 'utf8');
  assert.doesNotMatch(text, /lti1p3-state-[^"]*=/);
});

test('4. the platform rotates its key: re-checked with the keys as they are now it fails, as they were at the launch it verifies', { skip }, async () => {
  // The registration now holds another key only (what a rotation looks like from the tool).
  const { publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'rotated-1', alg: 'RS256', use: 'sig' };
  await server.api('save_platform', { ...pair.registration, id: registered.id, jwks_url: null, public_key: JSON.stringify(jwk) });
  await page.goto(`${server.base}/#/flows/${knownFlow}`);
  const card = page.getByTestId('recheck-card');
  await card.waitFor();
  await card.getByTestId('recheck-run').click();
  await card.getByTestId('recheck-result').waitFor();
  assert.equal(await card.getByTestId('recheck-verdict').getAttribute('data-verdict'), 'invalid');
  await card.getByTestId('recheck-keys').selectOption('recorded');
  await card.getByTestId('recheck-run').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="recheck-verdict"]')?.getAttribute('data-verdict') === 'valid');
  const text = await card.innerText();
  assert.match(text, /Keys as they were at the launch: Checked with the JWKS fetched from http:\/\/127\.0\.0\.1:\d+\/\.well-known\/jwks\.json/, text);
  assert.match(text, /Registration as it was at the launch: lti1p3platform \(customer LMS\)/, text);
  await page.screenshot({ path: path.join(ARTIFACTS, 'recheck-recorded-keys.png') });
});
