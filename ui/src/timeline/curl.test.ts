import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellQuote, toCurl } from './curl';

/** Runs `script` in sh with a fake `curl` that prints each argument NUL-terminated, then stdin. */
function runWithFakeCurl(script: string): { args: string[]; stdin: string } {
  const fake = `curl() { for a in "$@"; do printf '%s\\0' "$a"; done; printf '\\1'; cat; }\n`;
  const out = execFileSync('sh', ['-c', fake + script], { input: '', encoding: 'utf8' });
  const sep = out.lastIndexOf('\u0001');
  const args = out.slice(0, sep).split('\0').slice(0, -1);
  return { args, stdin: out.slice(sep + 1) };
}

const NASTY = [
  "it's",
  '$(touch /tmp/pwned)',
  '`id`',
  'a b\tc',
  'line1\nline2',
  '"double" \\back\\slash',
  "'",
  "''",
  '!event',
  '*glob?[x]',
  '~user',
  '=zsh',
  'ünïcödé ☃ <script>alert(1)</script>',
  '-rf',
  '',
];

describe('shellQuote', () => {
  it.each(NASTY)('round-trips %j through sh', (s) => {
    const out = execFileSync('sh', ['-c', `printf %s ${shellQuote(s)}`], { encoding: 'utf8' });
    expect(out).toBe(s);
  });

  it('leaves plain words unquoted and quotes the rest', () => {
    expect(shellQuote('http://localhost:4471/a')).toBe('http://localhost:4471/a');
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('=x')).toBe("'=x'");
  });
});

describe('toCurl', () => {
  it('reproduces a form post exactly', () => {
    const body = "id_token=eyJ.a.b&state=x'y&note=$(rm -rf ~)";
    const cmd = toCurl({
      method: 'POST',
      url: 'http://localhost:4471/lti/launch?x=1&y=2',
      headers: [
        { name: 'host', value: 'localhost:4471' },
        { name: 'content-type', value: 'application/x-www-form-urlencoded' },
        { name: 'content-length', value: String(body.length) },
        { name: 'x-evil', value: "a'; echo pwned; '" },
      ],
      body,
    });
    const { args } = runWithFakeCurl(cmd);
    expect(args).toEqual([
      '-X',
      'POST',
      'http://localhost:4471/lti/launch?x=1&y=2',
      '-H',
      'content-type: application/x-www-form-urlencoded',
      '-H',
      "x-evil: a'; echo pwned; '",
      '--data-binary',
      body,
    ]);
  });

  it('keeps a Host header that differs from the URL, and uses --globoff for brackets', () => {
    const { args } = runWithFakeCurl(
      toCurl({ method: 'GET', url: 'http://127.0.0.1:1/a[1]', headers: [{ name: 'Host', value: 'evil.example' }], body: '' }),
    );
    expect(args).toEqual(['--globoff', 'http://127.0.0.1:1/a[1]', '-H', 'Host: evil.example']);
  });

  it('sends non-UTF-8 bodies from their exact bytes', () => {
    const bytes = Buffer.from([0, 1, 2, 255, 39, 10]);
    const cmd = toCurl({ method: 'PUT', url: 'http://x/y', headers: [], body: '\ufffd', bodyBase64: bytes.toString('base64') });
    const out = execFileSync('sh', ['-c', `curl() { cat; }\n${cmd}`]);
    expect(Buffer.compare(out, bytes)).toBe(0);
  });

  it('uses --head for HEAD and no -X for a plain GET', () => {
    expect(toCurl({ method: 'HEAD', url: 'http://x/', headers: [], body: '' })).toBe('curl --head http://x/');
    expect(toCurl({ method: 'GET', url: 'http://x/', headers: [], body: '' })).toBe('curl http://x/');
  });
});
