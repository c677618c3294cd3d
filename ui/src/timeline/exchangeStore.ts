//! The Timeline's rows: loaded page by page (newest first), kept current by `exchange_recorded`
//! events, re-fetched after a lag. One store for the app's lifetime, so switching pages keeps
//! the list and events that arrive while another page is shown are not lost.

import { useSyncExternalStore } from 'react';
import type { ApiError, ExchangeSummary } from '../bindings';
import { rpc, subscribe as subscribeEvents, type EventBatch } from '../transport';
import { toApiError } from '../transport/errors';
import { mergeNewestFirst } from './merge';

export const FIRST_PAGE = 1000;
export const OLDER_PAGE = 2000;

export interface ExchangeListState {
  rows: readonly ExchangeSummary[];
  phase: 'idle' | 'loading' | 'ready' | 'error';
  error: ApiError | null;
  /** Older rows may exist in the store. */
  hasMore: boolean;
  loadingMore: boolean;
}

type Rpc = typeof rpc;
type Subscribe = typeof subscribeEvents;

export class ExchangeStore {
  private state: ExchangeListState = { rows: [], phase: 'idle', error: null, hasMore: true, loadingMore: false };
  private readonly listeners = new Set<() => void>();
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly call: Rpc = rpc,
    private readonly events: Subscribe = subscribeEvents,
  ) {}

  readonly subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  readonly getSnapshot = (): ExchangeListState => this.state;

  private set(patch: Partial<ExchangeListState>) {
    this.state = { ...this.state, ...patch };
    this.listeners.forEach((l) => l());
  }

  /** Starts following events and loads the first page (once). */
  ensureStarted(): void {
    if (!this.unsubscribe) this.unsubscribe = this.events((b) => this.onEvents(b));
    if (this.state.phase === 'idle') void this.loadFirst();
  }

  onEvents(batch: EventBatch): void {
    if (batch.lagged) {
      void this.loadFirst();
      return;
    }
    let rows = this.state.rows;
    if (batch.deletedFlows.length > 0) {
      const gone = new Set(batch.deletedFlows);
      rows = rows.filter((e) => !e.flow_id || !gone.has(e.flow_id));
    }
    if (batch.exchanges.length > 0) rows = mergeNewestFirst(rows, batch.exchanges);
    if (rows !== this.state.rows) this.set({ rows });
  }

  async loadFirst(): Promise<void> {
    if (this.state.rows.length === 0) this.set({ phase: 'loading', error: null });
    try {
      const page = await this.call('list_exchanges', { limit: FIRST_PAGE });
      const held = this.state.rows;
      const newestHeld = held[0]?.id;
      const oldestInPage = page[page.length - 1]?.id;
      // A full page that does not reach the rows held leaves a gap of unknown size: start over
      // from this page (older rows are paged in again on scroll).
      const gap = newestHeld !== undefined && oldestInPage !== undefined && page.length >= FIRST_PAGE && oldestInPage > newestHeld;
      const wasReady = this.state.phase === 'ready';
      this.set({
        rows: gap ? page : mergeNewestFirst(held, page),
        phase: 'ready',
        error: null,
        hasMore: gap || !wasReady ? page.length >= FIRST_PAGE || gap : this.state.hasMore,
      });
    } catch (e) {
      this.set({ phase: 'error', error: toApiError(e) });
    }
  }

  /** Loads the page before the oldest row held. */
  async loadOlder(): Promise<void> {
    const { rows, hasMore, loadingMore, phase } = this.state;
    if (!hasMore || loadingMore || phase !== 'ready') return;
    const oldest = rows[rows.length - 1];
    if (!oldest) {
      this.set({ hasMore: false });
      return;
    }
    this.set({ loadingMore: true });
    try {
      const page = await this.call('list_exchanges', { limit: OLDER_PAGE, before_id: oldest.id });
      this.set({ rows: mergeNewestFirst(this.state.rows, page), hasMore: page.length >= OLDER_PAGE, loadingMore: false });
    } catch (e) {
      this.set({ loadingMore: false, error: toApiError(e) });
    }
  }
}

export const exchangeStore = new ExchangeStore();

export function useExchanges(): ExchangeListState {
  return useSyncExternalStore(exchangeStore.subscribe, exchangeStore.getSnapshot);
}
