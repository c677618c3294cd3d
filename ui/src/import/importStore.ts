//! The Import dialog's state, outside React so the shell's drop and paste handlers and the
//! Timeline's Import button all open the same dialog: what is being imported, and each item's
//! result (flows created, entries read and left out, notes) or error.

import { useSyncExternalStore } from 'react';
import type { ApiError, ImportSummary } from '../bindings';
import { rpc } from '../transport';
import { toApiError } from '../transport/errors';

export interface ImportItem {
  key: number;
  name: string;
  bytes: number;
  status: 'reading' | 'importing' | 'done' | 'failed';
  result?: ImportSummary;
  error?: ApiError;
}

interface State {
  open: boolean;
  fetchKeys: boolean;
  items: ImportItem[];
}

let state: State = { open: false, fetchKeys: false, items: [] };
const listeners = new Set<() => void>();
let nextKey = 1;

function set(next: Partial<State>) {
  state = { ...state, ...next };
  listeners.forEach((l) => l());
}

function update(key: number, patch: Partial<ImportItem>) {
  set({ items: state.items.map((i) => (i.key === key ? { ...i, ...patch } : i)) });
}

export const importStore = {
  get: () => state,
  subscribe(l: () => void) {
    listeners.add(l);
    return () => listeners.delete(l);
  },
  open: () => set({ open: true }),
  close: () => set({ open: false }),
  setFetchKeys: (fetchKeys: boolean) => set({ fetchKeys }),
  clear: () => set({ items: [] }),

  /** Imports one text (a paste, or a file already read) and records the outcome. */
  async importText(name: string, text: string): Promise<ImportItem> {
    const key = nextKey++;
    set({ open: true, items: [{ key, name, bytes: new Blob([text]).size, status: 'importing' }, ...state.items] });
    try {
      const result = await rpc('import', { name, text, fetch_keys: state.fetchKeys });
      update(key, { status: 'done', result });
    } catch (e) {
      update(key, { status: 'failed', error: toApiError(e) });
    }
    return state.items.find((i) => i.key === key)!;
  },

  /** Reads and imports dropped or picked files, one after the other (a HAR can be large). */
  async importFiles(files: readonly File[]): Promise<void> {
    for (const f of files) {
      let text: string;
      try {
        text = await f.text();
      } catch (e) {
        const key = nextKey++;
        set({
          open: true,
          items: [{ key, name: f.name, bytes: f.size, status: 'failed', error: { code: 'bad_request', message: `cannot read ${f.name}: ${String(e)}` } }, ...state.items],
        });
        continue;
      }
      await importStore.importText(f.name, text);
    }
  },
};

export function useImport(): State {
  return useSyncExternalStore(importStore.subscribe, importStore.get);
}
