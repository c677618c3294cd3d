//! The virtualized flows list: one row per launch (verdict, time, platform, user, context,
//! message type, steps, problems). Fixed row height, rows kept in place when new flows arrive on
//! top while the user reads further down — the same mechanics as the exchange list.

import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useLayoutEffect, useRef } from 'react';
import type { FlowSummary } from '../bindings';
import { flowFacts, negativeOutcome, sideLabel, verdictExplanation, verdictLabel, verdictTone } from '../flow/summary';
import { Badge, sideTone } from '../shared/Badge';
import { formatWhen } from '../shared/format';

export const FLOW_ROW_HEIGHT = 32;
const HEADER_HEIGHT = 28;

interface Props {
  rows: readonly FlowSummary[];
  selectedId: string | null;
  onSelect: (id: string) => void;
  onOpen: (id: string) => void;
  /** Scroll the selected row into view when this changes (keyboard moves). */
  scrollToSelected: number;
}

export function FlowList({ rows, selectedId, onSelect, onOpen, scrollToSelected }: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => FLOW_ROW_HEIGHT,
    overscan: 12,
    scrollMargin: HEADER_HEIGHT,
    getItemKey: (i) => rows[i]?.id ?? i,
  });

  const prevFirst = useRef<string | undefined>(rows[0]?.id);
  useLayoutEffect(() => {
    const el = scrollRef.current;
    const before = prevFirst.current;
    prevFirst.current = rows[0]?.id;
    if (!el || before === undefined || rows[0]?.id === before || el.scrollTop <= 0) return;
    const added = rows.findIndex((r) => r.id === before);
    if (added > 0) el.scrollTop += added * FLOW_ROW_HEIGHT;
  }, [rows]);

  useEffect(() => {
    if (selectedId === null) return;
    const i = rows.findIndex((r) => r.id === selectedId);
    if (i >= 0) virtualizer.scrollToIndex(i, { align: 'auto' });
    // Only on keyboard moves, not on every new row.
  }, [scrollToSelected]);

  const now = Date.now();
  return (
    <div className="xlist flist" ref={scrollRef} role="grid" aria-rowcount={rows.length} data-testid="flow-list">
      <div className="frow xhead" role="row" style={{ height: HEADER_HEIGHT }}>
        <span className="f-verdict">Verdict</span>
        <span className="f-side">Side</span>
        <span className="f-time">Started</span>
        <span className="f-platform">Platform</span>
        <span className="f-user">User</span>
        <span className="f-context">Context</span>
        <span className="f-type">Flow</span>
        <span className="f-steps" title="Exchanges in the flow">Steps</span>
        <span className="f-problems">Problems</span>
      </div>
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((item) => {
          const row = rows[item.index];
          if (!row) return null;
          return (
            <div key={item.key} className="xrow-pos" style={{ transform: `translateY(${item.start - HEADER_HEIGHT}px)`, height: FLOW_ROW_HEIGHT }}>
              <FlowRow row={row} selected={row.id === selectedId} onSelect={onSelect} onOpen={onOpen} even={item.index % 2 === 0} now={now} />
            </div>
          );
        })}
      </div>
    </div>
  );
}

const FlowRow = memo(function FlowRow({
  row,
  selected,
  onSelect,
  onOpen,
  even,
  now,
}: {
  row: FlowSummary;
  selected: boolean;
  onSelect: (id: string) => void;
  onOpen: (id: string) => void;
  even: boolean;
  now: number;
}) {
  const x = flowFacts(row);
  return (
    <div
      className={`frow ${selected ? 'selected' : ''} ${even ? 'even' : ''}`}
      role="row"
      aria-selected={selected}
      data-testid="flow-row"
      data-id={row.id}
      data-verdict={row.verdict}
      onClick={() => {
        onSelect(row.id);
        onOpen(row.id);
      }}
      title={row.title}
    >
      <span className="f-verdict">
        <Badge tone={verdictTone(row.verdict)} title={verdictExplanation(row.verdict)}>
          {verdictLabel(row.verdict)}
        </Badge>
      </span>
      <span className="f-side">
        <Badge tone={sideTone(row.side)}>{sideLabel(row.side)}</Badge>
      </span>
      <span className="f-time mono" title={new Date(row.started_at).toISOString()}>
        {formatWhen(row.started_at, now)}
      </span>
      <span className="f-platform" title={x.issuer}>
        {x.platform || <span className="faint">—</span>}
      </span>
      <span className="f-user">
        {row.pinned && (
          <span className="pin" title="Pinned" aria-label="Pinned">
            📌{' '}
          </span>
        )}
        {x.user || <span className="faint">—</span>}
      </span>
      <span className="f-context">{x.context || <span className="faint">—</span>}</span>
      {/* The flow's title says what and which way ("LtiResourceLinkRequest to <tool> as <user>",
          "… from <issuer>"): with the side it tells the two flows of one launch apart. */}
      <span className="f-type" title={row.title} data-testid="flow-title">
        {row.title || x.messageType || <span className="faint">{row.kind}</span>}
      </span>
      <span className="f-steps mono">{row.exchange_count}</span>
      <span className="f-problems mono" data-testid="flow-problems">
        {negativeOutcome(x) === 'intended' && (
          <span className="pill pill-neutral" title={`A negative test: it was meant to fail ${x.negative}, and did`} data-testid="flow-intended">
            failed as intended
          </span>
        )}
        {negativeOutcome(x) === 'missed' && (
          <span className="pill pill-red" title={`A negative test meant to fail ${x.negative}: that rule did not fail`} data-testid="flow-missed">
            did not fail {x.negative}
          </span>
        )}
        {x.failedRules.length > 0 && negativeOutcome(x) !== 'intended' && (
          <span className="pill pill-red f-rule" title={x.failedRules.join(', ')} data-testid="flow-failed-rule">
            {x.failedRules[0]}
            {x.failedRules.length > 1 ? ` +${x.failedRules.length - 1}` : ''}
          </span>
        )}
        {x.errors !== null && x.errors > 0 && x.failedRules.length === 0 && <span className="pill pill-red" title={`${x.errors} failed errors`}>{x.errors} err</span>}
        {x.warnings !== null && x.warnings > 0 && <span className="pill pill-amber" title={`${x.warnings} failed warnings`}>{x.warnings} warn</span>}
        {x.errors === 0 && x.warnings === 0 && <span className="faint">none</span>}
        {x.errors === null && x.warnings === null && (
          <span className="faint" title="No launch was validated in this flow: open it for the findings of its other steps">
            —
          </span>
        )}
      </span>
    </div>
  );
});
