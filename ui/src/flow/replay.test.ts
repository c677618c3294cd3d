import { describe, expect, it } from 'vitest';
import { parseClaims } from './ReplayCard';

describe('replay claims editor', () => {
  it('accepts an object and explains anything else', () => {
    expect(parseClaims('{"sub":"x"}')).toEqual({ claims: { sub: 'x' } });
    expect('problem' in parseClaims('[1]')).toBe(true);
    expect('problem' in parseClaims('{"sub":')).toBe(true);
    expect('problem' in parseClaims('null')).toBe(true);
  });
});
