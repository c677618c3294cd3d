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
