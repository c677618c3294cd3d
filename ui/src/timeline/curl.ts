//! "Copy as curl": a recorded request as a POSIX-shell command that sends the same bytes.
//! Every argument is single-quoted when it needs to be, so no recorded value (attacker-controlled)
//! can break out into the shell.

import type { Header } from '../bindings';

// No leading `=`: zsh expands `=cmd` to a path.
const SAFE = /^[A-Za-z0-9_@%+:,./-][A-Za-z0-9_@%+=:,./-]*$/;

/** Quotes one argument for a POSIX shell (sh, bash, zsh). */
export function shellQuote(s: string): string {
  if (s === '') return "''";
  if (SAFE.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export interface CurlRequest {
  method: string;
  url: string;
  headers: Header[];
  /** The body as text (lossy when it was not UTF-8). */
  body: string;
  /** Set when the body is not valid UTF-8: the exact bytes. */
  bodyBase64?: string | null;
}

/** Headers curl sets itself from the URL and the body. */
const SKIP = new Set(['content-length', 'connection', 'transfer-encoding']);

function hostOf(url: string): string | null {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return null;
  }
}

function utf8Base64(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

export function toCurl(req: CurlRequest): string {
  const args: string[] = ['curl'];
  const method = req.method.toUpperCase();
  // The exact bytes when the body is not text (or holds a NUL, which no shell argument can).
  const b64 = req.bodyBase64 ?? (req.body.includes('\0') ? utf8Base64(req.body) : null);
  const hasBody = req.body !== '' || !!b64;

  if (method === 'HEAD') args.push('--head');
  else if (method !== 'GET' || hasBody) args.push('-X', shellQuote(method));
  if (/[[\]{}]/.test(req.url)) args.push('--globoff');
  args.push(shellQuote(req.url));

  const urlHost = hostOf(req.url);
  for (const h of req.headers) {
    const name = h.name.toLowerCase();
    if (SKIP.has(name)) continue;
    if (name === 'host' && h.value.toLowerCase() === urlHost) continue;
    args.push('-H', shellQuote(`${h.name}: ${h.value}`));
  }

  if (b64) {
    args.push('--data-binary', '@-');
    return `printf %s ${shellQuote(b64)} | base64 -d | ${args.join(' ')}`;
  }
  if (hasBody) args.push('--data-binary', shellQuote(req.body));
  return joinLines(args);
}

/** `curl -X POST 'url' \` + one option per line, for reading. */
function joinLines(args: string[]): string {
  const lines: string[] = [];
  let i = 0;
  let first = '';
  while (i < args.length && !(args[i] === '-H' || args[i] === '--data-binary')) {
    first += (first ? ' ' : '') + args[i];
    i++;
  }
  lines.push(first);
  while (i < args.length) {
    lines.push(`${args[i]} ${args[i + 1] ?? ''}`);
    i += 2;
  }
  return lines.join(' \\\n  ');
}
