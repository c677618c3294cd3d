//! What every transport provides: call a command, listen to the engine's event stream.

import type { EngineEvent } from '../bindings';

/** One message from the engine's event stream, before batching. */
export type RawEvent =
  | { kind: 'engine'; event: EngineEvent }
  /** Events were dropped (slow consumer, reconnect): lists must be re-fetched. */
  | { kind: 'lagged' };

export type TransportKind = 'tauri' | 'http';

export interface Transport {
  readonly kind: TransportKind;
  /** Resolves to the command's result or rejects with an `ApiError`. */
  call(name: string, args: unknown): Promise<unknown>;
  /** Starts listening; returns a function that stops. */
  listen(onEvent: (event: RawEvent) => void): () => void;
}
