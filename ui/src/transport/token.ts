//! The HTTP transport's API token: taken from `?token=` on first load, kept in sessionStorage
//! (per tab, gone when the tab closes), and removed from the address bar so it does not end up
//! in screenshots, bookmarks or history.

export const TOKEN_STORAGE_KEY = 'lti-inspector.token';

export interface TokenEnv {
  location: { href: string };
  storage: Pick<Storage, 'getItem' | 'setItem'> | null;
  history: Pick<History, 'replaceState' | 'state'>;
}

export function takeToken(env: TokenEnv): string | null {
  let url: URL;
  try {
    url = new URL(env.location.href);
  } catch {
    return readStored(env);
  }
  if (url.searchParams.has('token')) {
    const fromUrl = url.searchParams.get('token')?.trim() ?? '';
    url.searchParams.delete('token');
    env.history.replaceState(env.history.state, '', url.pathname + url.search + url.hash);
    if (fromUrl) {
      try {
        env.storage?.setItem(TOKEN_STORAGE_KEY, fromUrl);
      } catch {
        // Storage disabled: the token still works for this page load.
      }
      return fromUrl;
    }
  }
  return readStored(env);
}

function readStored(env: TokenEnv): string | null {
  try {
    return env.storage?.getItem(TOKEN_STORAGE_KEY) || null;
  } catch {
    return null;
  }
}

/** The browser's own environment. */
export function browserTokenEnv(): TokenEnv {
  let storage: Storage | null = null;
  try {
    storage = window.sessionStorage;
  } catch {
    storage = null;
  }
  return { location: window.location, storage, history: window.history };
}

/** Where the UI's tabs hand the token to each other. */
export const TOKEN_CHANNEL = 'lti-inspector.token';

interface Channel {
  postMessage(m: unknown): void;
  onmessage: ((e: { data: unknown }) => void) | null;
  close(): void;
}

type ChannelFactory = (name: string) => Channel | null;

const defaultChannel: ChannelFactory = (name) => (typeof BroadcastChannel === 'undefined' ? null : (new BroadcastChannel(name) as unknown as Channel));

/**
 * A tab that holds the token answers a new tab of the same origin that asks for it (a link
 * from the landing page or an emulator page opens such a tab). A BroadcastChannel reaches only
 * this origin's pages, so the token never travels in a URL an LMS page could read.
 */
export function shareToken(token: string, open: ChannelFactory = defaultChannel): () => void {
  const ch = open(TOKEN_CHANNEL);
  if (!ch) return () => undefined;
  ch.onmessage = (e) => {
    const d = e.data as { type?: string } | null;
    if (d?.type === 'ask') ch.postMessage({ type: 'token', token });
  };
  return () => ch.close();
}

/** Asks the UI's other tabs for the token; null when none answers within `timeoutMs`. */
export function askForToken(timeoutMs = 500, open: ChannelFactory = defaultChannel): Promise<string | null> {
  const ch = open(TOKEN_CHANNEL);
  if (!ch) return Promise.resolve(null);
  return new Promise((resolve) => {
    const done = (t: string | null) => {
      clearTimeout(timer);
      ch.close();
      resolve(t);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    ch.onmessage = (e) => {
      const d = e.data as { type?: string; token?: unknown } | null;
      if (d?.type === 'token' && typeof d.token === 'string' && d.token) done(d.token);
    };
    ch.postMessage({ type: 'ask' });
  });
}
