// A change made in one client shows in the others live (issue 10, item 4): two browser pages on
// one `lti-inspector serve`, the HTTP API as a third client, and the CLI — another process on
// the same data folder — changing a registration while the server runs. No page reloads.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ARTIFACTS, BIN, launchBrowser, skip, startServer, stopServer } from './harness.mjs';

if (skip) console.log(`# SKIP ${skip}`);

let server = null;
let context = null;
let a = null;
let b = null;
let tmp = null;

before(async () => {
  if (skip) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lti-ui-live-'));
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  server = await startServer(tmp);
  ({ context, page: a } = await launchBrowser(path.join(tmp, 'profile')));
  b = await context.newPage();
  b.setDefaultTimeout(10_000);
  for (const p of [a, b]) {
    await p.goto(server.uiUrl);
    await p.evaluate(() => {
      window.__sameDocument = true;
    });
  }
});

after(async () => {
  await context?.close().catch(() => undefined);
  await stopServer(server);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

async function stillSameDocument(...pages) {
  for (const p of pages) assert.equal(await p.evaluate(() => window.__sameDocument), true, 'the page was reloaded');
}

test('1. a registration saved by one client appears in both pages; deleted in one, gone in the other', { skip }, async () => {
  for (const p of [a, b]) {
    await p.getByTestId('nav-platforms').click();
    await p.getByTestId('platforms-page').waitFor();
  }
  await server.api('save_platform', { name: 'Live LMS', issuer: 'https://live.example', client_id: 'live-1', auth_endpoint: 'https://live.example/auth', jwks_url: 'https://live.example/jwks' });
  for (const p of [a, b]) await p.getByText('https://live.example').first().waitFor();

  const card = a.getByTestId('platform-card').filter({ hasText: 'https://live.example' });
  await card.getByTestId('platform-delete').click();
  await card.getByTestId('delete-yes').click();
  await b.getByTestId('platform-card').filter({ hasText: 'https://live.example' }).waitFor({ state: 'detached' });
  await stillSameDocument(a, b);
});

test('2. the CLI registering a platform while serve runs shows in the open pages', { skip }, async () => {
  const args = ['platforms', '--data-dir', path.join(tmp, 'data')];
  if (process.env.LTI_TEST_FILE_KEYSTORE === '1') args.push('--key-store', `file:${path.join(tmp, 'keys.json')}`);
  args.push('add', '--name', 'From the CLI', '--issuer', 'https://cli.example', '--client-id', 'cli-1', '--auth-endpoint', 'https://cli.example/auth', '--jwks-url', 'https://cli.example/jwks');
  const out = spawnSync(BIN, args, { encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  for (const p of [a, b]) await p.getByText('https://cli.example').first().waitFor();
  await stillSameDocument(a, b);
  await b.screenshot({ path: path.join(ARTIFACTS, 'browser-live-cli-platform.png') });
});

test("3. an emulator tool saved elsewhere appears in a page's Tools view", { skip }, async () => {
  await b.goto(`${server.base}/#/emulator/tools`);
  await b.evaluate(() => {
    window.__sameDocument = true;
  });
  await b.getByTestId('add-tool').waitFor();
  await server.api('save_emulator_tool', { name: 'Live grader', login_url: 'http://localhost:9/login', redirect_uris: ['http://localhost:9/launch'] });
  await b.getByTestId('tool-card').filter({ hasText: 'Live grader' }).waitFor();
  await stillSameDocument(b);
});
