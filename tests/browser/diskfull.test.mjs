// A full disk, in the real browser: `serve` on an 8 MiB tmpfs data folder (mounted here; needs
// root — skipped without it, a failure under CI=true), the disk filled by a file. A launch gets
// the 507 page naming the cause; the UI shows a banner saying launches are not being recorded;
// deleting the file makes the banner go away by itself and the next launch is recorded.
//
//   cd ui && npm run build && cd .. && node --test tests/browser/diskfull.test.mjs
//
// Screenshot: tests/artifacts/browser-disk-full.png

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ARTIFACTS, failUnderCi, launchBrowser, skip as noBrowser, startServer, stopServer } from './harness.mjs';

let server = null;
let context = null;
let page = null;
let tmp = null;
let mounted = false;

function mountTmpfs(dir) {
  try {
    fs.mkdirSync(dir, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const canMount = !noBrowser && process.getuid?.() === 0;
const skip = noBrowser || (canMount ? false : process.env.CI === 'true' ? failUnderCi('mounting a tmpfs needs root') : 'mounting a tmpfs needs root');
if (skip) console.log(`# SKIP ${skip}`);

before(async () => {
  if (skip) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lti-ui-diskfull-'));
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  mounted = mountTmpfs(path.join(tmp, 'data'));
  assert.ok(mounted, 'could not mount a tmpfs for the data folder');
  server = await startServer(tmp);
  ({ context, page } = await launchBrowser(path.join(tmp, 'profile')));
});

after(async () => {
  await context?.close().catch(() => undefined);
  await stopServer(server);
  if (mounted) execFileSync('umount', ['-l', path.join(tmp, 'data')], { stdio: 'ignore' });
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** Writes zeros until the file system says no. */
function fill(file) {
  const fd = fs.openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (e) {
    assert.equal(e.code, 'ENOSPC', String(e));
  }
  for (let i = 0; i < 128; i++) {
    try {
      fs.writeSync(fd, Buffer.alloc(512));
    } catch {
      break;
    }
  }
  fs.closeSync(fd);
}

async function launch(i) {
  const body = new URLSearchParams({ id_token: `not-a-jwt-${i}-${'p'.repeat(3000)}`, state: 's' });
  const res = await fetch(`${server.tool}/lti/launch`, { method: 'POST', body });
  return { status: res.status, text: await res.text() };
}

test('a full disk: a 507 page naming the cause, a banner in the UI, and recovery by itself', { skip }, async () => {
  await page.goto(server.uiUrl);
  await page.getByTestId('nav-timeline').click();
  await page.getByTestId('flow-list').or(page.getByText('No flows yet')).first().waitFor();
  assert.equal((await launch(0)).status, 200);

  const filler = path.join(tmp, 'data', 'filler.bin');
  fill(filler);
  let refused = null;
  for (let i = 1; i < 400 && !refused; i++) {
    const r = await launch(i);
    if (r.status !== 200) refused = r;
  }
  assert.ok(refused, 'no launch was refused on a full disk');
  assert.equal(refused.status, 507, refused.text.slice(0, 400));
  assert.match(refused.text, /Not recorded: the disk is full/);

  const banner = page.getByTestId('storage-banner');
  await banner.waitFor({ timeout: 10_000 });
  const said = await banner.innerText();
  assert.match(said, /Disk full: launches are not being recorded/);
  assert.match(said, /storage_full/);
  assert.match(said, /resumes by itself/);
  assert.match(said, /goes away by itself/);
  await page.screenshot({ path: path.join(ARTIFACTS, 'browser-disk-full.png') });

  fs.rmSync(filler);
  await banner.waitFor({ state: 'detached', timeout: 20_000 });
  const again = await launch(1000);
  assert.equal(again.status, 200, again.text.slice(0, 400));
});
