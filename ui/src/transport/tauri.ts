//! Tauri IPC transport for the desktop window: every command goes through the one `rpc` Tauri
//! command, events arrive as the `engine-event` Tauri event.

import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { DESKTOP_COMMANDS, EVENT_CHANNELS, type EngineEvent } from '../bindings';
import { toApiError } from './errors';
import type { RawEvent, Transport } from './types';

export function isTauri(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}

export function createTauriTransport(): Transport {
  return {
    kind: 'tauri',
    async call(name, args) {
      try {
        return await invoke<unknown>(DESKTOP_COMMANDS.rpc, { name, args: args ?? {} });
      } catch (e) {
        throw toApiError(e);
      }
    },
    listen(onEvent: (e: RawEvent) => void) {
      let stopped = false;
      const unlisteners: Array<() => void> = [];
      const keep = (p: Promise<() => void>) =>
        p.then(
          (un) => (stopped ? un() : unlisteners.push(un)),
          () => undefined,
        );
      keep(listen<EngineEvent>(EVENT_CHANNELS.engine, (e) => onEvent({ kind: 'engine', event: e.payload })));
      keep(listen(EVENT_CHANNELS.lagged, () => onEvent({ kind: 'lagged' })));
      return () => {
        stopped = true;
        unlisteners.splice(0).forEach((un) => un());
      };
    },
  };
}

let firstPaintReported = false;

/** Tells the desktop shell the UI has painted (startup benchmark). Once; errors ignored. */
export function reportFirstPaint(): void {
  if (firstPaintReported || !isTauri()) return;
  firstPaintReported = true;
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      invoke(DESKTOP_COMMANDS.appFirstPaint).catch(() => undefined);
    }),
  );
}
