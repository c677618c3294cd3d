import { describe, expect, it } from 'vitest';
import { claimText, fold, shortClaimName, typeMismatch } from './fold';

describe('claimText', () => {
  it('shows strings as they are, markup included, and empty strings visibly', () => {
    expect(claimText('<img src=x onerror=alert(1)>')).toEqual({ text: '<img src=x onerror=alert(1)>', isString: true, isEmptyString: false });
    expect(claimText('')).toMatchObject({ text: '""', isEmptyString: true });
  });
  it('keeps short scalars and arrays on one line and pretty-prints objects', () => {
    expect(claimText(1795773739).text).toBe('1795773739');
    expect(claimText(null).text).toBe('null');
    expect(claimText(['a', 'b']).text).toBe('["a","b"]');
    expect(claimText({ id: 'rl-1' }).text).toBe('{"id":"rl-1"}');
    expect(claimText({ id: 'ctx', title: 'T', type: ['x'] }).text).toBe('{\n  "id": "ctx",\n  "title": "T",\n  "type": [\n    "x"\n  ]\n}');
    const long = Array.from({ length: 20 }, (_, i) => `http://purl.imsglobal.org/vocab/lis/v2/membership#Role${i}`);
    expect(claimText(long).text.split('\n').length).toBe(22);
  });
});

describe('fold', () => {
  it('leaves short text alone', () => {
    expect(fold('abc')).toEqual({ shown: 'abc', folded: false, hiddenLines: 0, hiddenChars: 0 });
  });
  it('folds long values by lines and by characters', () => {
    const text = Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n');
    const r = fold(text, 8, 10_000);
    expect(r.folded).toBe(true);
    expect(r.shown.split('\n')).toHaveLength(8);
    expect(r.hiddenLines).toBe(12);
    const long = 'x'.repeat(1000);
    const c = fold(long, 8, 280);
    expect(c).toMatchObject({ folded: true, hiddenChars: 720 });
    expect(c.shown).toHaveLength(280);
  });
  it('never cuts a surrogate pair', () => {
    const r = fold(`${'a'.repeat(9)}😀tail`, 8, 10);
    expect(r.shown).toBe('a'.repeat(9));
  });
});

describe('typeMismatch / shortClaimName', () => {
  it('compares the JSON type with the first word of each expected alternative', () => {
    expect(typeMismatch('string', 'string (URL)')).toBe(false);
    expect(typeMismatch('array', 'string or array')).toBe(false);
    expect(typeMismatch('string', 'array of strings')).toBe(true);
    expect(typeMismatch('null', 'object of strings')).toBe(true);
    expect(typeMismatch('number', 'number')).toBe(false);
    expect(typeMismatch('number', null)).toBe(false);
  });
  it('names unknown claims by their last URI segment', () => {
    expect(shortClaimName('https://purl.imsglobal.org/spec/lti/claim/custom')).toBe('custom');
    expect(shortClaimName('https://vendor.example/claims#color')).toBe('color');
    expect(shortClaimName('plain')).toBe('plain');
  });
});
