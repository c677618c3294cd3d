//! Keyboard moves for a list view: `j`/`k` (or ↓/↑) move the selection, Enter opens it, `/`
//! focuses the filter, Esc leaves the filter or goes back. Keys typed into a text field are
//! left alone (except Esc, which leaves the filter). The pure part, `nextIndex`, is tested.

import { useEffect, useRef, type RefObject } from 'react';
import { isTypingTarget } from '../app/shortcuts';

/** The row a move lands on: the first row when nothing is selected, clamped at both ends. */
export function nextIndex(current: number, count: number, delta: number): number {
  if (count <= 0) return -1;
  if (current < 0) return delta >= 0 ? 0 : count - 1;
  return Math.max(0, Math.min(count - 1, current + delta));
}

export interface ListKeys<T> {
  items: readonly T[];
  selectedIndex: number;
  onSelect: (item: T, index: number) => void;
  onOpen?: (item: T, index: number) => void;
  onEscape?: () => void;
  filterRef?: RefObject<HTMLInputElement | null>;
  enabled?: boolean;
}

export function useListKeys<T>(opts: ListKeys<T>): void {
  const ref = useRef(opts);
  ref.current = opts;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const o = ref.current;
      if (o.enabled === false || e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
      const filter = o.filterRef?.current ?? null;
      if (isTypingTarget(e.target)) {
        if (e.key === 'Escape' && filter && e.target === filter) filter.blur();
        // ↓ from the filter moves into the list.
        if (e.key === 'ArrowDown' && filter && e.target === filter && o.items.length > 0) {
          e.preventDefault();
          filter.blur();
          const i = nextIndex(o.selectedIndex, o.items.length, 1);
          const item = o.items[i];
          if (item !== undefined) o.onSelect(item, i);
        }
        if (e.key === 'Enter' && filter && e.target === filter && o.onOpen && o.items.length > 0) {
          const i = o.selectedIndex >= 0 ? o.selectedIndex : 0;
          const item = o.items[i];
          if (item !== undefined) o.onOpen(item, i);
        }
        return;
      }
      if (e.target instanceof HTMLElement && (e.target.tagName === 'BUTTON' || e.target.tagName === 'A') && e.key === 'Enter') return;
      if (e.key === '/' && filter) {
        e.preventDefault();
        filter.focus();
        filter.select();
      } else if (e.key === 'Escape') {
        if (o.onEscape) {
          e.preventDefault();
          o.onEscape();
        }
      } else if (e.key === 'j' || e.key === 'ArrowDown' || e.key === 'k' || e.key === 'ArrowUp') {
        if (o.items.length === 0) return;
        e.preventDefault();
        const i = nextIndex(o.selectedIndex, o.items.length, e.key === 'j' || e.key === 'ArrowDown' ? 1 : -1);
        const item = o.items[i];
        if (item !== undefined) o.onSelect(item, i);
      } else if (e.key === 'Enter' && o.onOpen && o.selectedIndex >= 0) {
        const item = o.items[o.selectedIndex];
        if (item !== undefined) {
          e.preventDefault();
          o.onOpen(item, o.selectedIndex);
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
