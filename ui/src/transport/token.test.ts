import { describe, expect, it } from 'vitest';
import { takeToken, TOKEN_STORAGE_KEY, type TokenEnv } from './token';

function env(href: string, stored: Record<string, string> = {}) {
  const store = new Map(Object.entries(stored));
  const replaced: string[] = [];
  const e: TokenEnv = {
    location: { href },
    storage: { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => void store.set(k, v) },
    history: { state: null, replaceState: (_s, _t, url) => void replaced.push(String(url)) },
  };
  return { e, store, replaced };
}

describe('takeToken', () => {
  it('takes the token from the URL, stores it and removes it from the address bar', () => {
    const { e, store, replaced } = env('http://127.0.0.1:4470/?token=abc123&x=1#/timeline');
    expect(takeToken(e)).toBe('abc123');
    expect(store.get(TOKEN_STORAGE_KEY)).toBe('abc123');
    expect(replaced).toEqual(['/?x=1#/timeline']);
  });

  it('falls back to the stored token on reload', () => {
    const { e, replaced } = env('http://127.0.0.1:4470/#/setup', { [TOKEN_STORAGE_KEY]: 'kept' });
    expect(takeToken(e)).toBe('kept');
    expect(replaced).toEqual([]);
  });

  it('prefers a new URL token over a stale stored one', () => {
    const { e, store } = env('http://127.0.0.1:4470/?token=new', { [TOKEN_STORAGE_KEY]: 'old' });
    expect(takeToken(e)).toBe('new');
    expect(store.get(TOKEN_STORAGE_KEY)).toBe('new');
  });

  it('returns null without any token, and strips an empty one', () => {
    expect(takeToken(env('http://127.0.0.1:4470/').e)).toBeNull();
    const { e, replaced } = env('http://127.0.0.1:4470/?token=');
    expect(takeToken(e)).toBeNull();
    expect(replaced).toEqual(['/']);
  });

  it('still works when storage throws', () => {
    const { e } = env('http://127.0.0.1:4470/?token=t');
    e.storage = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
    };
    expect(takeToken(e)).toBe('t');
  });
});

import { askForToken, shareToken } from './token';

describe('tabs hand the token to a new tab of the same origin', () => {
  // An in-memory BroadcastChannel: every channel of a name hears the others' messages.
  function bus() {
    const members: Array<{ onmessage: ((e: { data: unknown }) => void) | null; closed: boolean }> = [];
    return (name: string) => {
      void name;
      const me = {
        onmessage: null as ((e: { data: unknown }) => void) | null,
        closed: false,
        postMessage(m: unknown) {
          for (const o of members) if (o !== me && !o.closed) queueMicrotask(() => o.onmessage?.({ data: m }));
        },
        close() {
          me.closed = true;
        },
      };
      members.push(me);
      return me;
    };
  }

  it('an open tab answers; with none open the ask times out', async () => {
    const open = bus();
    expect(await askForToken(20, open)).toBeNull();
    const stop = shareToken('t-123', open);
    expect(await askForToken(200, open)).toBe('t-123');
    stop();
    expect(await askForToken(20, open)).toBeNull();
  });
});
