//! The flows filter, run in the store (`list_flows { query }`) so it reaches every flow, not only
//! the newest loaded ones: the query language is the engine's (`lti_core::search`: free text
//! over claims and findings, `user:`, `rule:`, `verdict:`, `side:`, `since:`…). Results refresh
//! when flows arrive or change (debounced), and page on with the `seq` (text queries) or start
//! time (filters only) of the last row.

import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiError, FlowSummary } from '../bindings';
import { rpc, subscribe } from '../transport';
import { toApiError } from '../transport/errors';

export const SEARCH_PAGE = 500;
const REFRESH_MS = 400;

export interface FlowSearchState {
  rows: readonly FlowSummary[];
  phase: 'idle' | 'loading' | 'ready' | 'error';
  error: ApiError | null;
  hasMore: boolean;
  loadMore: () => void;
}

/** The cursor after `last`: its match position for text queries, else its start time. */
export function nextCursor(last: FlowSummary | undefined): number | null {
  if (!last) return null;
  return last.seq ?? last.started_at;
}

/** Appends a page, dropping flows already shown (a flow can match through several messages). */
export function appendPage(rows: readonly FlowSummary[], page: readonly FlowSummary[]): FlowSummary[] {
  const seen = new Set(rows.map((r) => r.id));
  return [...rows, ...page.filter((f) => !seen.has(f.id))];
}

export function useFlowSearch(query: string): FlowSearchState {
  const [state, setState] = useState<Omit<FlowSearchState, 'loadMore'>>({ rows: [], phase: 'idle', error: null, hasMore: false });
  const generation = useRef(0);
  const rowsRef = useRef<readonly FlowSummary[]>([]);
  rowsRef.current = state.rows;

  const run = useCallback(
    async (limit: number) => {
      const gen = ++generation.current;
      try {
        const page = await rpc('list_flows', { query, limit });
        if (gen !== generation.current) return;
        setState({ rows: page, phase: 'ready', error: null, hasMore: page.length >= limit });
      } catch (e) {
        if (gen !== generation.current) return;
        setState((s) => ({ ...s, phase: 'error', error: toApiError(e) }));
      }
    },
    [query],
  );

  useEffect(() => {
    if (!query.trim()) return;
    setState((s) => ({ ...s, phase: 'loading' }));
    const first = setTimeout(() => void run(SEARCH_PAGE), 120);
    let refresh: ReturnType<typeof setTimeout> | null = null;
    const unsubscribe = subscribe((batch) => {
      if (batch.flows.length === 0 && batch.deletedFlows.length === 0 && !batch.lagged) return;
      if (refresh) return;
      refresh = setTimeout(() => {
        refresh = null;
        void run(Math.max(SEARCH_PAGE, rowsRef.current.length));
      }, REFRESH_MS);
    });
    return () => {
      generation.current++;
      clearTimeout(first);
      if (refresh) clearTimeout(refresh);
      unsubscribe();
    };
  }, [query, run]);

  const loadMore = useCallback(() => {
    const before = nextCursor(rowsRef.current[rowsRef.current.length - 1]);
    if (before === null) return;
    const gen = generation.current;
    void rpc('list_flows', { query, limit: SEARCH_PAGE, before }).then(
      (page) => {
        if (gen !== generation.current) return;
        setState((s) => ({ ...s, rows: appendPage(s.rows, page), hasMore: page.length >= SEARCH_PAGE }));
      },
      (e: unknown) => setState((s) => ({ ...s, phase: 'error', error: toApiError(e) })),
    );
  }, [query]);

  return { ...state, loadMore };
}
