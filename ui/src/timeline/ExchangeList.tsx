//! The virtualized exchange list: only the rows on screen are in the DOM, so 100k rows scroll
//! like 100. Rows have a fixed height, which keeps scroll anchoring exact when new rows arrive
//! on top while the user is reading further down.

import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useLayoutEffect, useRef } from 'react';
import type { ExchangeSummary } from '../bindings';
import { Badge, sideTone } from '../shared/Badge';
import { formatBytes, formatDuration, formatTime, formatWhen, isToday, statusClass } from '../shared/format';
import { splitUrl } from '../shared/url';

export const ROW_HEIGHT = 28;
const HEADER_HEIGHT = 28;

interface Props {
  rows: readonly ExchangeSummary[];
  selectedId: number | null;
  onSelect: (id: number) => void;
  onNearEnd: () => void;
  /** Scroll the selected row into view when this changes (keyboard moves). */
  scrollToSelected: number;
  compact: boolean;
}

export function ExchangeList({ rows, selectedId, onSelect, onNearEnd, scrollToSelected, compact }: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 16,
    scrollMargin: HEADER_HEIGHT,
    getItemKey: (i) => rows[i]?.id ?? i,
  });

  // New rows on top: keep what the user is reading in place unless they are at the top.
  const prevFirst = useRef<number | undefined>(rows[0]?.id);
  useLayoutEffect(() => {
    const el = scrollRef.current;
    const before = prevFirst.current;
    prevFirst.current = rows[0]?.id;
    if (!el || before === undefined || rows[0]?.id === before || el.scrollTop <= 0) return;
    const added = rows.findIndex((r) => r.id === before);
    if (added > 0) el.scrollTop += added * ROW_HEIGHT;
  }, [rows]);

  useEffect(() => {
    if (selectedId === null) return;
    const i = rows.findIndex((r) => r.id === selectedId);
    if (i >= 0) virtualizer.scrollToIndex(i, { align: 'auto' });
    // Only on keyboard moves, not on every new row.
  }, [scrollToSelected]);

  const items = virtualizer.getVirtualItems();
  const last = items[items.length - 1];
  useEffect(() => {
    if (last && last.index >= rows.length - 40) onNearEnd();
  }, [last?.index, rows.length, onNearEnd, last]);

  return (
    <div className={`xlist ${compact ? 'compact' : ''}`} ref={scrollRef} role="grid" aria-rowcount={rows.length} data-testid="exchange-list">
      <div className="xrow xhead" role="row" style={{ height: HEADER_HEIGHT }}>
        <span className="c-time">Time</span>
        <span className="c-side">Side</span>
        <span className="c-dir" title="Direction">Dir</span>
        <span className="c-method">Method</span>
        <span className="c-url">URL</span>
        <span className="c-status">Status</span>
        <span className="c-dur">Duration</span>
        <span className="c-size">Size</span>
      </div>
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {items.map((item) => {
          const row = rows[item.index];
          if (!row) return null;
          return (
            <div
              key={item.key}
              className="xrow-pos"
              style={{ transform: `translateY(${item.start - HEADER_HEIGHT}px)`, height: ROW_HEIGHT }}
            >
              <ExchangeRow row={row} selected={row.id === selectedId} onSelect={onSelect} even={item.index % 2 === 0} />
            </div>
          );
        })}
      </div>
    </div>
  );
}

const ExchangeRow = memo(function ExchangeRow({
  row,
  selected,
  onSelect,
  even,
}: {
  row: ExchangeSummary;
  selected: boolean;
  onSelect: (id: number) => void;
  even: boolean;
}) {
  const url = splitUrl(row.url);
  const sc = row.error ? 'server' : statusClass(row.status);
  const size = row.request_bytes + row.response_bytes;
  return (
    <div
      className={`xrow ${selected ? 'selected' : ''} ${even ? 'even' : ''}`}
      role="row"
      aria-selected={selected}
      data-testid="exchange-row"
      data-id={row.id}
      onClick={() => onSelect(row.id)}
    >
      <span className="c-time mono" title={new Date(row.started_at).toISOString()}>
        {isToday(row.started_at) ? formatTime(row.started_at) : formatWhen(row.started_at)}
      </span>
      <span className="c-side">
        <Badge tone={sideTone(row.side)}>{row.side}</Badge>
      </span>
      <span className={`c-dir dir-${row.direction}`} title={row.direction === 'inbound' ? 'Inbound: received' : 'Outbound: sent'}>
        {row.direction === 'inbound' ? '↓ in' : '↑ out'}
      </span>
      <span className={`c-method mono method-${row.method.toLowerCase()}`}>{row.method}</span>
      <span className="c-url mono" title={row.url}>
        <span className="url-origin">{url.origin}</span>
        <span className="url-path">{url.path}</span>
        <span className="url-query">{url.query}</span>
      </span>
      <span className={`c-status mono status-${sc}`} title={row.error ?? undefined}>
        {row.error ? 'ERR' : (row.status ?? '—')}
      </span>
      <span className="c-dur mono">{formatDuration(row.duration_ms)}</span>
      <span className="c-size mono" title={`request ${formatBytes(row.request_bytes)}, response ${formatBytes(row.response_bytes)}`}>
        {formatBytes(size)}
      </span>
    </div>
  );
});
