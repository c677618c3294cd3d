//! The sections of the app, in nav order. Adding a page: add an entry here (id, label, chord)
//! and its component in `pages.tsx`. Ctrl/⌘+N follows this order; `g <chord>` jumps too.
//! Views that belong to a section but are not in the nav (a flow, `#/flows/<id>`) are listed in
//! `SUB_PAGES` with the section they highlight.

export const NAV = [
  { id: 'timeline', label: 'Timeline', chord: 't' },
  { id: 'setup', label: 'Setup', chord: 's' },
  { id: 'platforms', label: 'Platforms', chord: 'p' },
  { id: 'emulator', label: 'Emulator', chord: 'e' },
  { id: 'keys', label: 'Keys', chord: 'k' },
  { id: 'rules', label: 'Rules', chord: 'r' },
  { id: 'settings', label: 'Settings', chord: ',' },
] as const;

export type NavId = (typeof NAV)[number]['id'];

/** Routed views outside the nav, each with the nav section it belongs to. */
export const SUB_PAGES = {
  /** `#/flows/<id>`: one flow (the landing page links here). */
  flows: 'timeline',
} as const satisfies Record<string, NavId>;

export type PageId = NavId | keyof typeof SUB_PAGES;

/** Where a first visit (no hash) lands. */
export const DEFAULT_PAGE: PageId = 'setup';

export function isPageId(s: string): s is PageId {
  return NAV.some((n) => n.id === s) || Object.prototype.hasOwnProperty.call(SUB_PAGES, s);
}

/** The nav section a page belongs to (itself for nav pages). */
export function sectionOf(page: PageId): NavId {
  return (SUB_PAGES as Record<string, NavId>)[page] ?? (page as NavId);
}
