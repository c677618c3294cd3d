//! The flows view of the Timeline: a filter box (run in the store over every flow, see
//! `flowSearch.ts`), the live virtualized flows list, keyboard moves (j/k, Enter opens,
//! / filters). Opening a flow goes to `#/flows/<id>`.

import { useDeferredValue, useEffect, useRef, useState, type ReactNode } from 'react';
import { hrefFor } from '../app/router';
import { EmptyState } from '../shared/EmptyState';
import { ErrorBanner } from '../shared/ErrorBanner';
import { CloseIcon, SearchIcon, TimelineIcon } from '../shared/icons';
import { Kbd, Spinner } from '../shared/Page';
import { useListKeys } from '../shared/useListKeys';
import { ExportDialog } from '../import/ExportDialog';
import { ConfirmButton } from '../shared/ConfirmButton';
import { rpc } from '../transport';
import { importStore } from '../import/importStore';
import { FlowList } from './FlowList';
import { useFlowSearch } from './flowSearch';
import { FLOW_LIMIT, flowStore, useFlows } from './flowStore';

/** The flows filter outlives the view (coming back from a flow keeps it). */
let lastFilter = '';
let lastSelected: string | null = null;

export function FlowsView({ tabs, onOpen }: { tabs: ReactNode; onOpen: (id: string) => void }) {
  const state = useFlows();
  const [filter, setFilterState] = useState(lastFilter);
  const [selectedId, setSelectedState] = useState<string | null>(lastSelected);
  const [scrollTick, setScrollTick] = useState(0);
  const [exporting, setExporting] = useState(false);
  const filterRef = useRef<HTMLInputElement>(null);
  const setFilter = (f: string) => {
    lastFilter = f;
    setFilterState(f);
  };
  const setSelected = (id: string | null) => {
    lastSelected = id;
    setSelectedState(id);
  };

  useEffect(() => flowStore.ensureStarted(), []);
  // Back from a flow: bring its row into view.
  useEffect(() => setScrollTick((t) => t + 1), []);

  const deferredFilter = useDeferredValue(filter.trim());
  const search = useFlowSearch(deferredFilter);
  const searching = deferredFilter !== '';
  const rows = searching ? search.rows : state.rows;
  const selectedIndex = selectedId === null ? -1 : rows.findIndex((r) => r.id === selectedId);

  useListKeys({
    items: rows,
    selectedIndex,
    filterRef,
    onSelect: (row) => {
      setSelected(row.id);
      setScrollTick((t) => t + 1);
    },
    onOpen: (row) => onOpen(row.id),
    onEscape: () => setSelected(null),
  });

  const total = state.rows.length;
  return (
    <div className="xview">
      {exporting && (
        <ExportDialog target={{ query: deferredFilter, label: `the flows matching “${deferredFilter}”` }} onClose={() => setExporting(false)} />
      )}
      <div className="toolbar">
        {tabs}
        <label className="filter">
          <SearchIcon size={14} />
          <input
            ref={filterRef}
            type="search"
            placeholder="Search every flow — e.g. canvas, user:jane, rule:jwt.signature, verdict:invalid, side:imported, since:2026-12-01"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            spellCheck={false}
            data-testid="flows-filter"
            aria-label="Filter flows"
          />
          {filter ? (
            <button type="button" className="btn btn-icon btn-ghost" onClick={() => setFilter('')} aria-label="Clear filter">
              <CloseIcon size={13} />
            </button>
          ) : (
            <Kbd>/</Kbd>
          )}
        </label>
        <span className="count" data-testid="flows-count">
          {searching
            ? `${search.phase === 'loading' ? '…' : `${rows.length.toLocaleString()}${search.hasMore ? '+' : ''}`} matching`
            : `${total.toLocaleString()} ${total === 1 ? 'flow' : 'flows'}${state.truncated ? ` (newest ${FLOW_LIMIT.toLocaleString()}; search reaches all)` : ''}`}
        </span>
        <button type="button" className="btn btn-sm" onClick={importStore.open} data-testid="import-open" title="Import a HAR file, id_token, form body or claims object (or drop a file anywhere)">
          Import…
        </button>
        {searching && rows.length > 0 && (
          <>
            <button type="button" className="btn btn-sm" onClick={() => setExporting(true)} data-testid="flows-export" title="Export every flow this search finds">
              Export…
            </button>
            <ConfirmButton
              label="Delete…"
              question={`Delete ${search.hasMore ? `${rows.length}+` : rows.length} matching flows (pinned ones kept)?`}
              testId="flows-delete"
              onConfirm={() => rpc('delete_flows', { query: deferredFilter })}
            />
          </>
        )}
        <span className="live" title="Flows appear and update as launches happen">
          <span className="dot good pulse" /> Live
        </span>
      </div>
      {state.error && state.phase === 'error' && (
        <div className="pad">
          <ErrorBanner error={state.error} title="Could not list flows" />
        </div>
      )}
      {searching && search.error && (
        <div className="pad">
          <ErrorBanner error={search.error} title="Could not search" />
        </div>
      )}
      <div className="xmain fmain">
        {state.phase === 'loading' || state.phase === 'idle' ? (
          <Spinner />
        ) : state.phase === 'error' ? null : total === 0 ? (
          <EmptyState title="No flows yet" icon={<TimelineIcon size={22} />}>
            <p>
              A flow is one launch: login initiation → authentication redirect → id_token post → landing page, with every
              check the inspector ran on it.
            </p>
            <p>
              Register the tool in an LMS with the values on the <a href={hrefFor('setup')}>Setup</a> page, add the LMS on the{' '}
              <a href={hrefFor('platforms')}>Platforms</a> page, and launch: the flow appears here as it happens.
            </p>
          </EmptyState>
        ) : searching && search.phase === 'loading' && rows.length === 0 ? (
          <Spinner label="Searching…" />
        ) : rows.length === 0 ? (
          <EmptyState title="No flow matches the filter">
            <button type="button" className="linklike" onClick={() => setFilter('')}>
              Clear the filter
            </button>
          </EmptyState>
        ) : (
          <>
            <FlowList rows={rows} selectedId={selectedId} onSelect={setSelected} onOpen={onOpen} scrollToSelected={scrollTick} />
            {searching && search.hasMore && (
              <div className="pad">
                <button type="button" className="btn btn-sm" onClick={search.loadMore} data-testid="flows-more">
                  Load more matches
                </button>
              </div>
            )}
          </>
        )}
      </div>
    </div>
  );
}
