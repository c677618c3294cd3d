//! Light and dark themes: follow the OS by default, or a choice kept in localStorage. The
//! resolved theme is set as `data-theme` on <html>; colors are CSS variables (styles.css).

import { useSyncExternalStore } from 'react';

export type ThemePref = 'system' | 'light' | 'dark';
export type Theme = 'light' | 'dark';

export const THEME_STORAGE_KEY = 'lti-inspector.theme';

export function readPref(storage: Pick<Storage, 'getItem'> | null): ThemePref {
  try {
    const v = storage?.getItem(THEME_STORAGE_KEY);
    return v === 'light' || v === 'dark' || v === 'system' ? v : 'system';
  } catch {
    return 'system';
  }
}

export function resolveTheme(pref: ThemePref, osPrefersDark: boolean): Theme {
  return pref === 'system' ? (osPrefersDark ? 'dark' : 'light') : pref;
}

const listeners = new Set<() => void>();
let pref: ThemePref = 'system';

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

function darkQuery(): MediaQueryList | null {
  return typeof window.matchMedia === 'function' ? window.matchMedia('(prefers-color-scheme: dark)') : null;
}

function apply() {
  const theme = resolveTheme(pref, darkQuery()?.matches ?? false);
  document.documentElement.dataset.theme = theme;
  document.documentElement.style.colorScheme = theme;
}

/** Before the first render, so there is no flash of the wrong theme. */
export function initTheme(): void {
  pref = readPref(storage());
  apply();
  darkQuery()?.addEventListener('change', () => {
    apply();
    listeners.forEach((l) => l());
  });
}

export function setThemePref(next: ThemePref): void {
  pref = next;
  try {
    storage()?.setItem(THEME_STORAGE_KEY, next);
  } catch {
    // not persisted; still applied
  }
  apply();
  listeners.forEach((l) => l());
}

function subscribe(cb: () => void) {
  listeners.add(cb);
  return () => listeners.delete(cb);
}

export function useTheme(): { pref: ThemePref; theme: Theme } {
  const p = useSyncExternalStore(subscribe, () => pref);
  const theme = useSyncExternalStore(subscribe, () => resolveTheme(pref, darkQuery()?.matches ?? false));
  return { pref: p, theme };
}
