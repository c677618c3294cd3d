//! The Import dialog's state, outside React so the shell's drop and paste handlers and the
//! Timeline's Import button all open the same dialog: what is being imported, and each item's
//! result (flows created, entries read and left out, notes) or error.

import { useSyncExternalStore } from 'react';
import type { ApiError, ImportSummary } from '../bindings';
import { rpc, subscribe } from '../transport';
import { toApiError } from '../transport/errors';

export interface ImportItem {
  key: number;
  name: string;
  bytes: number;
  status: 'reading' | 'sending' | 'importing' | 'done' | 'failed';
  /** Bytes sent so far (large files go in pieces), then bytes and entries the engine has read. */
  sent?: number;
  read?: number;
  entries?: number;
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

/** Files above this go to the engine in pieces and are read there as a stream; smaller ones
 * are sent whole as text (one round trip). */
export const PIECE_BYTES = 4 * 1024 * 1024;

/** A slice of a file as base64, read by the browser itself (fast, no string building here). */
function base64Of(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => {
      const url = String(r.result);
      resolve(url.slice(url.indexOf(',') + 1));
    };
    r.onerror = () => reject(r.error ?? new Error('cannot read the file'));
    r.readAsDataURL(blob);
  });
}

/** Which item each upload id belongs to, while the engine reads it. */
const reading = new Map<string, number>();
let unsubscribe: (() => void) | null = null;

function followProgress() {
  if (unsubscribe) return;
  unsubscribe = subscribe((batch) => {
    for (const p of batch.importProgress) {
      const key = reading.get(p.upload_id);
      if (key !== undefined) update(key, { read: p.read_bytes, entries: p.entries });
    }
  });
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

  /** Sends a large file in pieces, then imports it; the item shows what was sent, then how far
   * the engine has read. */
  async importLarge(f: File): Promise<ImportItem> {
    const key = nextKey++;
    set({ open: true, items: [{ key, name: f.name, bytes: f.size, status: 'sending', sent: 0 }, ...state.items] });
    let uploadId: string | undefined;
    try {
      for (let offset = 0; offset < f.size || offset === 0; offset += PIECE_BYTES) {
        const data = await base64Of(f.slice(offset, offset + PIECE_BYTES));
        const p = await rpc('import_upload', { upload_id: uploadId, name: f.name, total_bytes: f.size, offset, data });
        uploadId = p.upload_id;
        update(key, { sent: p.received_bytes });
        if (f.size === 0) break;
      }
      followProgress();
      reading.set(uploadId!, key);
      update(key, { status: 'importing', read: 0 });
      const result = await rpc('import', { name: f.name, upload_id: uploadId, fetch_keys: state.fetchKeys });
      update(key, { status: 'done', result });
    } catch (e) {
      update(key, { status: 'failed', error: toApiError(e) });
    } finally {
      if (uploadId) reading.delete(uploadId);
    }
    return state.items.find((i) => i.key === key)!;
  },

  /** Reads and imports dropped or picked files, one after the other (a HAR can be large). */
  async importFiles(files: readonly File[]): Promise<void> {
    for (const f of files) {
      if (f.size > PIECE_BYTES) {
        await importStore.importLarge(f);
        continue;
      }
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
