//! The sections of the app, in nav order. Adding a page: add an entry here (id, label, chord)
//! and its component in `pages.tsx`. Ctrl/⌘+N follows this order; `g <chord>` jumps too.

export const NAV = [
  { id: 'timeline', label: 'Timeline', chord: 't' },
  { id: 'setup', label: 'Setup', chord: 's' },
  { id: 'platforms', label: 'Platforms', chord: 'p' },
  { id: 'emulator', label: 'Emulator', chord: 'e' },
  { id: 'keys', label: 'Keys', chord: 'k' },
  { id: 'settings', label: 'Settings', chord: ',' },
] as const;

export type PageId = (typeof NAV)[number]['id'];

/** Where a first visit (no hash) lands. */
export const DEFAULT_PAGE: PageId = 'setup';

export function isPageId(s: string): s is PageId {
  return NAV.some((n) => n.id === s);
}
