import { describe, expect, it } from 'vitest';
import { bodyKind, decodeFormComponent, looksLikeJwt, mediaType, parseForm, prettyJson, queryFields } from './body';

describe('parseForm', () => {
  it('decodes +, percent escapes and UTF-8, keeping order and duplicates', () => {
    expect(parseForm('a=1&b=two+words&c=%E2%98%83&a=2')).toEqual([
      { name: 'a', value: '1' },
      { name: 'b', value: 'two words' },
      { name: 'c', value: '☃' },
      { name: 'a', value: '2' },
    ]);
  });

  it('handles missing values, empty pairs and = inside values', () => {
    expect(parseForm('flag&&x=&y=a=b')).toEqual([
      { name: 'flag', value: '' },
      { name: 'x', value: '' },
      { name: 'y', value: 'a=b' },
    ]);
    expect(parseForm('')).toEqual([]);
  });

  it('keeps malformed escapes as written but decodes the valid ones', () => {
    expect(decodeFormComponent('100%+sure%21')).toBe('100% sure!');
    expect(decodeFormComponent('%E2%98')).toBe('%E2%98');
    expect(parseForm('a=%zz%41')).toEqual([{ name: 'a', value: '%zzA' }]);
  });

  it('keeps markup as plain text', () => {
    expect(parseForm('x=%3Cscript%3Ealert(1)%3C%2Fscript%3E')[0]?.value).toBe('<script>alert(1)</script>');
  });
});

describe('queryFields', () => {
  it('parses the query and ignores the fragment', () => {
    expect(queryFields('http://h/p?iss=https%3A%2F%2Fcanvas&login_hint=42#frag')).toEqual([
      { name: 'iss', value: 'https://canvas' },
      { name: 'login_hint', value: '42' },
    ]);
    expect(queryFields('http://h/p')).toEqual([]);
  });
});

describe('bodyKind', () => {
  const ct = (v: string) => [{ name: 'Content-Type', value: v }];
  it('recognises form, JSON (also untyped) and text', () => {
    expect(bodyKind(ct('application/x-www-form-urlencoded; charset=utf-8'), 'a=1')).toBe('form');
    expect(bodyKind(ct('application/json'), '{"a":1}')).toBe('json');
    expect(bodyKind(ct('application/vnd.ims.lis.v2.lineitem+json'), '[1]')).toBe('json');
    expect(bodyKind([], ' {"keys":[]}')).toBe('json');
    expect(bodyKind(ct('application/json'), '{oops')).toBe('text');
    expect(bodyKind(ct('text/html'), '<p>')).toBe('text');
    expect(bodyKind([], '')).toBe('empty');
    expect(bodyKind([], '\ufffd', 'AAE=')).toBe('binary');
  });
  it('reads the media type case-insensitively without parameters', () => {
    expect(mediaType([{ name: 'content-TYPE', value: 'Application/JSON; charset=UTF-8' }])).toBe('application/json');
  });
});

describe('prettyJson / looksLikeJwt', () => {
  it('pretty-prints JSON and rejects non-JSON', () => {
    expect(prettyJson('{"a":[1]}')).toBe('{\n  "a": [\n    1\n  ]\n}');
    expect(prettyJson('nope')).toBeNull();
  });
  it('spots compact JWS', () => {
    expect(looksLikeJwt('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln')).toBe(true);
    expect(looksLikeJwt('hello.world.x')).toBe(false);
  });
});
