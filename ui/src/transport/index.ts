//! The UI's one door to the engine: a typed `rpc()` over the generated command table and a
//! `subscribe()` to batched engine events. The transport is chosen at run time: Tauri IPC
//! inside the desktop window, HTTP + server-sent events in a browser (`lti-inspector serve`).

import type { CommandName, Commands } from '../bindings';
import { apiError } from './errors';
import { EventHub, type EventBatch } from './events';
import { createHttpTransport } from './http';
import { createTauriTransport, isTauri } from './tauri';
import { browserTokenEnv, takeToken } from './token';
import type { Transport, TransportKind } from './types';

export type { EventBatch } from './events';
export type { RawEvent, Transport, TransportKind } from './types';
export { errorTitle, isApiError, toApiError } from './errors';

interface Selected {
  transport: Transport | null;
  kind: TransportKind;
  hub: EventHub | null;
}

let selected: Selected | null = null;

function select(): Selected {
  if (selected) return selected;
  let transport: Transport | null;
  if (isTauri()) {
    transport = createTauriTransport();
  } else {
    const token = takeToken(browserTokenEnv());
    transport = token ? createHttpTransport(token) : null;
  }
  selected = {
    transport,
    kind: transport?.kind ?? 'http',
    hub: transport ? new EventHub((h) => transport.listen(h)) : null,
  };
  return selected;
}

/** Picks the transport now (reads and hides the URL token). Call once before rendering. */
export function initTransport(): TransportKind {
  return select().kind;
}

/** False in a browser opened without the token (show how to open the UI instead). */
export function hasTransport(): boolean {
  return select().transport !== null;
}

export function transportKind(): TransportKind {
  return select().kind;
}

/** Runs one engine command. Rejects with an `ApiError` (`{code, message}`). */
export function rpc<K extends CommandName>(name: K, args: Commands[K]['args']): Promise<Commands[K]['result']> {
  const t = select().transport;
  if (!t) return Promise.reject(apiError('unauthorized', 'No API token: open the ui: URL printed by `lti-inspector serve`.'));
  return t.call(name, args) as Promise<Commands[K]['result']>;
}

/** Engine events, merged and delivered at most once per animation frame. */
export function subscribe(handler: (batch: EventBatch) => void): () => void {
  const hub = select().hub;
  if (!hub) return () => undefined;
  return hub.subscribe(handler);
}

/** Test seam: replace the transport (and event hub) used by `rpc` and `subscribe`. */
export function setTransportForTests(transport: Transport, hub?: EventHub): void {
  selected = { transport, kind: transport.kind, hub: hub ?? new EventHub((h) => transport.listen(h)) };
}
