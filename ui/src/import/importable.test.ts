import { describe, expect, it } from 'vitest';
import { formatBytes, importableKind, progressText } from './importable';

describe('importableKind', () => {
  it('recognises the four shapes', () => {
    expect(importableKind('{"log":{"version":"1.2","entries":[]}}')).toBe('har');
    expect(importableKind('  {\n  "log": {"entries": []}}')).toBe('har');
    expect(importableKind('eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln')).toBe('jwt');
    expect(importableKind('id_token=eyJ.eyJ.x&state=abc')).toBe('form');
    expect(importableKind('iss=https%3A%2F%2Fcanvas&login_hint=1&target_link_uri=x')).toBe('form');
    expect(importableKind('{"iss":"https://canvas.instructure.com"}')).toBe('json');
  });

  it('leaves ordinary text alone', () => {
    expect(importableKind('')).toBeNull();
    expect(importableKind('hello world')).toBeNull();
    expect(importableKind('a.b.c')).toBeNull();
    expect(importableKind('see id_token= in the docs please')).toBeNull();
  });

  it('formats sizes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(2048)).toBe('2 KB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MB');
  });

  it('says how far a large import is', () => {
    const item = { status: 'sending', bytes: 1000 };
    expect(progressText({ ...item, sent: 250 })).toBe('sending 25%…');
    expect(progressText({ ...item, status: 'importing' })).toBe('importing…');
    expect(progressText({ ...item, status: 'importing', read: 999, entries: 12345 })).toBe('reading 99%, 12,345 entries…');
    expect(progressText({ ...item, status: 'importing', read: 5000 })).toBe('reading 100%…');
  });
});
