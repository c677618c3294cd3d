//! Keyboard shortcuts for moving between sections: `g` then a letter (`g t`, `g s`, `g k`…), or
//! Ctrl/⌘ + 1…6. Pure logic here (tested); `App` feeds it keydown events.

import { NAV, type PageId } from './nav';

export interface KeyInput {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

/** How long after `g` the second key counts. */
export const CHORD_TIMEOUT_MS = 1500;

export class NavShortcuts {
  private gAt: number | null = null;

  /** Returns the page to switch to, or null when the key is not a navigation shortcut. */
  handle(ev: KeyInput, now: number): PageId | null {
    if (ev.altKey) {
      this.gAt = null;
      return null;
    }
    if (ev.ctrlKey || ev.metaKey) {
      this.gAt = null;
      if (/^[1-9]$/.test(ev.key)) return NAV[Number(ev.key) - 1]?.id ?? null;
      return null;
    }
    const key = ev.key.length === 1 ? ev.key.toLowerCase() : ev.key;
    if (this.gAt !== null && now - this.gAt <= CHORD_TIMEOUT_MS) {
      this.gAt = null;
      return NAV.find((n) => n.chord === key)?.id ?? null;
    }
    this.gAt = key === 'g' && !ev.shiftKey ? now : null;
    return null;
  }
}

/** True when the key goes to a text field (shortcuts must not steal typing). */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  const tag = target.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || target.isContentEditable;
}

export const IS_MAC = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

/** Every shortcut, as the Settings page lists them. */
export function shortcutList(): Array<{ keys: string[][]; action: string }> {
  const mod = IS_MAC ? '⌘' : 'Ctrl';
  return [
    ...NAV.map((n, i) => ({ keys: [['g', n.chord], [mod, String(i + 1)]], action: `Go to ${n.label}` })),
    { keys: [['/']], action: 'Lists (flows, exchanges, rules): focus the filter or search' },
    { keys: [['j'], ['↓']], action: 'Lists: next row (in a flow: next step)' },
    { keys: [['k'], ['↑']], action: 'Lists: previous row (in a flow: previous step)' },
    { keys: [['Enter']], action: 'Flows: open the selected flow' },
    { keys: [['Esc']], action: 'Leave the filter · close the detail or step · in a flow: back to the flows' },
  ];
}
