// A minimal W3C WebDriver client (fetch-based) for driving the real Tauri window through
// tauri-driver + WebKitWebDriver. Enough for: find, text, execute, screenshot.
export class WebDriver {
  constructor(base) {
    this.base = base;
    this.session = null;
  }
  async cmd(method, path, body) {
    const res = await fetch(this.base + path, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json.value)}`);
    return json.value;
  }
  async start(application, env) {
    const value = await this.cmd('POST', '/session', {
      capabilities: {
        alwaysMatch: { browserName: 'wry', 'tauri:options': { application, ...(env ? { env } : {}) } },
      },
    });
    this.session = value.sessionId;
  }
  s(path) {
    return `/session/${this.session}${path}`;
  }
  async find(css) {
    const v = await this.cmd('POST', this.s('/element'), { using: 'css selector', value: css });
    return Object.values(v)[0];
  }
  async findAll(css) {
    const v = await this.cmd('POST', this.s('/elements'), { using: 'css selector', value: css });
    return v.map((e) => Object.values(e)[0]);
  }
  async text(el) {
    return this.cmd('GET', this.s(`/element/${el}/text`));
  }
  async click(el) {
    return this.cmd('POST', this.s(`/element/${el}/click`), {});
  }
  async execute(script, args = []) {
    return this.cmd('POST', this.s('/execute/async'), { script, args });
  }
  async screenshot() {
    return Buffer.from(await this.cmd('GET', this.s('/screenshot')), 'base64');
  }
  async waitFor(fn, { timeout = 15000, interval = 200, what = 'condition' } = {}) {
    const end = Date.now() + timeout;
    let last;
    while (Date.now() < end) {
      try {
        const v = await fn();
        if (v) return v;
      } catch (e) {
        last = e;
      }
      await new Promise((r) => setTimeout(r, interval));
    }
    throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
  }
  async quit() {
    if (this.session) {
      try {
        await this.cmd('DELETE', this.s(''));
      } catch {}
      this.session = null;
    }
  }
}
