import { describe, expect, it } from 'vitest';
import { splitBaseString } from './lti11';

describe('splitBaseString', () => {
  it('reads RFC 5849’s example back into its parts', () => {
    const base =
      'POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2';
    const p = splitBaseString(base)!;
    expect(p.method).toBe('POST');
    expect(p.url).toBe('http://example.com/request');
    expect(p.params.slice(0, 4)).toEqual([
      { name: 'a2', value: 'r b' },
      { name: 'a3', value: '2 q' },
      { name: 'a3', value: 'a' },
      { name: 'b5', value: '=%3D' },
    ]);
    expect(p.params.at(-1)).toEqual({ name: 'oauth_consumer_key', value: '9djdj82h48djs9d2' });
  });
  it('refuses what is not a base string', () => {
    expect(splitBaseString('nope')).toBeNull();
    expect(splitBaseString('a&b&c&d')).toBeNull();
  });
  it('keeps undecodable text as it is', () => {
    expect(splitBaseString('POST&%E0%A4%A&x%3D%25')!.url).toBe('%E0%A4%A');
  });
});
