import { describe, expect, it } from 'vitest';
import { parseHash } from './router';
import { CHORD_TIMEOUT_MS, NavShortcuts, type KeyInput } from './shortcuts';

const key = (k: string, mods: Partial<KeyInput> = {}): KeyInput => ({ key: k, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods });

describe('NavShortcuts', () => {
  it('switches sections with g + letter', () => {
    const s = new NavShortcuts();
    expect(s.handle(key('g'), 0)).toBeNull();
    expect(s.handle(key('t'), 100)).toBe('timeline');
    expect(s.handle(key('g'), 200)).toBeNull();
    expect(s.handle(key('k'), 300)).toBe('keys');
    expect(s.handle(key('g'), 400)).toBeNull();
    expect(s.handle(key(','), 500)).toBe('settings');
    expect(s.handle(key('g'), 600)).toBeNull();
    expect(s.handle(key('r'), 700)).toBe('rules');
  });
  it('forgets g after the timeout or another key', () => {
    const s = new NavShortcuts();
    s.handle(key('g'), 0);
    expect(s.handle(key('s'), CHORD_TIMEOUT_MS + 1)).toBeNull();
    s.handle(key('g'), 5000);
    s.handle(key('x'), 5001);
    expect(s.handle(key('s'), 5002)).toBeNull();
    expect(s.handle(key('t'), 5003)).toBeNull();
  });
  it('maps Ctrl/⌘ + 1…6 to the nav order', () => {
    const s = new NavShortcuts();
    expect(s.handle(key('1', { ctrlKey: true }), 0)).toBe('timeline');
    expect(s.handle(key('2', { metaKey: true }), 0)).toBe('setup');
    expect(s.handle(key('6', { ctrlKey: true }), 0)).toBe('rules');
    expect(s.handle(key('7', { ctrlKey: true }), 0)).toBe('settings');
    expect(s.handle(key('9', { ctrlKey: true }), 0)).toBeNull();
    expect(s.handle(key('1', { altKey: true }), 0)).toBeNull();
  });
});

describe('parseHash', () => {
  it('lands on Setup by default and parses sub-routes', () => {
    expect(parseHash('')).toEqual({ page: 'setup', rest: [] });
    expect(parseHash('#/nowhere')).toEqual({ page: 'setup', rest: [] });
    expect(parseHash('#/timeline/flows')).toEqual({ page: 'timeline', rest: ['flows'] });
    expect(parseHash('#keys')).toEqual({ page: 'keys', rest: [] });
    expect(parseHash('#/flows/01a21c74b3d2dd230097')).toEqual({ page: 'flows', rest: ['01a21c74b3d2dd230097'] });
    expect(parseHash('#/rules/claims')).toEqual({ page: 'rules', rest: ['claims'] });
  });
});
