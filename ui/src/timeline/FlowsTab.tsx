//! Flows: exchanges grouped into launches. Minimal for now (a table from `list_flows`, kept
//! current by `flow_updated` events); the flow view with its findings comes later.

import { useEffect, useState } from 'react';
import type { ApiError, FlowSummary } from '../bindings';
import { Badge, type Tone } from '../shared/Badge';
import { EmptyState } from '../shared/EmptyState';
import { ErrorBanner } from '../shared/ErrorBanner';
import { formatDateTime } from '../shared/format';
import { TimelineIcon } from '../shared/icons';
import { Spinner } from '../shared/Page';
import { rpc, subscribe } from '../transport';
import { toApiError } from '../transport/errors';

const VERDICT_TONE: Record<string, Tone> = { valid: 'green', invalid: 'red', unverified: 'amber', pending: 'neutral' };

function mergeFlows(rows: FlowSummary[], updates: FlowSummary[]): FlowSummary[] {
  const byId = new Map(rows.map((f) => [f.id, f] as const));
  for (const f of updates) byId.set(f.id, f);
  return [...byId.values()].sort((a, b) => b.started_at - a.started_at);
}

export function FlowsTab({ onShowExchanges }: { onShowExchanges: (flowId: string) => void }) {
  const [flows, setFlows] = useState<FlowSummary[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    let live = true;
    const load = () =>
      rpc('list_flows', { limit: 500 }).then(
        (f) => live && setFlows((prev) => mergeFlows(prev ?? [], f)),
        (e: unknown) => live && setError(toApiError(e)),
      );
    void load();
    const unsubscribe = subscribe((b) => {
      if (b.lagged) void load();
      else if (b.flows.length) setFlows((prev) => mergeFlows(prev ?? [], b.flows));
    });
    return () => {
      live = false;
      unsubscribe();
    };
  }, []);

  if (error) return <div className="pad"><ErrorBanner error={error} title="Could not list flows" /></div>;
  if (!flows) return <Spinner />;
  if (flows.length === 0) {
    return (
      <EmptyState title="No flows yet" icon={<TimelineIcon size={22} />}>
        A flow groups the exchanges of one launch (login initiation → auth redirect → id_token post → landing). Flows
        appear here once the tool side handles launches.
      </EmptyState>
    );
  }
  return (
    <div className="flows-scroll">
      <table className="table flows-table" data-testid="flows-table">
        <thead>
          <tr>
            <th>Started</th>
            <th>Side</th>
            <th>Kind</th>
            <th>Title</th>
            <th>Verdict</th>
            <th className="num">Exchanges</th>
          </tr>
        </thead>
        <tbody>
          {flows.map((f) => (
            <tr key={f.id} className="clickable" onClick={() => onShowExchanges(f.id)} title="Show this flow's exchanges">
              <td className="mono">{formatDateTime(f.started_at)}</td>
              <td>
                <Badge tone={f.side === 'tool' ? 'violet' : 'teal'}>{f.side}</Badge>
              </td>
              <td className="mono">{f.kind}</td>
              <td>{f.title}</td>
              <td>
                <Badge tone={VERDICT_TONE[f.verdict] ?? 'neutral'}>{f.verdict}</Badge>
              </td>
              <td className="num mono">{f.exchange_count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
