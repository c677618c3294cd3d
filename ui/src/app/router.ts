//! Hash routing: `#/timeline`, `#/timeline/flows`, `#/setup` … The hash keeps routes working
//! both in the Tauri window and behind `serve`, with no server-side routes.

import { useSyncExternalStore } from 'react';
import { DEFAULT_PAGE, isPageId, type PageId } from './nav';

export interface Route {
  page: PageId;
  /** Segments after the page: `#/timeline/flows` → ['flows']. */
  rest: string[];
}

export function parseHash(hash: string): Route {
  const segments = hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  const [first, ...rest] = segments;
  if (first && isPageId(first)) return { page: first, rest };
  return { page: DEFAULT_PAGE, rest: [] };
}

export function hrefFor(page: PageId, ...rest: string[]): string {
  return `#/${[page, ...rest].map(encodeURIComponent).join('/')}`;
}

export function navigate(page: PageId, ...rest: string[]): void {
  window.location.hash = hrefFor(page, ...rest);
}

function subscribe(cb: () => void) {
  window.addEventListener('hashchange', cb);
  return () => window.removeEventListener('hashchange', cb);
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return parseHash(hash);
}
