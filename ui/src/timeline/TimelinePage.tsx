//! Timeline: flows (one launch each) as the primary view, and every recorded exchange beside it
//! (`#/timeline/exchanges`), both newest first and live. A flow opens its own view, `#/flows/<id>`.

import { useCallback, useDeferredValue, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { hrefFor, navigate, type Route } from '../app/router';
import { isTypingTarget } from '../app/shortcuts';
import { EmptyState } from '../shared/EmptyState';
import { ErrorBanner } from '../shared/ErrorBanner';
import { CloseIcon, SearchIcon, TimelineIcon } from '../shared/icons';
import { Kbd, Spinner } from '../shared/Page';
import { ExchangeDetail } from './ExchangeDetail';
import { ExchangeList } from './ExchangeList';
import { exchangeStore, useExchanges } from './exchangeStore';
import { applyFilter } from './filter';
import { flowOfFilter, useFlowExchanges } from './flowExchanges';
import { FlowsView } from './FlowsView';

export function TimelinePage({ route }: { route: Route }) {
  const tab = route.rest[0] === 'exchanges' ? 'exchanges' : 'flows';
  // `#/timeline/exchanges/<filter>` opens the exchanges with a filter (a flow's "Show exchanges").
  const routeFilter = tab === 'exchanges' ? (route.rest[1] ?? null) : null;
  const [filter, setFilter] = useState(routeFilter ?? '');
  useEffect(() => {
    if (routeFilter !== null) setFilter(routeFilter);
  }, [routeFilter]);

  const tabs = (
    <div className="tabs tabs-inline" role="tablist">
      <a href={hrefFor('timeline')} role="tab" aria-selected={tab === 'flows'} className={tab === 'flows' ? 'active' : ''} data-testid="tab-flows">
        Flows
      </a>
      <a href={hrefFor('timeline', 'exchanges')} role="tab" aria-selected={tab === 'exchanges'} className={tab === 'exchanges' ? 'active' : ''} data-testid="tab-exchanges">
        Exchanges
      </a>
    </div>
  );

  return (
    <div className="timeline" data-testid="timeline">
      {tab === 'flows' ? (
        <FlowsView tabs={tabs} onOpen={(id) => navigate('flows', id)} />
      ) : (
        <ExchangesView filter={filter} setFilter={setFilter} tabs={tabs} />
      )}
    </div>
  );
}

function ExchangesView({ filter, setFilter, tabs }: { filter: string; setFilter: (f: string) => void; tabs: ReactNode }) {
  const state = useExchanges();
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const [scrollTick, setScrollTick] = useState(0);
  const filterRef = useRef<HTMLInputElement>(null);

  useEffect(() => exchangeStore.ensureStarted(), []);

  const deferredFilter = useDeferredValue(filter);
  const flowRows = useFlowExchanges(flowOfFilter(deferredFilter));
  const filtered = useMemo(() => applyFilter(state.rows, deferredFilter), [state.rows, deferredFilter]);
  const rows = flowRows ?? filtered;
  const onNearEnd = useCallback(() => void exchangeStore.loadOlder(), []);

  // A narrow filter may match little of what is loaded: keep paging older rows in.
  useEffect(() => {
    if (deferredFilter && !flowOfFilter(deferredFilter) && rows.length < 100 && state.hasMore && !state.loadingMore && state.phase === 'ready') {
      void exchangeStore.loadOlder();
    }
  }, [deferredFilter, rows.length, state.hasMore, state.loadingMore, state.phase]);

  // Keyboard: / focuses the filter, j/k ↑/↓ move the selection, Esc closes the detail.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
      if (isTypingTarget(e.target)) {
        if (e.key === 'Escape' && e.target === filterRef.current) filterRef.current?.blur();
        return;
      }
      if (e.key === '/') {
        e.preventDefault();
        filterRef.current?.focus();
      } else if (e.key === 'Escape') {
        setSelectedId(null);
      } else if (e.key === 'j' || e.key === 'ArrowDown' || e.key === 'k' || e.key === 'ArrowUp') {
        if (rows.length === 0) return;
        e.preventDefault();
        const down = e.key === 'j' || e.key === 'ArrowDown';
        const i = selectedId === null ? -1 : rows.findIndex((r) => r.id === selectedId);
        const next = i === -1 ? 0 : Math.max(0, Math.min(rows.length - 1, i + (down ? 1 : -1)));
        const row = rows[next];
        if (row) {
          setSelectedId(row.id);
          setScrollTick((t) => t + 1);
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [rows, selectedId]);

  const total = state.rows.length;
  return (
    <div className="xview">
      <div className="toolbar">
        {tabs}
        <label className="filter">
          <SearchIcon size={14} />
          <input
            ref={filterRef}
            type="search"
            placeholder="Filter by URL, method or status — e.g. jwks, POST, 4xx, status:404, side:tool"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            spellCheck={false}
            data-testid="timeline-filter"
            aria-label="Filter exchanges"
          />
          {filter ? (
            <button type="button" className="btn btn-icon btn-ghost" onClick={() => setFilter('')} aria-label="Clear filter">
              <CloseIcon size={13} />
            </button>
          ) : (
            <Kbd>/</Kbd>
          )}
        </label>
        <span className="count" data-testid="timeline-count">
          {deferredFilter ? `${rows.length.toLocaleString()} of ${total.toLocaleString()}` : `${total.toLocaleString()}`}{' '}
          {total === 1 ? 'exchange' : 'exchanges'}
          {state.hasMore && total > 0 ? '+' : ''}
        </span>
        <span className="live" title="New exchanges appear as they are recorded">
          <span className="dot good pulse" /> Live
        </span>
      </div>
      {state.error && state.phase === 'error' && <div className="pad"><ErrorBanner error={state.error} title="Could not load exchanges" /></div>}
      <div className={`xsplit ${selectedId !== null ? 'with-detail' : ''}`}>
        <div className="xmain">
          {state.phase === 'loading' || state.phase === 'idle' ? (
            <Spinner />
          ) : total === 0 ? (
            <EmptyState title="No exchanges recorded yet" icon={<TimelineIcon size={22} />}>
              Register the tool in an LMS with the values on the <a href={hrefFor('setup')}>Setup</a> page and launch it, or
              simply open the tool's JWKS URL: every request appears here as it happens.
            </EmptyState>
          ) : rows.length === 0 ? (
            <EmptyState title="Nothing matches the filter">
              {state.hasMore ? 'Older exchanges are loaded as you scroll; ' : ''}
              <button type="button" className="linklike" onClick={() => setFilter('')}>
                clear the filter
              </button>
            </EmptyState>
          ) : (
            <ExchangeList
              rows={rows}
              selectedId={selectedId}
              onSelect={setSelectedId}
              onNearEnd={onNearEnd}
              scrollToSelected={scrollTick}
              compact={selectedId !== null}
            />
          )}
        </div>
        {selectedId !== null && <ExchangeDetail id={selectedId} onClose={() => setSelectedId(null)} />}
      </div>
    </div>
  );
}
