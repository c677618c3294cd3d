//! The Timeline's flows: loaded once (newest first), kept current by `flow_updated` events
//! (each upserts its flow by id), re-fetched after a lag. One store for the app's lifetime, like
//! the exchange store, so flows that change while another page is shown are not missed.

import { useSyncExternalStore } from 'react';
import type { ApiError, FlowSummary } from '../bindings';
import { rpc, subscribe as subscribeEvents, type EventBatch } from '../transport';
import { toApiError } from '../transport/errors';

/** How many flows are loaded (`list_flows` has no paging yet; newest first). */
export const FLOW_LIMIT = 5000;

export interface FlowListState {
  rows: readonly FlowSummary[];
  phase: 'idle' | 'loading' | 'ready' | 'error';
  error: ApiError | null;
  /** The engine may hold older flows than those loaded. */
  truncated: boolean;
}

/** Newest first: by start time, then by id (sortable ids) for flows started the same millisecond. */
export function compareFlows(a: FlowSummary, b: FlowSummary): number {
  return b.started_at - a.started_at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/**
 * Upserts `incoming` into `rows` (newest first). A flow already present is replaced (the last
 * copy wins); new flows are placed by start time. Returns `rows` itself when nothing changes.
 */
export function upsertFlows(rows: readonly FlowSummary[], incoming: readonly FlowSummary[]): readonly FlowSummary[] {
  if (incoming.length === 0) return rows;
  const updates = new Map(incoming.map((f) => [f.id, f] as const));
  let changed = false;
  const next: FlowSummary[] = [];
  for (const r of rows) {
    const u = updates.get(r.id);
    if (u) {
      updates.delete(r.id);
      if (u !== r) changed = true;
      next.push(u);
    } else {
      next.push(r);
    }
  }
  if (updates.size === 0) {
    if (!changed) return rows;
    // A start time never changes for a flow, but keep the order right if it ever does.
    return isSorted(next) ? next : next.sort(compareFlows);
  }
  const added = [...updates.values()].sort(compareFlows);
  const first = next[0];
  // Fast path: live flows are newer than everything held.
  if (!first || added.every((f) => compareFlows(f, first) < 0)) return [...added, ...next];
  return [...added, ...next].sort(compareFlows);
}

function isSorted(rows: readonly FlowSummary[]): boolean {
  for (let i = 1; i < rows.length; i++) {
    if (compareFlows(rows[i - 1] as FlowSummary, rows[i] as FlowSummary) > 0) return false;
  }
  return true;
}

/**
 * A freshly loaded list, merged with what events delivered while it was in flight: a held copy
 * that is newer (`updated_at`) wins, and flows that started after the newest loaded one are kept.
 */
export function mergeLoaded(page: readonly FlowSummary[], held: readonly FlowSummary[]): readonly FlowSummary[] {
  const heldById = new Map(held.map((f) => [f.id, f] as const));
  let newest = -Infinity;
  const loaded = page.map((f) => {
    newest = Math.max(newest, f.started_at);
    const h = heldById.get(f.id);
    heldById.delete(f.id);
    return h && h.updated_at > f.updated_at ? h : f;
  });
  const extra = [...heldById.values()].filter((f) => f.started_at >= newest);
  return upsertFlows(loaded.sort(compareFlows), extra);
}

type Rpc = typeof rpc;
type Subscribe = typeof subscribeEvents;

export class FlowStore {
  private state: FlowListState = { rows: [], phase: 'idle', error: null, truncated: false };
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

  readonly getSnapshot = (): FlowListState => this.state;

  private set(patch: Partial<FlowListState>) {
    this.state = { ...this.state, ...patch };
    this.listeners.forEach((l) => l());
  }

  /** Starts following events and loads the list (once). */
  ensureStarted(): void {
    if (!this.unsubscribe) this.unsubscribe = this.events((b) => this.onEvents(b));
    if (this.state.phase === 'idle') void this.load();
  }

  onEvents(batch: EventBatch): void {
    if (batch.lagged) {
      void this.load();
      return;
    }
    let rows = this.state.rows;
    if (batch.deletedFlows.length > 0) {
      const gone = new Set(batch.deletedFlows);
      rows = rows.filter((f) => !gone.has(f.id));
    }
    if (batch.flows.length > 0) rows = upsertFlows(rows, batch.flows);
    if (rows !== this.state.rows) this.set({ rows });
  }

  async load(): Promise<void> {
    if (this.state.rows.length === 0) this.set({ phase: 'loading', error: null });
    try {
      const page = await this.call('list_flows', { limit: FLOW_LIMIT });
      const rows = mergeLoaded(page, this.state.rows);
      this.set({ rows, phase: 'ready', error: null, truncated: page.length >= FLOW_LIMIT });
    } catch (e) {
      this.set({ phase: 'error', error: toApiError(e) });
    }
  }
}

export const flowStore = new FlowStore();

export function useFlows(): FlowListState {
  return useSyncExternalStore(flowStore.subscribe, flowStore.getSnapshot);
}
