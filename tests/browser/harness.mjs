// Shared by the browser tests: start `lti-inspector serve` with the built UI on free ports, call
// its API, and drive Debian's chromium through playwright-core. Not a test file itself.
//
// Env: LTI_INSPECTOR_BIN (default target/debug/lti-inspector), LTI_TEST_FILE_KEYSTORE=1 to use a
// file key store instead of the OS keychain (run under gnome-keyring otherwise, see
// SETUP-NOTES "Keychain in tests"). Screenshots go to tests/artifacts/.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CHROMIUM = '/usr/bin/chromium';
export const BIN = process.env.LTI_INSPECTOR_BIN || path.join(repo, 'target/debug/lti-inspector');
export const UI_DIST = path.join(repo, 'ui/dist');
export const ARTIFACTS = path.join(repo, 'tests/artifacts');

// playwright-core lives in ui/node_modules (this folder has no package.json).
export let playwright = null;
try {
  playwright = createRequire(path.join(repo, 'ui/package.json'))('playwright-core');
} catch {
  playwright = null;
}

const missing = !fs.existsSync(CHROMIUM)
  ? `${CHROMIUM} is missing (apt-get install chromium): browser tests skipped`
  : !playwright
    ? 'playwright-core is not installed (cd ui && npm install): browser tests skipped'
    : false;

/**
 * Why the suite cannot run, or false. Under CI (`CI=true`) a missing prerequisite is a failure,
 * never a silent skip: a green run must mean the tests ran.
 */
export const skip = missing && process.env.CI === 'true' ? failUnderCi(missing) : missing;

export function failUnderCi(why) {
  throw new Error(`CI=true and a prerequisite is missing: ${why}`);
}

/** Starts `lti-inspector serve` on free ports and waits for its `ui:` and `tool:` lines. */
export async function startServer(tmp, extraArgs = []) {
  assert.ok(fs.existsSync(BIN), `engine binary not found at ${BIN} (build it, or set LTI_INSPECTOR_BIN)`);
  assert.ok(fs.existsSync(path.join(UI_DIST, 'index.html')), `UI not built: run npm run build in ui/ (${UI_DIST})`);
  const dataDir = path.join(tmp, 'data');
  const args = ['serve', '--data-dir', dataDir, '--ui-port', '0', '--tool-port', '0', '--emulator-port', '0', '--ui-dir', UI_DIST];
  if (process.env.LTI_TEST_FILE_KEYSTORE === '1') args.push('--key-store', `file:${path.join(tmp, 'keys.json')}`);
  args.push(...extraArgs);
  const proc = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'warn' } });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  const lines = readline.createInterface({ input: proc.stdout });
  const found = {};
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not print its URLs within 20 s; stderr:\n${stderr}`)), 20_000);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before printing its URLs; stderr:\n${stderr}`));
    });
    lines.on('line', (line) => {
      const m = /^(ui|tool): (\S+)/.exec(line);
      if (m) found[m[1]] = m[2];
      if (found.ui && found.tool) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  proc.removeAllListeners('exit');
  const ui = new URL(found.ui);
  const server = { proc, uiUrl: found.ui, base: ui.origin, token: ui.searchParams.get('token'), tool: found.tool, stderr: () => stderr };
  /** Calls an engine command over the HTTP API; rejects with the `{code, message}` error. */
  server.api = async (name, args = {}) => {
    const res = await fetch(`${server.base}/api/rpc/${name}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(args),
    });
    const text = await res.text();
    if (!res.ok) throw Object.assign(new Error(`${name}: HTTP ${res.status} ${text}`), { status: res.status, body: text });
    return JSON.parse(text);
  };
  return server;
}

export function stopServer(server) {
  if (!server || server.proc.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => server.proc.kill('SIGKILL'), 5000);
    server.proc.on('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    server.proc.kill('SIGTERM');
  });
}

/** A persistent chromium context (light theme, 1360×820 unless told otherwise). */
export async function launchBrowser(profileDir, { width = 1360, height = 820, blockThirdPartyCookies = false, outOfProcessFrames = true } = {}) {
  if (blockThirdPartyCookies) {
    // Chromium's own setting ("Block third-party cookies"), as a user or a browser default has it.
    fs.mkdirSync(path.join(profileDir, 'Default'), { recursive: true });
    fs.writeFileSync(path.join(profileDir, 'Default', 'Preferences'), JSON.stringify({ profile: { cookie_controls_mode: 1, block_third_party_cookies: true } }));
  }
  const context = await playwright.chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width, height },
    colorScheme: 'light',
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ...(outOfProcessFrames ? [] : ['--disable-site-isolation-trials', '--disable-features=IsolateOrigins,site-per-process']),
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(10_000);
  return { context, page };
}

/** An HTTP request with full control over headers (fetch cannot set Host). */
export function rawRequest(url, { method = 'GET', headers = {}, body } = {}) {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers }, (res) => {
      let data = '';
      res.on('data', (d) => (data += d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: data }));
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

/**
 * Resolves once a handler an injected payload could have set (an `<img src=x onerror=…>`) would
 * have run: a control image with the same failing source is added and its own error event
 * awaited. Unlike a fixed wait, this cannot pass by checking too early.
 */
export async function afterInjectedHandlersWouldHaveRun(page) {
  await page.evaluate(
    () =>
      new Promise((resolve) => {
        const img = document.createElement('img');
        img.onerror = () => {
          img.remove();
          resolve();
        };
        img.src = 'x';
        img.style.display = 'none';
        document.body.appendChild(img);
      }),
  );
}
