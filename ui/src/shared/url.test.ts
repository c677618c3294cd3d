import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, statusClass } from './format';
import { readableUrl, splitUrl, visible } from './url';

describe('splitUrl', () => {
  it('splits origin, decoded path and query', () => {
    expect(splitUrl('http://localhost:4471/x/%3Cscript%3Ealert(1)%3C/script%3E?a=%20b&c=d+e')).toEqual({
      origin: 'http://localhost:4471',
      path: '/x/<script>alert(1)</script>',
      query: '?a= b&c=d e',
    });
  });
  it('leaves invalid escapes alone', () => {
    expect(splitUrl('http://h/%E2%98').path).toBe('/%E2%98');
  });
  it('makes control and bidi characters visible', () => {
    expect(readableUrl('http://h/a%0Ab%E2%80%AEc')).toBe('http://h/a\\u{a}b\\u{202e}c');
    expect(visible('ok')).toBe('ok');
  });
});

describe('format', () => {
  it('formats sizes, durations and status classes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(2048)).toBe('2.0 KiB');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MiB');
    expect(formatDuration(0.07)).toBe('0.07 ms');
    expect(formatDuration(12.4)).toBe('12 ms');
    expect(formatDuration(1500)).toBe('1.50 s');
    expect(statusClass(204)).toBe('ok');
    expect(statusClass(302)).toBe('redirect');
    expect(statusClass(404)).toBe('client');
    expect(statusClass(503)).toBe('server');
    expect(statusClass(null)).toBe('none');
  });
});
