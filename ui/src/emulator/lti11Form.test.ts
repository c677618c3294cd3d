import { describe, expect, it } from 'vitest';
import { customText, lti11Problems, parseCustom } from './lti11Form';

const ok = { name: 'T', launchUrl: 'https://tool.example/launch', consumerKey: 'k', secret: 's', lms: 'moodle', custom: '' };

describe('LTI 1.1 tool form', () => {
  it('accepts a complete form', () => {
    expect(lti11Problems(ok, false)).toEqual({});
  });
  it('checks each field as the engine does', () => {
    expect(lti11Problems({ ...ok, launchUrl: 'ftp://x/y' }, false).launchUrl).toMatch(/http/);
    expect(lti11Problems({ ...ok, launchUrl: 'tool/launch' }, false).launchUrl).toMatch(/absolute/);
    expect(lti11Problems({ ...ok, consumerKey: 'k'.repeat(256) }, false).consumerKey).toMatch(/255/);
    expect(lti11Problems({ ...ok, secret: '' }, false).secret).toMatch(/Required/);
    expect(lti11Problems({ ...ok, secret: '' }, true).secret).toBeUndefined();
    expect(lti11Problems({ ...ok, custom: 'no equals sign' }, false).custom).toBeDefined();
  });
  it('reads and writes custom parameters', () => {
    expect(parseCustom('Chapter Name = Week 1\n\nx=a=b')).toEqual({ 'Chapter Name': 'Week 1', x: 'a=b' });
    expect(parseCustom('=v')).toBeNull();
    expect(customText({ a: '1', b: '2' })).toBe('a=1\nb=2');
  });
});
