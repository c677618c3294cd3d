import { describe, expect, it } from 'vitest';
import { headersToText, textToHeaders } from './resend';

describe('re-send headers', () => {
  it('round-trips headers through the editor text, values with colons intact', () => {
    const headers = [
      { name: 'Content-Type', value: 'application/x-www-form-urlencoded' },
      { name: 'Referer', value: 'http://localhost:4472/launch?a=b' },
    ];
    expect(textToHeaders(headersToText(headers))).toEqual({ headers, error: null });
  });
  it('skips blank lines and names a line that is not a header', () => {
    expect(textToHeaders('A: 1\n\n  \nB:2\r\n').headers).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: '2' },
    ]);
    expect(textToHeaders('A: 1\nnot a header').error).toBe('line 2 is not "Name: value": not a header');
    expect(textToHeaders(': no name').error).toMatch(/^line 1/);
  });
});
